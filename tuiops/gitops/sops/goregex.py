"""Go RE2 regular expressions, as sops and clustertool write them, run with Python's `re`.

sops matches `path_regex` and the `*_regex` rules with Go's `regexp`, whose syntax differs from
Python's in ways that change results silently: `(?i)` in the middle of a group (a `re.error` in
Python), `$` (Go: end of text only; Python: also before a final newline), `\\d`/`\\s`/`\\w`/`\\b`
(Go: ASCII only), octal escapes, `x{,3}` (Go: literal text) and case folding (Python's
IGNORECASE also equates `i` with U+0130 and U+0131; Go's does not). So the pattern is parsed the
way Go's `regexp/syntax` parses it and re-emitted as an equivalent Python pattern that uses no
flags: case-insensitive parts become explicit classes of Go's fold orbits.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, replace
from typing import NoReturn

from tuiops.gitops.sops.errors import SopsConfigError

Ranges = tuple[tuple[int, int], ...]

_MAX_RUNE = 0x10FFFF
_MAX_REPEAT = 1000  # Go's limit for x{n,m}, also for the product of nested counted repeats
_MAX_DEPTH = 1000  # Go's nesting limit; also keeps this recursive parser off Python's limit


def _ranges(spec: str) -> Ranges:
    """Code point ranges from a compact ASCII spec such as "0-9A-Z_"."""
    return tuple((ord(a), ord(b or a)) for a, b in re.findall(r"(.)(?:-(.))?", spec, re.DOTALL))


# Go's Perl and POSIX classes are ASCII-only; Python's \d, \s and \w are Unicode-aware.
_PERL = {"d": _ranges("0-9"), "s": _ranges("\t\n\f\r "), "w": _ranges("0-9A-Za-z_")}
_POSIX = {
    name: _ranges(spec)
    for name, spec in {
        "alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\x00-\x7f", "blank": "\t ",
        "cntrl": "\x00-\x1f\x7f", "digit": "0-9", "graph": "!-~", "lower": "a-z",
        "print": " -~", "punct": "!-/:-@[-`{-~", "space": "\t-\r ", "upper": "A-Z",
        "word": "0-9A-Za-z_", "xdigit": "0-9A-Fa-f",
    }.items()
}  # fmt: skip
# Go's word boundaries look at ASCII word characters only; Python's `\b` is Unicode-aware.
_W = "[0-9A-Za-z_]"
_WORD_BOUNDARY = f"(?:(?<={_W})(?!{_W})|(?<!{_W})(?={_W}))"
_NOT_WORD_BOUNDARY = f"(?:(?<={_W})(?={_W})|(?<!{_W})(?!{_W}))"


@dataclass(frozen=True, slots=True)
class _Flags:
    fold: bool = False  # i
    multiline: bool = False  # m
    dotnl: bool = False  # s
    ungreedy: bool = False  # U


@dataclass(slots=True)
class _Atom:
    text: str
    rep: int = 1  # product of the nested counted repeats inside, for Go's limit of 1000
    bare: bool = True  # a quantifier may follow `text` as is (not after an anchor or quantifier)


def _lit(cp: int) -> str:
    """One code point as a Python regex literal, valid inside and outside a class."""
    ch = chr(cp)
    if ch.isascii() and (ch.isalnum() or ch == "_"):
        return ch
    if 0x20 <= cp < 0x7F:
        return "\\" + ch
    return f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}" if cp < 0x10000 else f"\\U{cp:08x}"


def _normalize(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if out and low <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], high))
        else:
            out.append((low, high))
    return out


def _negate(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    next_low = 0
    for low, high in _normalize(ranges):
        if next_low < low:
            out.append((next_low, low - 1))
        next_low = high + 1
    if next_low <= _MAX_RUNE:
        out.append((next_low, _MAX_RUNE))
    return out


@functools.cache
def _orbits() -> dict[int, tuple[int, ...]]:
    """Go's simple case-folding orbits (`unicode.SimpleFold`), for every code point in one.

    Built from Python's one-character case mappings. Go keeps the Turkish dotted and dotless I
    (U+0130, U+0131) out of the orbit of `i` (CaseFolding status T), and so does this.
    """
    parent: dict[int, int] = {}

    def root(cp: int) -> int:
        while parent.get(cp, cp) != cp:
            cp = parent[cp]
        return cp

    for cp in range(0x41, 0x1E944):  # Go's minFold..maxFold
        char = chr(cp)
        for other in {char.lower(), char.upper(), char.title()}:
            if len(other) == 1 and other != char and not {cp, ord(other)} & {0x130, 0x131}:
                a, b = root(cp), root(ord(other))
                if a != b:
                    parent[a] = b
    members: dict[int, list[int]] = {}
    for cp in [*parent, *parent.values()]:
        members.setdefault(root(cp), []).append(cp)
    return {cp: tuple(sorted(set(group))) for group in members.values() for cp in group}


def _fold(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The ranges plus every code point that case-folds to one in them (Go's (?i) classes)."""
    ranges = _normalize(ranges)
    starts = [low for low, _ in ranges]
    extra = [
        (member, member)
        for cp, orbit in _orbits().items()
        if (i := bisect.bisect_right(starts, cp) - 1) >= 0 and cp <= ranges[i][1]
        for member in orbit
    ]
    return _normalize(ranges + extra)


def _group(ranges: Ranges, negated: bool, fold: bool) -> list[tuple[int, int]]:
    # Go folds a named class before negating it: (?i)\W excludes the Kelvin sign and long s.
    base = _fold(list(ranges)) if fold else list(ranges)
    return _negate(base) if negated else base


def _literal(cp: int, fold: bool) -> str:
    orbit = _orbits().get(cp) if fold else None
    return _class_text([(m, m) for m in orbit], False) if orbit else _lit(cp)


def _class_text(ranges: list[tuple[int, int]], negated: bool) -> str:
    if not ranges:
        return "(?s:.)" if negated else "(?!)"
    body = "".join(_lit(a) if a == b else f"{_lit(a)}-{_lit(b)}" for a, b in ranges)
    return f"[{'^' if negated else ''}{body}]"


class _Translator:
    """A recursive-descent copy of Go's `regexp/syntax` parser (Perl flags) emitting Python."""

    def __init__(self, pattern: str) -> None:
        self.src = pattern
        self.pos = 0
        self.names: set[str] = set()

    def fail(self, reason: str) -> NoReturn:
        raise SopsConfigError(f"invalid Go regular expression {self.src!r}: {reason}")

    def alternation(self, flags: _Flags, depth: int) -> tuple[str, int]:
        if depth > _MAX_DEPTH:
            self.fail("expression nests too deeply")
        branches: list[str] = []
        atoms: list[_Atom] = []
        rep = 1
        last_was_repeat = False
        while self.pos < len(self.src):
            char = self.src[self.pos]
            if char == ")":
                break
            if char == "|":
                branches.append("".join(atom.text for atom in atoms))
                rep = max([rep, *(a.rep for a in atoms)])
                atoms = []
                self.pos += 1
                last_was_repeat = False
                continue
            if char in "*+?{" and self.quantify(flags, atoms, last_was_repeat):
                last_was_repeat = True
                continue
            last_was_repeat = False
            flags = self.atom(flags, atoms, depth)
        branches.append("".join(atom.text for atom in atoms))
        return "|".join(branches), max([rep, *(a.rep for a in atoms)])

    def quantify(self, flags: _Flags, atoms: list[_Atom], after_repeat: bool) -> bool:
        """Apply the repetition at `pos` to the last atom; False when `{` is a plain literal."""
        src = self.src
        counted = re.match(r"\{(0|[1-9][0-9]*)(?:(,)(0|[1-9][0-9]*)?)?\}", src[self.pos :])
        if src[self.pos] == "{" and counted is None:
            return False  # Go: a `{` that does not start a valid repeat is a literal
        operator = src[self.pos] if counted is None else counted[0]
        self.pos += len(operator)
        lazy = flags.ungreedy
        if src[self.pos : self.pos + 1] == "?":
            self.pos += 1
            lazy = not lazy
        if after_repeat:
            self.fail("invalid nested repetition operator")
        if not atoms:
            self.fail("missing argument to repetition operator")
        atom = atoms[-1]
        if counted is not None:
            low = int(counted[1])
            high = low if counted[2] is None else int(counted[3] or -1)
            if low > _MAX_REPEAT or high > _MAX_REPEAT or (high >= 0 and low > high):
                self.fail("invalid repeat count")
            times = high if high >= 0 else low
            atom.rep = times * atom.rep if times > 0 else 1
            if (low >= 2 or high >= 2) and atom.rep > _MAX_REPEAT:
                self.fail("invalid repeat count")
        text = atom.text if atom.bare else f"(?:{atom.text})"
        atom.text, atom.bare = text + operator + ("?" if lazy else ""), False
        return True

    def atom(self, flags: _Flags, atoms: list[_Atom], depth: int) -> _Flags:
        """Parse one item into `atoms`; returns the flags in force after it (for `(?i)`)."""
        char = self.src[self.pos]
        if char == "(":
            return self.paren(flags, atoms, depth)
        if char == "[":
            atoms.append(_Atom(self.char_class(flags)))
            return flags
        if char == "\\":
            self.backslash(flags, atoms)
            return flags
        self.pos += 1
        if char == "^":
            atoms.append(_Atom("(?m:^)" if flags.multiline else "^", bare=False))
        elif char == "$":
            atoms.append(_Atom("(?m:$)" if flags.multiline else r"\Z", bare=False))
        elif char == ".":
            atoms.append(_Atom("(?s:.)" if flags.dotnl else "."))
        else:
            atoms.append(_Atom(_literal(ord(char), flags.fold)))
        return flags

    def paren(self, flags: _Flags, atoms: list[_Atom], depth: int) -> _Flags:
        src, start = self.src, self.pos
        rest = src[start:]
        if not rest.startswith("(?"):
            self.pos += 1
            atoms.append(self.group("(", flags, depth))
            return flags
        named_p = len(rest) > 4 and rest.startswith("(?P<")
        if named_p or (len(rest) > 3 and rest[2] == "<"):
            end = rest.find(">")
            name = rest[4 if named_p else 3 : end]
            if end < 0 or not re.fullmatch(r"[A-Za-z0-9_]+", name):
                self.fail("invalid named capture")
            if name in self.names:
                self.fail("duplicate capture group name")
            self.names.add(name)
            self.pos += end + 1
            # Go allows names Python does not (e.g. leading digits); names never change a match.
            atoms.append(self.group("(", flags, depth))
            return flags
        self.pos += 2
        new, sign, saw_flag = flags, True, False
        while self.pos < len(src):
            char = src[self.pos]
            self.pos += 1
            if char in "imsU":
                field = {"i": "fold", "m": "multiline", "s": "dotnl", "U": "ungreedy"}[char]
                new, saw_flag = replace(new, **{field: sign}), True
            elif char == "-" and sign:
                sign, saw_flag = False, False
            elif char in ":)" and (sign or saw_flag):
                if char == ")":
                    return new  # (?flags) lasts until the enclosing group closes
                atoms.append(self.group("(?:", new, depth))
                return flags
            else:
                break
        self.fail("invalid or unsupported Perl syntax")

    def group(self, opener: str, flags: _Flags, depth: int) -> _Atom:
        text, rep = self.alternation(flags, depth + 1)
        if self.pos >= len(self.src):
            self.fail("missing closing )")
        self.pos += 1
        return _Atom(f"{opener}{text})", rep=rep)

    def backslash(self, flags: _Flags, atoms: list[_Atom]) -> None:
        src = self.src
        code = src[self.pos + 1] if self.pos + 1 < len(src) else ""
        simple = {"A": r"\A", "z": r"\Z", "b": _WORD_BOUNDARY, "B": _NOT_WORD_BOUNDARY}
        if code in simple:
            atoms.append(_Atom(simple[code], bare=False))
            self.pos += 2
        elif code == "Q":
            end = src.find(r"\E", self.pos + 2)
            stop = len(src) if end < 0 else end
            for char in src[self.pos + 2 : stop]:
                atoms.append(_Atom(_literal(ord(char), flags.fold)))
            self.pos = len(src) if end < 0 else end + 2
        elif code in ("p", "P"):
            self.fail("Unicode classes like \\p{Greek} are not supported")
        elif code and code in "dDsSwW":
            ranges = _group(_PERL[code.lower()], code.isupper(), flags.fold)
            atoms.append(_Atom(_class_text(ranges, False)))
            self.pos += 2
        else:
            atoms.append(_Atom(_literal(self.escape(), flags.fold)))

    def escape(self) -> int:
        """Go's parseEscape: the code point of the escape at `pos` (a backslash)."""
        src = self.src
        if self.pos + 1 >= len(src):
            self.fail("trailing backslash at end of expression")
        char = src[self.pos + 1]
        self.pos += 2
        if char.isascii() and not char.isalnum():
            return ord(char)
        if char in "01234567":
            lead = src[self.pos : self.pos + 2]
            digits = lead[: len(lead) - len(lead.lstrip("01234567"))]
            if char != "0" and not digits:
                self.fail("backreferences are not supported")
            self.pos += len(digits)
            return int(char + digits, 8)
        if char == "x":
            match = re.match(r"\{([0-9A-Fa-f]+)\}|[0-9A-Fa-f]{2}", src[self.pos :])
            if match is not None:
                value = int(match[1] or match[0], 16)
                if value <= _MAX_RUNE:
                    self.pos += match.end()
                    return value
        named = {"a": 0x07, "f": 0x0C, "n": 0x0A, "r": 0x0D, "t": 0x09, "v": 0x0B}
        if char in named:
            return named[char]
        self.fail(f"invalid escape sequence \\{char}")

    def char_class(self, flags: _Flags) -> str:
        src = self.src
        self.pos += 1
        negated = self.pos < len(src) and src[self.pos] == "^"
        self.pos += negated
        ranges: list[tuple[int, int]] = []
        first = True
        while first or self.pos >= len(src) or src[self.pos] != "]":
            first = False
            rest = src[self.pos :]
            if len(rest) > 2 and rest.startswith("[:") and rest.find(":]", 2) >= 0:
                name = rest[2 : rest.find(":]", 2)]
                table = _POSIX.get(name.removeprefix("^"))
                if table is None:
                    self.fail(f"invalid character class [:{name}:]")
                ranges += _group(table, name.startswith("^"), flags.fold)
                self.pos += len(name) + 4
            elif rest[:2] in ("\\p", "\\P"):
                self.fail("Unicode classes like \\p{Greek} are not supported")
            elif len(rest) >= 2 and rest[0] == "\\" and rest[1] in "dDsSwW":
                ranges += _group(_PERL[rest[1].lower()], rest[1].isupper(), flags.fold)
                self.pos += 2
            else:
                low = self.class_char()
                high = low
                after = src[self.pos + 1 : self.pos + 2]
                if src[self.pos : self.pos + 1] == "-" and after not in ("]", ""):
                    self.pos += 1
                    high = self.class_char()
                    if high < low:
                        self.fail("invalid character class range")
                ranges.append((low, high))
        self.pos += 1
        return _class_text(_fold(ranges) if flags.fold else _normalize(ranges), negated)

    def class_char(self) -> int:
        if self.pos >= len(self.src):
            self.fail("missing closing ]")
        if self.src[self.pos] == "\\":
            return self.escape()
        self.pos += 1
        return ord(self.src[self.pos - 1])


def go_regex_to_python(pattern: str) -> str:
    """Translate a Go RE2 pattern into a Python `re` pattern that matches the same strings.

    Args:
        pattern: The pattern as written in `.sops.yaml` or a file's `sops:` block.

    Returns:
        A Python pattern with the same matches under `search` (no flags needed).

    Raises:
        SopsConfigError: Go would reject the pattern, or it uses `\\p{...}` Unicode classes.
    """
    translator = _Translator(pattern)
    text, _ = translator.alternation(_Flags(), 0)
    if translator.pos < len(pattern):
        translator.fail("unexpected )")
    return text


@functools.lru_cache(maxsize=256)
def compile_go_regex(pattern: str) -> re.Pattern[str]:
    """Compile a Go RE2 pattern so that `search` matches exactly what Go's `regexp` matches.

    Args:
        pattern: A Go regular expression (e.g. a `path_regex` or `encrypted_regex`).

    Returns:
        The compiled Python pattern (cached per pattern text).

    Raises:
        SopsConfigError: The pattern is invalid in Go, or cannot be translated.
    """
    translated = go_regex_to_python(pattern)
    try:
        return re.compile(translated)
    except (re.error, RecursionError, OverflowError) as exc:
        raise SopsConfigError(
            f"cannot translate Go regular expression {pattern!r}: {exc}"
        ) from None
