"""The JSON, dotenv, INI and binary stores (`formats.py`) against the real sops 3.11 binary.

For generated plaintexts P (nasty on purpose: unicode, `<>&`, quotes, `=`, `#`, `;`, spaces at
the ends, line breaks, empty values, numbers such as 1e21, -0 and big ints, duplicate keys, and
for INI every go-ini value syntax) each property checks:
- (a) E = `sops -e P`: re-emitting our parse of E gives E byte for byte (INI: modulo the order
  of the `[sops]` lines, random in sops). So the emitters write what sops writes.
- (b) `sops -d E` is byte for byte what our plaintext emitter prints for our parse of P.
- When sops cannot read P (or crashes printing it) we refuse it too.
Keys ending in `_unencrypted` keep their values in cleartext in E, so (a) covers value escaping
and quoting, not only `ENC[...]` tokens. Then: the fixtures round-trip, sops' metadata options
round-trip, and an edited tree re-emitted is read by sops (it fails the MAC, not the parse).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from tests.sops.strategies import (
    FIXTURES,
    SOPS,
    SOPS_TIMEOUT,
    recipient,
    require_tools,
    sops_env,
    sops_settings,
)
from tuiops.gitops.sops.errors import SopsFormatError
from tuiops.gitops.sops.formats import (
    emit_encrypted,
    emit_plain,
    parse_binary,
    parse_dotenv,
    parse_ini,
    parse_json,
    parse_plain,
)
from tuiops.gitops.sops.ini_store import GO_SPACE
from tuiops.gitops.sops.tree import Comment, Document, Mapping, Node, Scalar, Sequence

PARSE_ENCRYPTED: dict[str, Callable[[str], list[Document]]] = {
    "json": parse_json,
    "dotenv": parse_dotenv,
    "ini": parse_ini,
    "binary": parse_binary,
}
EXTENSION = {"json": "json", "dotenv": "env", "ini": "ini", "binary": "bin"}
SUFFIX = "_unencrypted"


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder without `.sops.yaml` above it: sops gets its recipient by flag."""
    require_tools()
    return tmp_path_factory.mktemp("formats")


def sops(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """Run sops on bytes (text mode would turn `\\r\\n` into `\\n`); a failure is returned."""
    return subprocess.run(
        [str(SOPS), *args],
        cwd=cwd,
        env=sops_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=SOPS_TIMEOUT,
        check=False,
    )


def encrypt(work: Path, fmt: str, plain: str, *options: str) -> subprocess.CompletedProcess[bytes]:
    name = f"plain.{EXTENSION[fmt]}"
    (work / name).write_bytes(plain.encode())
    return sops(["-e", "--age", recipient(1), *options, name], work)


def decrypt(work: Path, fmt: str, encrypted: str) -> subprocess.CompletedProcess[bytes]:
    name = f"encrypted.{EXTENSION[fmt]}"
    (work / name).write_bytes(encrypted.encode())
    return sops(["-d", name], work)


def assert_same_file(fmt: str, ours: str, theirs: str) -> None:
    """Equal bytes; for INI the `[sops]` section's lines may come in another order."""
    if fmt != "ini":
        assert ours == theirs
        return
    our_data, _, our_metadata = ours.rpartition("[sops]\n")
    their_data, _, their_metadata = theirs.rpartition("[sops]\n")
    assert our_data == their_data
    assert sorted(our_metadata.splitlines()) == sorted(their_metadata.splitlines())


def outcome(what: str) -> None:
    """Count how an example ended (`--hypothesis-show-statistics`), inside Hypothesis only."""
    if currently_in_test_context():
        event(what)


def check_against_sops(work: Path, fmt: str, plain: str) -> None:
    """Properties (a) and (b) of the module docstring for one plaintext."""
    encrypted = encrypt(work, fmt, plain)
    if encrypted.returncode != 0:
        outcome("sops cannot read the plaintext")
        assert b"Error unmarshalling file" in encrypted.stderr, encrypted.stderr
        with pytest.raises(SopsFormatError):
            parse_plain(plain, fmt)
        return
    theirs = encrypted.stdout.decode()
    assert_same_file(fmt, emit_encrypted(PARSE_ENCRYPTED[fmt](theirs), fmt), theirs)  # (a)
    decrypted = decrypt(work, fmt, theirs)
    tree = parse_plain(plain, fmt)
    if decrypted.returncode != 0:  # go-ini panics on a comment with an empty line
        outcome("sops -d crashes")
        assert b"panic: runtime error" in decrypted.stderr, decrypted.stderr
        with pytest.raises(SopsFormatError):
            emit_plain(tree, fmt)
        return
    outcome("encrypted and decrypted")
    assert emit_plain(tree, fmt) == decrypted.stdout.decode()  # (b)


# -- generators ------------------------------------------------------------------------------

NASTY = st.sampled_from(
    [
        *("", " ", "  lead", "trail  ", "<>&", "a<b>c&d", 'say "hi"', "'", '"', "=", "a=b=c"),
        *("#", "#x", ";", "x;y # z", "\\", "\\n", "a\\nb", "back\\", "tab\there", "\r", "x\r"),
        *("é", "€", "你好", "😀", "\u2028", "\u2029", "\x00", "\x01", "\x1f", "\x7f", "\x85"),
        *("\xa0", "\u3000", "\ufeff", "`", '"""', "[s]", "a]b", "${VAR}", "ENC[x]", "null"),
        *("true", "1e21", "-0", "0x10", "DEFAULT", "default", "sops"),
    ]
)
TEXT = st.one_of(NASTY, st.text(max_size=10), st.builds(str.__add__, NASTY, NASTY))
LINE = TEXT.map(lambda text: text.replace("\n", ""))
SPACE = st.sampled_from(["", " ", "\n", "\t", "\r\n  "])
INLINE = st.sampled_from(["", " ", "  ", "\t"])
ONE_IN_TEN = st.sampled_from([False] * 9 + [True])
"""True about once in ten draws (Hypothesis draws small integers, like 0, far more often)."""


def suffixed(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Keys of which some end in `_unencrypted` (their values stay in cleartext)."""
    return st.builds(lambda key, clear: key + SUFFIX * clear, text, st.booleans())


JSON_STRINGS = st.one_of(
    st.builds(json.dumps, TEXT, ensure_ascii=st.booleans()),
    st.sampled_from(['"\\ud800"', '"\\udc00x"', '"\\ud83d\\ude00"', '"\\/"', '"\\u00e9\\u0000"']),
)
JSON_NUMBERS = st.one_of(
    st.sampled_from(
        [
            *("0", "-0", "-0.0", "1e21", "1E+21", "9.99e20", "1e-6", "1e-7", "0.1", "100", "1e2"),
            *("123456789012345678901234567890", "9007199254740993", "1.5e300", "5e-324"),
            *("-1.7976931348623157e308", "12.50", "0.000001", "123456", "1234567"),
        ]
    ),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.integers().map(str),
)
JSON_KEYS = st.builds(json.dumps, suffixed(TEXT), ensure_ascii=st.booleans())


def _json_join(brackets: str, parts: list[str], space: str) -> str:
    return brackets[0] + space + ("," + space).join(parts) + space + brackets[1]


JSON_VALUES = st.recursive(
    st.one_of(JSON_STRINGS, JSON_NUMBERS, st.sampled_from(["true", "false", "null"])),
    lambda inner: st.one_of(
        st.builds(_json_join, st.just("[]"), st.lists(inner, max_size=3), SPACE),
        st.builds(
            _json_join,
            st.just("{}"),
            st.lists(st.builds(lambda k, v: f"{k}: {v}", JSON_KEYS, inner), max_size=3),
            SPACE,
        ),
    ),
    max_leaves=10,
)
TOP_JSON_KEYS = JSON_KEYS.filter(lambda key: json.loads(key) != "sops")


@st.composite
def json_texts(draw: st.DrawFn) -> str:
    """A JSON object with duplicate keys, odd spacing and, at times, text after it (sops
    ignores that in a plaintext file)."""
    pairs = draw(st.lists(st.builds(lambda k, v: f"{k}:{v}", TOP_JSON_KEYS, JSON_VALUES)))
    body = _json_join("{}", pairs[:5], draw(SPACE))
    return draw(SPACE) + body + draw(st.sampled_from(["", "\n", " trailing", "{}"]))


def _dotenv_key(key: str) -> str:
    key = key.replace("=", "")
    # `#` would make a comment; `sops_` lines make sops refuse the file as encrypted
    return "k" + key if key.startswith(("#", "sops_")) else key


@st.composite
def dotenv_texts(draw: st.DrawFn) -> str:
    comment = st.builds("#{}".format, LINE)
    pair = st.builds("{}={}".format, suffixed(LINE).map(_dotenv_key), LINE)
    lines = draw(st.lists(st.one_of(comment, pair, pair, pair, st.just("")), max_size=8))
    broken: bool = draw(ONE_IN_TEN)
    if lines and broken:
        lines.insert(draw(st.integers(0, len(lines))), "a line without an equals sign")
    return "\n".join(lines) + draw(st.sampled_from(["", "\n"]))


def _trim(text: str) -> str:
    return text.strip(GO_SPACE)


def _ini_key(text: str) -> str:
    """A key that go-ini writes so that it reads it back (keys are never encrypted)."""
    key = _trim(text.replace("\n", ""))
    # sops writes such keys but cannot read them back: `#;[` start a comment or a section,
    # `-` is go-ini's auto-numbered key, and a leading U+FEFF on the file's first line is
    # taken for a byte order mark (sops -d: "empty key name")
    bad = not key or key[0] in "#;[\ufeff" or key == "-" or key.endswith(SUFFIX)
    return "k" if bad or ("`" in key and any(c in key for c in '"=:')) else key


def _written_key(key: str) -> str:
    if any(c in key for c in '"=:'):
        return f"`{key}`"
    return f'"""{key}"""' if "`" in key else key


def _clear_value_ok(value: str) -> bool:
    """go-ini writes this value so that it reads it back (`_unencrypted` values only)."""
    surrounded = len(value) >= 2 and value[0] == value[-1] and value[0] in "'\""
    spaced_quote = _trim(value) != value and '"' in value
    return '"""' not in value and not value.endswith("\\") and not surrounded and not spaced_quote


def _written_value(value: str) -> str:
    if "\n" in value or "`" in value:
        return f'"""{value}"""'
    if "#" in value or ";" in value:
        return f"`{value}`"
    return f'"{value}"' if _trim(value) != value else value


_COMMENT_CHARS = st.text(st.characters(codec="utf-8", exclude_characters='\n`"]'), max_size=8)
COMMENT_TEXT = st.one_of(
    # a comment line with nothing after its `;` or `#` is rare on purpose: as the first line of
    # a comment block it makes `sops -d` crash (go-ini panics), which ends the example early
    *[st.builds(str.__add__, st.sampled_from("ab é€[=#;"), _COMMENT_CHARS)] * 9,
    _COMMENT_CHARS,
)
RAW_VALUES = st.one_of(
    LINE,
    st.builds("`{}`".format, LINE.map(lambda t: t.replace("`", ""))),
    st.builds('"""{}"""'.format, TEXT),
    st.builds("'{}'".format, LINE),
    st.builds('"{}"'.format, LINE),
    st.builds("{}\\\n{}{}".format, LINE, INLINE, LINE),
    st.just(""),
)


@st.composite
def ini_texts(draw: st.DrawFn) -> str:
    """INI text in every syntax go-ini reads: DEFAULT keys, repeated sections and keys, `=`
    and `:`, quoted keys, backtick/triple/single/double-quoted values, continuation lines,
    comment lines and inline comments, spaces, a BOM; now and then text go-ini refuses."""
    lines = []
    for _ in range(draw(st.integers(0, 9))):
        kind = draw(st.sampled_from(["key", "key", "key", "comment", "section", "blank"]))
        indent = draw(INLINE)
        comment = draw(
            st.one_of(st.just(""), st.builds(" {}{}".format, st.sampled_from("#;"), COMMENT_TEXT))
        )
        if kind == "section":
            name = draw(LINE.map(lambda n: n if n and n != "sops" else "s"))
            lines.append(f"{indent}[{name}]{comment}")
        elif kind == "comment":
            lines.append(indent + draw(st.sampled_from(";#")) + draw(COMMENT_TEXT))
        elif kind == "blank":
            lines.append(indent)
        else:
            clear = draw(st.booleans())
            key = _ini_key(draw(TEXT)) + SUFFIX * clear
            if clear:
                value = _written_value(draw(TEXT.filter(_clear_value_ok)))
            else:
                value = draw(RAW_VALUES)
            delimiter = draw(st.sampled_from(["=", ":", " = ", " : ", "\t=  "]))
            lines.append(f"{indent}{_written_key(key)}{delimiter}{value}{comment}")
    if draw(ONE_IN_TEN) and draw(ONE_IN_TEN):
        lines.append(draw(st.sampled_from(["no delimiter", "[unclosed", "[]", "= no key"])))
    bom = "\ufeff" * (draw(ONE_IN_TEN))
    return bom + "\n".join(lines) + draw(st.sampled_from(["", "\n"]))


# -- (a) and (b) -----------------------------------------------------------------------------


@sops_settings(30)
@given(plain=json_texts())
@example(
    plain='{"a_unencrypted": [1e21, 1e-7, 0.1, -0, 123456789012345678901234567890, 1.5e300, '
    '"<>&\\u2028\\b\\f\\u0001\\u007f", {}, [], null, true], "a_unencrypted": {"x": {}}, '
    '"b": "\\ud800x", "c": {"sops": 1}} trailing text'
)
def test_json_against_sops(work: Path, plain: str) -> None:
    check_against_sops(work, "json", plain)


@sops_settings(30)
@given(plain=dotenv_texts())
@example(plain='sops=a key named sops is data\n#c\n=\nQ_unencrypted="x"\\ny\r\nE=')
def test_dotenv_against_sops(work: Path, plain: str) -> None:
    check_against_sops(work, "dotenv", plain)


@sops_settings(45)
@given(plain=ini_texts())
@example(
    plain='top = 1\n; c0\n[sec one]\n; a\n# b\nk1 = v1 ; inline\nkey_unencrypted = " sp " \n'
    'h_unencrypted = a#b\nbt_unencrypted = x`y\nempty =\neq_unencrypted = a=b:c\n"q=k" = 3\n'
    'm_unencrypted = """two\nlines""" ; after\ncont = a \\\n  b\nk1 = again\n'
    "[sec one]\n[DEFAULT]\nd: 1\n"
)
def test_ini_against_sops(work: Path, plain: str) -> None:
    check_against_sops(work, "ini", plain)


@sops_settings(8)
@given(plain=TEXT)
def test_binary_against_sops(work: Path, plain: str) -> None:
    check_against_sops(work, "binary", plain)


@pytest.mark.parametrize(
    ("fmt", "plain"),
    [
        ("json", "\ufeff{}"),  # Go does not skip a byte order mark
        ("json", '{"a": 1e400}'),  # out of float64 range
        ("json", '{"a": NaN}'),
        ("json", "[1]"),
        ("json", '{"a": 1'),
        ("dotenv", "A=1\nno equals sign\n"),
        ("ini", "[a\nk = v\n"),
        ("ini", "[]\n"),
        ("ini", "k v\n"),
        ("ini", '"" = v\n'),
        ("ini", 'k = """never closed\n'),
    ],
)
def test_what_sops_refuses_is_refused(work: Path, fmt: str, plain: str) -> None:
    check_against_sops(work, fmt, plain)


def test_values_as_dotenv_and_ini_text(work: Path) -> None:
    """sops' ValToString (non-string values in dotenv and INI), seen through `--output-type`."""
    values = "1e21, 100, 0.5, -0, 1234567, 123456, 1e-7, 0.0001, 1.5e300, true, false, null"
    flat = "{" + ", ".join(f'"k{i}": {v}' for i, v in enumerate(values.split(", "))) + "}"
    for fmt, plain in (("dotenv", flat), ("ini", f'{{"s": {flat}}}')):
        encrypted = encrypt(work, "json", plain)
        assert encrypted.returncode == 0, encrypted.stderr
        (work / "values.enc.json").write_bytes(encrypted.stdout)
        shown = sops(["-d", "--output-type", fmt, "values.enc.json"], work)
        assert shown.returncode == 0, shown.stderr
        assert emit_plain(parse_plain(plain, "json"), fmt) == shown.stdout.decode()


# -- metadata variants, indent, fixtures -----------------------------------------------------

METADATA_OPTIONS = [
    ["--mac-only-encrypted"],
    ["--unencrypted-regex", "^(x|#;<>&`)"],
    ["--encrypted-suffix", " _secret"],
    ["--shamir-secret-sharing-threshold", "1"],
]


@pytest.mark.parametrize("fmt", ["json", "dotenv", "ini", "binary"])
def test_metadata_variants_round_trip(work: Path, fmt: str) -> None:
    """Every metadata field sops can be told to write comes back out in place (two age
    recipients make a two-entry list; regex text needs JSON escapes and INI quoting)."""
    plain = {"json": '{"a": 1}', "dotenv": "A=1\n", "ini": "[s]\na = 1\n", "binary": "x"}[fmt]
    for options in METADATA_OPTIONS:
        age = ["--age", f"{recipient(1)},{recipient(2)}"]
        done = encrypt(work, fmt, plain, *age, *options)
        assert done.returncode == 0, done.stderr
        theirs = done.stdout.decode()
        assert_same_file(fmt, emit_encrypted(PARSE_ENCRYPTED[fmt](theirs), fmt), theirs)


def _scrambled(metadata: Mapping) -> Mapping:
    """The metadata as a careless builder might give it: fields reversed, an unknown field,
    empty `omitempty` fields, and `[]` where sops has a nil slice (`null`)."""
    items: list[tuple[str, Node] | Comment] = []
    for key, node in reversed([i for i in metadata.items if isinstance(i, tuple)]):
        if key == "key_groups" and isinstance(node, Sequence):
            for group in node.items:
                assert isinstance(group, Mapping)
                group.items = [
                    (k, Sequence()) if isinstance(v, Scalar) and v.value is None else (k, v)
                    for k, v in (i for i in group.items if isinstance(i, tuple))
                ]
        items.append((key, node))
    items += [("encrypted_regex", Scalar("", "str")), ("pgp", Sequence()), ("x", Scalar(1, "int"))]
    return Mapping(items=[*items, ("mac_only_encrypted", Scalar(False, "bool"))])


@pytest.mark.parametrize("fmt", ["json", "dotenv", "ini", "binary"])
def test_key_groups_and_metadata_order(tmp_path: Path, fmt: str) -> None:
    """Two key groups (Shamir) round-trip, and the metadata comes out in sops' struct order
    whatever order and extra empty fields the `sops` map is given with."""
    require_tools()
    (tmp_path / ".sops.yaml").write_text(
        "creation_rules:\n  - shamir_threshold: 2\n    key_groups:\n"
        f"      - age: [{recipient(1)}]\n      - age: [{recipient(2)}]\n"
    )
    plain = {"json": '{"a": 1}', "dotenv": "A=1\n", "ini": "[s]\na = 1\n", "binary": "x"}[fmt]
    name = f"plain.{EXTENSION[fmt]}"
    (tmp_path / name).write_text(plain)
    done = sops(["-e", name], tmp_path)
    assert done.returncode == 0, done.stderr
    theirs = done.stdout.decode()
    documents = PARSE_ENCRYPTED[fmt](theirs)
    assert_same_file(fmt, emit_encrypted(documents, fmt), theirs)
    root = documents[0].root
    assert isinstance(root, Mapping)
    root.items = [
        ("sops", _scrambled(item[1]))
        if item[0] == "sops" and isinstance(item[1], Mapping)
        else item
        for item in root.items
        if isinstance(item, tuple)
    ]
    assert_same_file(fmt, emit_encrypted(documents, fmt), theirs)


def test_json_indent_settings(tmp_path: Path) -> None:
    """`stores.json.indent` and `stores.json_binary.indent` from `.sops.yaml`."""
    require_tools()
    (tmp_path / ".sops.yaml").write_text(
        "stores:\n  json:\n    indent: 2\n  json_binary:\n    indent: 0\n"
        f"creation_rules:\n  - age: {recipient(1)}\n"
    )
    (tmp_path / "a.json").write_text('{"a": {"b": [1, {}, []]}, "c_unencrypted": [2]}')
    (tmp_path / "a.bin").write_text("binary\n")
    for name, fmt, indent in (("a.json", "json", 2), ("a.bin", "binary", 0)):
        done = sops(["-e", name], tmp_path)
        assert done.returncode == 0, done.stderr
        theirs = done.stdout.decode()
        assert emit_encrypted(PARSE_ENCRYPTED[fmt](theirs), fmt, indent) == theirs
        assert emit_encrypted(PARSE_ENCRYPTED[fmt](theirs), fmt, " " * indent) == theirs


@pytest.mark.parametrize(
    ("name", "fmt"), [("example.enc.json", "json"), ("example.enc.env", "dotenv")]
)
def test_fixtures_round_trip(name: str, fmt: str) -> None:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    assert emit_encrypted(PARSE_ENCRYPTED[fmt](text), fmt) == text


# -- (d) an edited tree is still a file sops reads -------------------------------------------

EDIT_PLAINTEXTS = {
    "ini": "top = 1\n; about a\n[s]\na = one\nb = two\n",
    "binary": "the whole file\n",
}


def _encrypted_sample(work: Path, fmt: str) -> str:
    if fmt == "json":
        return (FIXTURES / "example.enc.json").read_text(encoding="utf-8")
    if fmt == "dotenv":
        return (FIXTURES / "example.enc.env").read_text(encoding="utf-8")
    done = encrypt(work, fmt, EDIT_PLAINTEXTS[fmt])
    assert done.returncode == 0, done.stderr
    return done.stdout.decode()


def _enc_scalars(node: Mapping) -> list[Scalar]:
    """The `ENC[...]` string values of a map and the maps below it, in order."""
    found = []
    for item in node.items:
        if isinstance(item, tuple) and item[0] != "sops":
            child = item[1]
            if isinstance(child, Mapping):
                found += _enc_scalars(child)
            elif isinstance(child, Scalar) and str(child.value).startswith("ENC["):
                found.append(child)
    return found


@pytest.mark.parametrize("fmt", ["json", "dotenv", "ini", "binary"])
def test_edited_tree_is_read_by_sops(work: Path, fmt: str) -> None:
    """Re-emitted unchanged, the file decrypts; with one value swapped for another key's
    ciphertext, sops reads it and fails authentication (25) or the MAC (51), not the parse."""
    text = _encrypted_sample(work, fmt)
    documents = PARSE_ENCRYPTED[fmt](text)
    assert decrypt(work, fmt, emit_encrypted(documents, fmt)).returncode == 0
    root = documents[0].root
    assert isinstance(root, Mapping)
    values = _enc_scalars(root)
    if fmt == "binary":  # one value only: take the MAC's ciphertext
        metadata = root.get("sops")
        assert isinstance(metadata, Mapping)
        mac = metadata.get("mac")
        assert isinstance(mac, Scalar)
        values.append(mac)
    assert len(values) >= 2
    values[0].value = values[1].value
    done = decrypt(work, fmt, emit_encrypted(documents, fmt))
    assert done.returncode in (25, 51), done.stderr
    assert b"Error unmarshalling" not in done.stderr
