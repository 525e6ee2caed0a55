"""emit_yaml writes sops' canonical YAML: the fixtures byte for byte, and whatever `sops -d`
gives back after a real `sops -e` of our output."""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TypeVar

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.nodes import Node as YamlNode

from tuiops.gitops.sops.emit import emit_yaml
from tuiops.gitops.sops.goyaml import resolve_plain
from tuiops.gitops.sops.tree import Comment, Document, Mapping, Node, Scalar, Sequence

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sops"
SOPS = Path(sys.executable).parent / "sops"
KEYS = FIXTURES / "keys"
T = TypeVar("T")


# -- a test-only reader: canonical sops YAML text -> tree -------------------------------------


Anchor = tuple[int, int, Mapping | Sequence, int]
"""Line and column of a key or of an item's dash, its container, and its index there."""


def _to_tree(node: YamlNode, anchors: list[Anchor]) -> Node:
    """Build the tree; record (line, column, container items, index) for each key or item."""
    if isinstance(node, ScalarNode):
        if node.style is None and node.tag == "tag:yaml.org,2002:str":
            kind, value = resolve_plain(node.value)
            return Scalar(value, kind)
        return Scalar(node.value, "str")
    if isinstance(node, SequenceNode):
        sequence = Sequence()
        for item in node.value:
            # In block style the dash sits two columns before the item's content.
            mark = item.start_mark
            anchors.append((mark.line, mark.column - 2, sequence, len(sequence.items)))
            sequence.items.append(_to_tree(item, anchors))
        return sequence
    assert isinstance(node, MappingNode)
    mapping = Mapping()
    for key, value in node.value:
        mark = key.start_mark
        anchors.append((mark.line, mark.column, mapping, len(mapping.items)))
        mapping.items.append((key.value, _to_tree(value, anchors)))
    return mapping


def _outdented(lines: list[str], start: int, end: int, column: int) -> bool:
    """Whether a content line in lines[start:end] starts left of `column` (another block)."""
    for line in lines[start:end]:
        stripped = line.lstrip(" ")
        if stripped and not stripped.startswith("#") and len(line) - len(stripped) < column:
            return True
    return False


def parse_canonical(text: str) -> list[Document]:
    """Documents of a file in sops' canonical form, with its whole-line comments placed before
    the key or item that follows at the same column, or after the last one at that column."""
    documents = []
    lines = text.split("\n")
    starts = [0] + [n + 1 for n, line in enumerate(lines) if line == "---"] + [len(lines)]
    for number, node in enumerate(yaml.compose_all(text, Loader=yaml.BaseLoader)):
        anchors: list[Anchor] = []
        root = _to_tree(node, anchors)
        assert isinstance(root, Mapping)
        inserts: list[tuple[Mapping | Sequence, int, int, Comment]] = []
        for line_no in range(starts[number], starts[number + 1] - 1):
            stripped = lines[line_no].lstrip(" ")
            if not stripped.startswith("#"):
                continue
            column = len(lines[line_no]) - len(stripped)
            after = [
                a
                for a in anchors
                if a[0] > line_no
                and a[1] == column
                and not _outdented(lines, line_no + 1, a[0], column)
            ]
            before = [
                a
                for a in anchors
                if a[0] < line_no
                and a[1] == column
                and not _outdented(lines, a[0] + 1, line_no, column)
            ]
            container: Mapping | Sequence = root
            index = len(root.items)
            if after:
                container, index = after[0][2], after[0][3]
            elif before:
                container, index = before[-1][2], before[-1][3] + 1
            inserts.append((container, index, line_no, Comment(stripped[1:])))
        for container, index, _line, comment in sorted(
            inserts, key=lambda i: (i[1], i[2]), reverse=True
        ):
            container.items.insert(index, comment)
        documents.append(Document(root))
    return documents


# -- fixtures: sops' own output, byte for byte -------------------------------------------------

DECRYPTED = [
    FIXTURES / "decrypted" / name
    for name in (
        "clusterenv.yaml",
        "app.secret.yaml",
        "types.yaml",
        "app.secret.maconly.yaml",
        "clusterenv.edit-radarr.yaml",
        "clusterenv.regex-maconly.yaml",
        "clusterenv.set-plex-ip.yaml",
        "clusterenv.two-recipients.yaml",
        "types.edit-noop-value.yaml",
    )
]
REPO_FILES = [
    FIXTURES / "decrypted" / "repo" / "clusters" / "main" / rel
    for rel in (
        "clusterenv.yaml",
        "secrets/cluster-settings.sops.yaml",
        "kubernetes/apps/radarr/app/radarr.secret.yaml",
        "kubernetes/apps/radarr/app/values.yaml",
    )
]


def test_sops_and_fixtures_are_present() -> None:
    assert SOPS.is_file(), f"sops binary missing at {SOPS}"
    for path in [*DECRYPTED, *REPO_FILES, KEYS / "age-test-1.txt", KEYS / "age-test-1.pub"]:
        assert path.is_file(), f"fixture missing: {path}"


@pytest.mark.parametrize("path", DECRYPTED, ids=lambda p: p.name)
def test_decrypted_fixture_round_trips(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert emit_yaml(parse_canonical(text), 4) == text


@pytest.mark.parametrize("path", REPO_FILES, ids=lambda p: p.name)
def test_two_space_repo_fixture_round_trips(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert emit_yaml(parse_canonical(text), 2) == text


def _str(value: str) -> Scalar:
    return Scalar(value, "str")


def _types_tree() -> Document:
    """decrypted/types.yaml, built by hand."""
    s, c = _str, Comment
    nested = Mapping(
        [
            c(" comment inside a map"),
            c(" trailing comment (moved to its own line by sops 3.11)"),
            ("key", s("value")),
            (
                "list",
                Sequence(
                    [
                        c(
                            " comment inside a list (sops 3.11 stores it as an encrypted list"
                            " item of type comment)"
                        ),
                        s("item0"),
                        Scalar(7, "int"),
                        Mapping([("sub", s("in-list-map"))]),
                        Sequence([s("nested-list")]),
                    ]
                ),
            ),
        ]
    )
    return Document(
        Mapping(
            [
                c(" edge cases for typing, AAD and MAC"),
                ("label", s("original")),
                ("an_int", Scalar(42, "int")),
                ("hex_int", Scalar(31, "int")),
                ("a_float", Scalar(1.5, "float")),
                ("whole_float", Scalar(2.0, "float")),
                ("exp_float", Scalar(1500.0, "float")),
                ("tiny_float", Scalar(0.000001, "float")),
                ("big_float", Scalar(1e21, "float")),
                ("infinite", Scalar(math.inf, "float")),
                ("t", Scalar(True, "bool")),
                ("f", Scalar(False, "bool")),
                ("quoted_number", s("12345")),
                ("quoted_bool", s("yes")),
                ("date", Scalar(dt.datetime(2024, 1, 1, tzinfo=dt.UTC), "time")),
                ("timestamp", Scalar(dt.datetime(2024, 1, 1, 10, tzinfo=dt.UTC), "time")),
                ("empty", s("")),
                ("nothing", Scalar(None, "null")),
                ("note_unencrypted", s("stays plaintext but is covered by the MAC")),
                ("multiline", s("first line\nsecond line\n")),
                ("nested", nested),
            ]
        )
    )


def test_hand_built_types_tree_gives_the_fixture() -> None:
    expected = (FIXTURES / "decrypted" / "types.yaml").read_text(encoding="utf-8")
    assert emit_yaml([_types_tree()]) == expected


def test_hand_built_secret_with_two_space_indent() -> None:
    s = _str
    tree = Mapping(
        [
            ("apiVersion", s("v1")),
            ("metadata", Mapping([("name", s("radarr-secrets")), ("namespace", s("media"))])),
            (
                "stringData",
                Mapping(
                    [
                        ("RADARR__API_KEY", s("4f6d1c2b8a9e4b7c9d0e1f2a3b4c5d6e")),
                        ("RADARR__POSTGRES_PASSWORD", s("pg-pass-Very$ecret")),
                    ]
                ),
            ),
            ("type", s("Opaque")),
        ]
    )
    expected = (REPO_FILES[2]).read_text(encoding="utf-8").replace("kind: Secret\n", "")
    assert emit_yaml([Document(tree)], 2) == expected


def test_encrypted_tokens_and_list_comment_items_are_plain() -> None:
    token = "ENC[AES256_GCM,data:3A==,iv:b5+Z0H/=,tag:b27P==,type:comment]"
    tree = Mapping(
        [
            Comment(token),
            ("a", Sequence([Scalar(token, "comment"), Scalar("x", "str")])),
            ("b", Sequence([Scalar(" decrypted list comment", "comment"), Scalar(1, "int")])),
        ]
    )
    assert emit_yaml([Document(tree)]) == (
        f"#{token}\na:\n    - {token}\n    - x\nb:\n    # decrypted list comment\n    - 1\n"
    )


def test_layout_rules() -> None:
    s = _str
    tree = Mapping(
        [
            ("empty_map", Mapping()),
            ("empty_list", Sequence()),
            ("items", Sequence([Mapping([("k", s("v")), ("j", Sequence([s("x")]))]), Mapping()])),
            ("nested", Sequence([Sequence([Sequence([s("deep")])]), Sequence()])),
            ("keep", s("a\n\n")),
            ("strip", s("a\nb")),
            ("long", s("word " * 40 + "end")),
        ]
    )
    assert emit_yaml([Document(tree), Document(Mapping([("second", s("doc"))]))]) == (
        "empty_map: {}\nempty_list: []\nitems:\n    - k: v\n      j:\n        - x\n    - {}\n"
        "nested:\n    - - - deep\n    - []\nkeep: |+\n    a\n\nstrip: |-\n    a\n    b\n"
        f"long: {'word ' * 40}end\n---\nsecond: doc\n"
    )


# -- samples written by sops 3.11 itself (`sops -d` after `sops -e`) ----------------------------

SOPS_SAMPLES = {
    "trailing comments": (
        "a:\n    b:\n        c: 1\n        # trailing in b\n    # trailing in a\n# trailing top\n"
    ),
    "list comments": (
        "l:\n    - a\n    # before b\n    - b\n    # before map\n    - k: 1\n      # inside map\n"
        "      j: 2\n    # before seq\n    - - 1\n      # inside seq\n      - 2\n# last\n"
    ),
    "trailing list comments": (
        "a:\n    - x\n    # trailing in list\nb:\n    - k: v\n      # trailing in map item\n"
        "# trailing in list after map\nc: 1\n"
    ),
    "moved inline comments": (
        "# inline a\na: x\n# inline b\nb:\n    c: 1\nd:\n    # inline item\n    - 1\n"
    ),
    "documents": "k: v\n---\n# doc2 head\nk: w\n# doc2 tail\n---\nk: z\n",
    "explicit keys": (
        f"? {'k' * 129}\n: v\n? {'k' * 130}\n:   a: 1\n? {'k' * 131}\n:   - 1\n"
        "? |-\n    multi\n    line\n: 2\n? |-\n    multi\n    line2\n:   b: 3\n"
    ),
    "block hints": (
        'z: |4-\n     lead\n    x\nw: |\n    a\n"n": |4+\n\n    x\n\nt: |-\n    a\n    \tb\n'
        "u: 'x\u2028    y'\n"
    ),
    "odd strings": (
        'a: "\\U0001F600x"\nb: "\\uFEFF\\x61\\x62"\nd: "a \\nb"\nf: \u00a0x\u00a0\n'
        'g: "\\N"\nh: "\\N\\x01"\n'
    ),
}


@pytest.mark.parametrize("text", SOPS_SAMPLES.values(), ids=SOPS_SAMPLES.keys())
def test_sops_samples_round_trip(text: str, tmp_path: Path) -> None:
    assert _sops_round_trip(text, tmp_path) == text  # the sample is sops' own canonical text
    assert emit_yaml(parse_canonical(text)) == text


def test_a_block_go_yaml_cannot_reread_becomes_null(tmp_path: Path) -> None:
    # sops itself writes `null` for a multi-line string whose first line starts with a tab.
    assert _sops_round_trip('e: "\\tB\\n"\nk: v\n', tmp_path) == "e: null\nk: v\n"
    tree = Mapping([("e", Scalar("\tB\n", "str")), ("k", Scalar("v", "str"))])
    assert emit_yaml([Document(tree)]) == "e: null\nk: v\n"


# -- interop: whatever we write, sops writes back the same bytes --------------------------------


def _sops_round_trip(text: str, folder: Path, indent: int = 4) -> str:
    """`sops -e` then `sops -d` of `text`: sops' canonical form of what it read."""
    plain = folder / "plain.yaml"
    plain.write_text(text, encoding="utf-8")
    env = {
        **os.environ,
        "SOPS_AGE_KEY_FILE": str(KEYS / "age-test-1.txt"),
        "SOPS_DISABLE_VERSION_CHECK": "1",
    }
    recipient = (KEYS / "age-test-1.pub").read_text(encoding="utf-8").strip()
    if indent == 4:
        command = [str(SOPS), "-e", "--age", recipient, str(plain)]
    else:  # the indent comes from .sops.yaml only
        config = f"stores:\n  yaml:\n    indent: {indent}\ncreation_rules:\n  - age: {recipient}\n"
        (folder / ".sops.yaml").write_text(config, encoding="utf-8")
        command = [str(SOPS), "-e", str(plain)]
    sealed = subprocess.run(command, env=env, cwd=folder, capture_output=True, check=False)
    assert sealed.returncode == 0, sealed.stderr.decode()
    encrypted = folder / "sealed.yaml"
    encrypted.write_bytes(sealed.stdout)
    opened = subprocess.run(
        [str(SOPS), "-d", str(encrypted)], env=env, cwd=folder, capture_output=True, check=False
    )
    assert opened.returncode == 0, opened.stderr.decode()
    return opened.stdout.decode("utf-8")


_TEXT = st.text(
    st.sampled_from(
        [
            *"abcXYZ019 _-.:#'\"!&*?|>,[]{}%@`~\t\\/=+$",
            *("é", "€", "你", "😀", "\u00a0", "\x01", "\x7f", "\x85", "\ufeff", "\u2028"),
        ]
    ),
    max_size=10,
)
_WORDS = st.sampled_from(
    [
        "yes", "no", "on", "y", "n", "True", "null", "~", "1e3", "0x10", "017", "08", "+1",
        ".5", "1_000", "12:30", "2024-01-01", "2024-01-01T10:00:00Z", "-", "---", "a: b",
        "a #b", " lead", "trail ", "it's", "ENC[AES256_GCM,data:Zm9v,iv:YmFy,tag:YmF6,type:str]",
    ]
)  # fmt: skip
_MULTILINE = (
    st.lists(st.text(st.sampled_from(list("ab #:-'\t ")), max_size=6), min_size=2, max_size=4)
    .map("\n".join)
    # Inside a list go-yaml writes a block it cannot read back when the first line starts with
    # a space or a break (its `|4` hint then counts from the wrong column).
    .filter(lambda s: s[:1] not in (" ", "\n"))
)
_TIMES = st.datetimes(
    min_value=dt.datetime(1000, 1, 1),
    max_value=dt.datetime(9999, 12, 31),
    timezones=st.sampled_from(
        [
            dt.UTC,
            dt.timezone(dt.timedelta(hours=2)),
            dt.timezone(dt.timedelta(hours=-9, minutes=-30)),
        ]
    ),
)
_SCALARS = st.one_of(
    (_TEXT | _WORDS).map(lambda v: Scalar(v, "str")),
    _MULTILINE.map(lambda v: Scalar(v, "str")),
    st.integers(-(2**63), 2**63 - 1).map(lambda v: Scalar(v, "int")),
    # -0.0 is left out: go-yaml writes `-0`, which reads back as the int 0.
    st.floats()
    .filter(lambda f: f != 0 or math.copysign(1, f) > 0)
    .map(lambda v: Scalar(v, "float")),
    st.booleans().map(lambda v: Scalar(v, "bool")),
    st.just(Scalar(None, "null")),
    _TIMES.map(lambda v: Scalar(v, "time")),
)
# A comment line must not be empty inside a list: sops 3.11 turns an empty list comment into the
# item `""`. Comments go before keys and items; trailing ones only at the top level, since sops
# moves nested trailing comments when it reads them back.
_COMMENT = st.text(st.sampled_from(list("ab #-:x é")), min_size=1, max_size=8).map(Comment)
_KEYS = _TEXT | _WORDS | st.sampled_from(["k" * 129, "multi\nline", "ÿ" * 70])


def _interleave(heads: list[list[Comment]], items: list[T]) -> list[T | Comment]:
    out: list[T | Comment] = []
    for head, item in zip(heads, items, strict=True):
        out.extend(head)
        out.append(item)
    return out


def _with_comments(items: list[T]) -> st.SearchStrategy[list[T | Comment]]:
    heads = st.lists(st.lists(_COMMENT, max_size=2), min_size=len(items), max_size=len(items))
    return heads.map(lambda hs: _interleave(hs, items))


def _entries(
    children: st.SearchStrategy[Node], keys: st.SearchStrategy[str] = _KEYS
) -> st.SearchStrategy[list[tuple[str, Node] | Comment]]:
    pairs = st.lists(st.tuples(keys, children), max_size=4, unique_by=lambda e: e[0])
    return pairs.flatmap(_with_comments)


def _collections(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    sequences = st.lists(children, max_size=4).flatmap(_with_comments).map(Sequence)
    return _entries(children).map(Mapping) | sequences


_NODES = st.recursive(_SCALARS, _collections, max_leaves=14)
_ROOTS = st.tuples(
    _entries(_NODES, _KEYS.filter(lambda k: k != "sops")),  # `sops` is the metadata key
    st.lists(_COMMENT, max_size=2),
).map(lambda parts: Mapping([*parts[0], *parts[1]]))
_DOCUMENTS = st.lists(_ROOTS.map(Document), min_size=1, max_size=2)


def _canonical_shape(text: str) -> bool:
    """False where go-yaml writes a comment on the line of a `- ` or `: ` indicator (the first
    item of a list inside a list, or of a map under an explicit `? key`, opening with comments):
    sops reads that comment back one line up, so for such trees no text is stable."""
    return re.search(r"^ *([-:] +)+#", text, re.MULTILINE) is None


@pytest.mark.slow
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_DOCUMENTS)
def test_sops_writes_back_exactly_what_we_emit(documents: list[Document]) -> None:
    text = emit_yaml(documents)
    assume(_canonical_shape(text))
    with tempfile.TemporaryDirectory() as folder:
        assert _sops_round_trip(text, Path(folder)) == text


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_DOCUMENTS)
def test_sops_writes_back_exactly_what_we_emit_with_indent_2(documents: list[Document]) -> None:
    text = emit_yaml(documents, 2)
    assume(_canonical_shape(text))
    with tempfile.TemporaryDirectory() as folder:
        assert _sops_round_trip(text, Path(folder), indent=2) == text
