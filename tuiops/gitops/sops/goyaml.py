"""How go-yaml v3 (the YAML library inside sops) types, prints and hashes scalars.

sops never sees YAML as Python libraries read it: it sees go-yaml v3's `resolve.go` typing, Go's
`strconv` number syntax, Go's `time.Parse` layouts and the emitter's quoting analysis. A value
typed or printed any other way changes the MAC or the file bytes, so each rule here follows Go,
quirks included (`08` is a float, `1e400` a string, `2024-01-01T10:00:00` without zone a string).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import math
import re
from typing import Literal

from tuiops.gitops.sops.tree import ScalarKind, ScalarValue

StrStyle = Literal["plain", "single", "double", "literal"]

_INT64 = 1 << 63
_DIGITS = "0123456789"
_LONG_TAG = "tag:yaml.org,2002:"
_SPECIAL_FLOATS = {
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}
_BOOLS = {v: w == "true" for w in ("true", "false") for v in (w, w.title(), w.upper())}
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_GO_BOOLS = {  # strconv.ParseBool
    **dict.fromkeys(("1", "t", "T", "TRUE", "true", "True"), True),
    **dict.fromkeys(("0", "f", "F", "FALSE", "false", "False"), False),
}
_OLD_BOOLS = frozenset(
    v for w in ("y", "yes", "on", "n", "no", "off") for v in (w, w.title(), w.upper())
)
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_BASE60 = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
_GO_DEC_FLOAT = re.compile(r"[+-]?([0-9_]*\.?[0-9_]*)([eE][+-]?[0-9][0-9_]*)?")
_GO_HEX_FLOAT = re.compile(r"[+-]?0[xX]([0-9a-fA-F_]*\.?[0-9a-fA-F_]*)[pP][+-]?[0-9][0-9_]*")
_N = "([0-9][0-9]?)"  # Go's `getnum`: one or two digits
_YAML_STAMP = re.compile(
    rf"([0-9]{{4}})-{_N}-{_N}(?:([Tt]| +){_N}:{_N}:{_N}(?:[.,]([0-9]+))?(Z|[-+]\d\d:\d\d)?)?",
    re.ASCII,
)
_RFC3339 = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)(T)(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[-+]\d\d:\d\d)", re.ASCII
)
_BREAKS = "\r\n\x85\u2028\u2029"
_ESCAPES = dict(zip('\0\a\b\t\n\v\f\r\x1b"\\\x85\xa0\u2028\u2029', '0abtnvfre"\\N_LP', strict=True))


class NanoTime(dt.datetime):
    """A datetime that keeps the nanoseconds below its microsecond, as Go's time.Time does.

    Only made when those nanoseconds are not zero; every other time is a plain datetime.
    """

    __slots__ = ("extra_ns",)
    extra_ns: int

    @classmethod
    def of(cls, base: dt.datetime, extra_ns: int) -> NanoTime:
        """`base` plus `extra_ns` (0-999) nanoseconds."""
        made = cls.combine(base.date(), base.timetz())
        made.extra_ns = extra_ns
        return made

    def __reduce_ex__(self, protocol: object) -> tuple[object, ...]:
        # Copies and pickles would otherwise drop the extra nanoseconds.
        base = dt.datetime.combine(self.date(), self.timetz())
        return (NanoTime.of, (base, _extra_ns(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, dt.datetime):
            return NotImplemented
        return super().__eq__(other) is True and _extra_ns(self) == _extra_ns(other)

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return super().__hash__() ^ _extra_ns(self)  # equal to a datetime's when there are none


def _extra_ns(value: object) -> int:
    # Arithmetic on a NanoTime builds one without the slot set: that is zero.
    return getattr(value, "extra_ns", 0)


def _time(match: re.Match[str], strict: bool) -> tuple[bool, dt.datetime | None]:
    """(whether Go accepts the timestamp match, the datetime or None where Python cannot hold
    it: year 0, or a zone offset of a day or more).

    `time.Parse` takes zone offsets up to +24:60; strict RFC 3339 (`UnmarshalText`) up to +23:59.
    """
    year, month, day, sep, hour, minute, second, frac, zone = match.groups()
    if (zone is None) != (sep is None or sep[0] == " "):  # a zone goes with `T` and only `T`
        return False, None
    offset = 0
    if zone and zone != "Z":
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        if hours > (23 if strict else 24) or minutes > (59 if strict else 60):
            return False, None
        offset = (hours * 60 + minutes) * (-1 if zone[0] == "-" else 1)
    clock = (int(hour or 0), int(minute or 0), int(second or 0))
    date = (int(year), int(month), int(day))
    leap = date[0] % 4 == 0 and (date[0] % 100 != 0 or date[0] % 400 == 0)
    month_days = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    if not (1 <= date[1] <= 12 and 1 <= date[2] <= month_days[date[1] - 1]) or clock[0] > 23:
        return False, None
    if clock[1] > 59 or clock[2] > 59:
        return False, None
    if date[0] == 0 or abs(offset) >= 24 * 60:
        return True, None
    nanos = ((frac or "") + "000000000")[:9]  # Go keeps nine digits and drops the rest
    tz = dt.timezone(dt.timedelta(minutes=offset)) if offset else dt.UTC
    base = dt.datetime(*date, *clock, int(nanos[:6]), tzinfo=tz)
    return True, NanoTime.of(base, int(nanos[6:])) if int(nanos[6:]) else base


def _go_uint(text: str) -> int | None:
    """Go `strconv.ParseUint(text, 0, 64)` (underscores already gone); None on any error."""
    base, digits = 10, text
    if text[:1] == "0":
        base, digits = 8, text[1:]  # legacy octal: `017`
        if len(text) >= 3 and text[1] in "bBoOxX":
            base, digits = {"b": 2, "o": 8, "x": 16}[text[1].lower()], text[2:]
    if not text or (digits and not (digits.isascii() and digits.isalnum())):
        return None
    value = 0
    for char in digits.lower():
        digit = int(char, 36)
        if digit >= base:
            return None
        value = value * base + digit
    return value if value < 1 << 64 else None


def _go_int(text: str) -> int | None:
    """Go `strconv.ParseInt(text, 0, 64)`; None on a syntax or range error."""
    sign = text[:1] if text[:1] in ("+", "-") else ""
    magnitude = _go_uint(text[len(sign) :])
    if magnitude is None or magnitude > _INT64 or (magnitude == _INT64 and sign != "-"):
        return None
    return -magnitude if sign == "-" else magnitude


def _underscores_ok(text: str) -> bool:
    """Go's rule: an underscore only between digits (a base prefix counts as a digit)."""
    body = text[1:] if text[:1] in ("+", "-") else text
    prefix = body[:2].lower() if body[:2].lower() in ("0x", "0b", "0o") else ""
    last = "0" if prefix else "^"  # the class of the previous character
    for char in body[len(prefix) :]:
        if char in _DIGITS or (prefix == "0x" and char.lower() in "abcdef"):
            last = "0"
        elif (char == "_" and last != "0") or (char != "_" and last == "_"):
            return False
        else:
            last = "_" if char == "_" else "!"
    return last != "_"


def go_parse_float(text: str) -> float | None:
    """Go `strconv.ParseFloat(text, 64)`: None on a syntax error or an overflow (ErrRange)."""
    lowered = text.lower()
    if lowered in ("nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"):
        return float(lowered.replace("infinity", "inf"))
    hexa = _GO_HEX_FLOAT.fullmatch(text)
    match = hexa or _GO_DEC_FLOAT.fullmatch(text)
    if match is None or match.group(1).strip("._") == "" or not _underscores_ok(text):
        return None
    try:
        value = float.fromhex(text.replace("_", "")) if hexa else float(text.replace("_", ""))
    except (OverflowError, ValueError):
        return None
    return None if math.isinf(value) else value


def _resolve(text: str, timestamps: bool) -> tuple[ScalarKind, ScalarValue]:
    """go-yaml's `resolve`: the first character decides which readings are tried, in order."""
    if text in _NULLS:
        return "null", None
    if text in _BOOLS:
        return "bool", _BOOLS[text]
    if text in _SPECIAL_FLOATS:
        return "float", _SPECIAL_FLOATS[text]
    number: int | float | None = None
    if text[:1] == ".":
        number = go_parse_float(text)
        return ("float", number) if number is not None else ("str", text)
    if text[:1] not in tuple("+-" + _DIGITS):
        return "str", text
    match = _YAML_STAMP.fullmatch(text) if timestamps else None
    is_time, stamp = _time(match, strict=False) if match else (False, None)
    if is_time:
        return "time", stamp  # None: a time Python cannot hold
    plain = text.replace("_", "")
    number = _go_int(plain)
    if number is None:
        number = _go_uint(plain)  # beyond int64: uint64
    if number is not None:
        return "int", number
    number = go_parse_float(plain) if _YAML_FLOAT.fullmatch(plain) else None
    return ("float", number) if number is not None else ("str", text)


def resolve_plain(text: str) -> tuple[ScalarKind, ScalarValue]:
    """Type an unquoted plain scalar the way go-yaml v3's `resolve("", text)` does.

    Args:
        text: the scalar's text as written, without quotes.

    Returns:
        (kind, value): "null"/None, "bool", "int", "float", "time" (an aware datetime, UTC when
        the text has no zone) or "str" with `text` itself. Integers beyond int64 stay "int"
        (go-yaml makes them uint64, which sops refuses to walk). Timestamps Python cannot hold
        (year 0, a +24:00 offset) stay "str".
    """
    kind, value = _resolve(text, timestamps=True)
    return ("str", text) if kind == "time" and value is None else (kind, value)


def resolve_tagged(tag: str, text: str) -> tuple[ScalarKind, ScalarValue]:
    """Type a scalar with an explicit tag (`!!int` or `tag:yaml.org,2002:int`) as go-yaml does.

    `!!str` and unknown or local tags give a string; `!` alone resolves like a plain scalar;
    `!!binary` gives the decoded text; `!!float` accepts integers.

    Raises:
        ValueError: when the text does not fit the tag; go-yaml (and so sops) refuses the file.
    """
    short = "!!" + tag[len(_LONG_TAG) :] if tag.startswith(_LONG_TAG) else tag
    if short == "!":
        return resolve_plain(text)
    if short == "!!binary":
        try:
            data = base64.b64decode(text.replace("\r", "").replace("\n", ""), validate=True)
            return "str", data.decode()
        except (binascii.Error, UnicodeDecodeError):
            raise ValueError(f"!!binary value is not base64 of UTF-8 text: {text!r}") from None
    wanted = {"!!null": "null", "!!bool": "bool", "!!int": "int", "!!float": "float"}.get(short)
    wanted = "time" if short == "!!timestamp" else wanted
    if wanted is None:
        return "str", text
    kind, value = _resolve(text, timestamps=wanted == "time")  # only plain or !!timestamp
    if kind == "time" and value is None:
        return "str", text  # a time Python cannot hold
    if wanted == "float" and kind == "int" and isinstance(value, int) and value < _INT64:
        return "float", float(value)
    if kind != wanted:
        raise ValueError(f"cannot decode !!{kind} `{text}` as a {short}")
    return kind, value


def _go_float(value: float, fmt: Literal["f", "g"]) -> str:
    """Go `strconv.FormatFloat(value, fmt, -1, 64)`: the shortest digits that read back."""
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    if value == 0:
        return sign + "0"
    from decimal import Decimal  # only floats need it; `env get` starts faster without

    _, digit_tuple, exponent = Decimal(repr(abs(value))).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    point = len(digits) + int(exponent)  # value = 0.DIGITS x 10^point
    if fmt == "g" and not -4 <= point - 1 < 6:  # shortest %g switches to %e outside this
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if point < 1 else '+'}{abs(point - 1):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"


def _rfc3339_nano(value: dt.datetime) -> str:
    """Go's `Time.Format(time.RFC3339Nano)`: trailing fraction zeros trimmed, `Z` for UTC."""
    text = value.replace(tzinfo=None, microsecond=0).isoformat()
    nanos = f"{value.microsecond:06d}{_extra_ns(value):03d}".rstrip("0")
    offset = value.utcoffset() or dt.timedelta(0)  # a naive datetime counts as UTC
    minutes = int(offset.total_seconds() / 60)  # Go drops an offset's seconds, toward zero
    sign = "-" if minutes < 0 else "+"
    zone = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}" if offset else "Z"
    return f"{text}{'.' + nanos if nanos else ''}{zone}"


def _typed_text(kind: ScalarKind, value: ScalarValue, yaml: bool) -> str:
    """Text of a non-string scalar, in YAML form or in sops' plaintext form."""
    if kind == "null":
        return "null" if yaml else ""
    if kind == "bool" and isinstance(value, bool):
        return ("true" if value else "false") if yaml else ("True" if value else "False")
    if kind == "int" and isinstance(value, int):
        return str(int(value))
    if kind == "float" and isinstance(value, int | float):
        number = float(value)
        if math.isnan(number):
            return ".nan" if yaml else "NaN"
        if math.isinf(number) and yaml:
            return ".inf" if number > 0 else "-.inf"
        if math.isinf(number):
            return "+Inf" if number > 0 else "-Inf"
        return _go_float(number, "g" if yaml else "f")
    if kind == "time" and isinstance(value, dt.datetime):
        return _rfc3339_nano(value)
    raise TypeError(f"not a {kind} value: {value!r}")


def sops_plaintext(kind: ScalarKind, value: ScalarValue) -> str:
    """The text sops encrypts and feeds to the MAC for a typed value (docs/sops-format.md §1).

    str and comment as they are; int in decimal; float in Go's shortest positional form
    (`2`, `1500`, `0.000001`, `+Inf`, `NaN`, `-0`); bool `True`/`False`; time in RFC 3339 with
    Go-trimmed nanoseconds; null has no plaintext (sops never encrypts or hashes it): "".

    Raises:
        TypeError: when `value` does not fit `kind`.
    """
    if kind in ("str", "comment"):
        if not isinstance(value, str):
            raise TypeError(f"not a {kind} value: {value!r}")
        return value
    return _typed_text(kind, value, yaml=False)


def parse_sops_plaintext(kind: ScalarKind, text: str) -> ScalarValue:
    """Decode decrypted plaintext by its `type:` field as sops does (`sops_plaintext` reversed).

    Raises:
        ValueError: when the text is not valid for the type (sops fails to decrypt then).
    """
    value: ScalarValue = None
    if kind in ("str", "comment", "null"):
        return None if kind == "null" else text
    if kind == "int" and re.fullmatch(r"[+-]?[0-9]+", text):  # Atoi: base 10, int64
        value = int(text) if -_INT64 <= int(text) < _INT64 else None
    elif kind == "float":
        value = go_parse_float(text)
    elif kind == "bool":
        value = _GO_BOOLS.get(text)
    elif kind == "time" and (match := _RFC3339.fullmatch(text)):
        value = _time(match, strict=True)[1]
    if value is None:
        raise ValueError(f"not a valid {kind} plaintext: {text!r}")
    return value


def _printable(char: str) -> bool:
    """libyaml's printable set; astral characters and U+FEFF are not in it."""
    code = ord(char)
    return (
        char == "\n"
        or 0x20 <= code <= 0x7E
        or 0xA0 <= code <= 0xD7FF
        or (0xE000 <= code <= 0xFFFD and code != 0xFEFF)
    )


def _analyze(value: str) -> tuple[bool, bool, bool]:
    """The emitter's scalar analysis in block context: (plain, single, literal) allowed."""
    if not value:
        return True, True, False
    indicators = value.startswith(("---", "..."))
    tab = special = breaks = space_break = break_space = False
    previous = ""  # "space", "break" or ""
    for index, char in enumerate(value):
        followed_by_blank = index + 1 == len(value) or value[index + 1] in " \t"
        if index == 0:
            indicators |= char in "#,[]{}&*!|>'\"%@`" or (char in "?:-" and followed_by_blank)
        else:
            preceded_by_blank = value[index - 1] in " \t\0" + _BREAKS
            indicators |= (char == ":" and followed_by_blank) or (char == "#" and preceded_by_blank)
        tab |= char == "\t"
        special |= char != "\t" and not _printable(char)
        if char == " ":
            break_space |= previous == "break"
            previous = "space"
        elif char in _BREAKS:
            breaks = True
            space_break |= previous == "space"
            previous = "break"
        else:
            previous = ""
    quoting = break_space or space_break or tab or special
    edges = " " + _BREAKS
    plain = not (quoting or breaks or indicators or value[0] in edges or value[-1] in edges)
    return plain, not quoting, not (value[-1] == " " or space_break or special)


def string_style(value: str) -> StrStyle:
    """The style go-yaml v3's encoder (so sops) gives a string in block context.

    A string that would read back as another type (or as a YAML 1.1 bool or base-60 number) is
    double-quoted; one with a `\\n` is a literal block; a plain scalar that the emitter's
    analysis rejects becomes single-quoted, or double-quoted when single quotes cannot hold it.
    """
    plain, single, literal = _analyze(value)
    if "\n" in value:
        return "literal" if literal else "double"
    if _resolve(value, True)[0] != "str" or value in _OLD_BOOLS or _BASE60.fullmatch(value):
        return "double"
    return "plain" if plain else "single" if single else "double"


def is_multiline(value: str) -> bool:
    """Whether go-yaml counts `value` as multi-line (any line break, Unicode ones included)."""
    return any(c in _BREAKS for c in value)


def double_quoted(value: str) -> str:
    """A double-quoted scalar with go-yaml's escapes (a leading BOM escapes every character)."""
    escape_all = value.startswith("\ufeff")
    out = []
    for char in value:
        code = ord(char)
        if escape_all or not _printable(char) or char in _BREAKS or char in '"\\':
            wide = f"x{code:02X}" if code <= 0xFF else f"u{code:04X}" if code <= 0xFFFF else ""
            out.append("\\" + (_ESCAPES.get(char) or wide or f"U{code:08X}"))
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def single_quoted(value: str, indent: int = 0) -> str:
    """A single-quoted scalar; after a U+2028/U+2029 break go-yaml indents to `indent`."""
    parts = re.split(f"([{_BREAKS}])", value.replace("'", "''"))  # text, break, text, ...
    out = [parts[0]]
    for index in range(1, len(parts), 2):
        out.append(parts[index])
        if parts[index + 1]:
            out.append(" " * indent + parts[index + 1])
    return "'" + "".join(out) + "'"


def yaml_scalar_text(kind: ScalarKind, value: ScalarValue, *, indent: int = 0) -> str:
    """A scalar as go-yaml v3's emitter writes it on one line (the same for keys and values).

    Ints in decimal, bools `true`/`false`, null `null`, floats in Go's `%g` form (`2`, `1e+21`,
    `1e-06`, `.inf`, `.nan`), times in RFC 3339; strings plain, single- or double-quoted per
    `string_style`. A string with a line break gets the double-quoted form here; the block
    emitter writes a literal block instead where go-yaml does.

    Args:
        kind: the scalar's kind ("comment" is treated as a string).
        value: the typed value.
        indent: continuation column, used only after a Unicode line separator.

    Raises:
        TypeError: when `value` does not fit `kind`.
    """
    if kind not in ("str", "comment"):
        return _typed_text(kind, value, yaml=True)
    if not isinstance(value, str):
        raise TypeError(f"not a {kind} value: {value!r}")
    style = string_style(value)
    if style == "plain":
        return value
    return single_quoted(value, indent) if style == "single" else double_quoted(value)
