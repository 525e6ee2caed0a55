"""The fast YAML reader builds exactly PyYAML's tree, or gives up; comments are placed in n log n.

The oracle is the PyYAML path of `parse.py` (`_parse_with_pyyaml`): for every text the fast
reader accepts, both give the same nodes, spans, styles, anchors and comment items. Comment
placement is checked against a copy of the quadratic algorithm it replaced.

Run as a script for timings (n and 4n keys): `.venv/bin/python -m tests.sops.test_fastyaml`.
"""

from __future__ import annotations

import math
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sops.strategies import FIXTURES, documents, recipient, run_sops, secrets
from tuiops.gitops.sops import parse
from tuiops.gitops.sops.emit import emit_yaml
from tuiops.gitops.sops.errors import SopsFormatError
from tuiops.gitops.sops.fastyaml import Anchor, Reading, read_fast
from tuiops.gitops.sops.tree import Comment, Document, Mapping, Node, Scalar, Sequence, Span

_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_RAW_BREAKS = ("\u2028", "\u2029")
"""go-yaml writes these raw inside single quotes; libyaml counts them as line breaks."""


# -- comparing trees -------------------------------------------------------------------------


def _same_value(left: object, right: object) -> bool:
    if isinstance(left, float) and isinstance(right, float) and math.isnan(left):
        return math.isnan(right)
    return type(left) is type(right) and left == right


def assert_same_tree(left: Node, right: Node) -> None:
    """Node by node (iteratively: trees may be 10,000 levels deep): types, values, kinds,
    styles, spans, map indents and key spans, and comment items in place."""
    stack: list[tuple[object, object, str]] = [(left, right, "$")]
    while stack:
        one, two, path = stack.pop()
        assert type(one) is type(two), f"{path}: {one!r:.80} vs {two!r:.80}"
        if isinstance(one, Scalar | Comment):
            assert isinstance(two, Scalar | Comment)
            assert one.span == two.span, path
            if isinstance(one, Comment):
                assert one == two, path
                continue
            assert isinstance(two, Scalar)
            assert (one.kind, one.style) == (two.kind, two.style), path
            assert _same_value(one.value, two.value), f"{path}: {one.value!r} vs {two.value!r}"
            continue
        assert isinstance(one, Mapping | Sequence) and isinstance(two, Mapping | Sequence)
        assert one.span == two.span, path
        if isinstance(one, Mapping) and isinstance(two, Mapping):
            assert one.indent == two.indent, path
            assert list(one.key_spans.items()) == list(two.key_spans.items()), path
        assert len(one.items) == len(two.items), f"{path}: {one.items!r:.200}"
        for index, (first, second) in enumerate(zip(one.items, two.items, strict=True)):
            if isinstance(first, tuple):
                assert isinstance(second, tuple) and first[0] == second[0], f"{path}[{index}]"
                stack.append((first[1], second[1], f"{path}.{first[0]}"))
            else:
                stack.append((first, second, f"{path}[{index}]"))


def _anchor_keys(anchors: list[Anchor]) -> list[tuple[object, ...]]:
    return [(a.line, a.column, a.index, type(a.container), a.container.span) for a in anchors]


def assert_same_reading(fast: Reading, slow: Reading) -> None:
    """The same documents, anchors (in order) and multi-line-scalar lines."""
    assert len(fast.documents) == len(slow.documents)
    for mine, theirs in zip(fast.documents, slow.documents, strict=True):
        assert_same_tree(mine.root, theirs.root)
    assert _anchor_keys(fast.anchors) == _anchor_keys(slow.anchors)
    assert fast.scalar_lines == slow.scalar_lines


def _placed(text: str, reading: Reading, place: Callable[..., None]) -> list[Document]:
    if reading.documents:
        place(reading.documents, reading.anchors, parse._comment_lines(text, reading.scalar_lines))
    return reading.documents


def _with_pyyaml(text: str) -> list[Document]:
    """What `parse_yaml` gives through its PyYAML path."""
    return _placed(text, parse._parse_with_pyyaml(text), parse._place_per_document)


def assert_fast_equals_pyyaml(text: str) -> None:
    """The fast reader accepts `text` and matches the PyYAML path, before and after comments."""
    fast = read_fast(text)
    assert fast is not None, f"fell back on {text[:300]!r}"
    slow = parse._parse_with_pyyaml(text)
    assert_same_reading(fast, slow)
    placed = _placed(text, fast, parse._place_per_document)
    for mine, theirs in zip(placed, _with_pyyaml(text), strict=True):
        assert_same_tree(mine.root, theirs.root)
    for mine, theirs in zip(parse.parse_yaml(text), placed, strict=True):
        assert_same_tree(mine.root, theirs.root)


# -- the quadratic comment placement this replaced (the oracle for the linear one) -----------


def _old_following(by_line: list[Anchor], line: int, column: int) -> list[Anchor]:
    for anchor in by_line:
        if anchor.line <= line:
            continue
        if anchor.column < column:
            return []
        if anchor.column == column:
            return [anchor]
    return []


def _old_place(root: Node, anchors: list[Anchor], comments: list[Any]) -> None:
    inserts: dict[int, list[tuple[int, int, Comment]]] = {}
    containers: dict[int, Mapping | Sequence] = {}
    by_line = sorted(anchors, key=lambda a: (a.line, a.column))
    for line, column, body, offset in comments:
        comment = Comment(body, Span(offset, offset + len(body) + 1, line))
        same_line = [a for a in by_line if a.line == line and a.column < column]
        following = _old_following(by_line, line, column)
        preceding = [a for a in by_line if a.line < line and a.column == column]
        if same_line:
            anchor, position = same_line[-1], same_line[-1].index
        elif following:
            anchor, position = following[0], following[0].index
        elif preceding:
            anchor, position = preceding[-1], preceding[-1].index + 1
        elif isinstance(root, Mapping | Sequence):
            containers[id(root)] = root
            inserts.setdefault(id(root), []).append((len(root.items), line, comment))
            continue
        else:
            continue
        containers[id(anchor.container)] = anchor.container
        inserts.setdefault(id(anchor.container), []).append((position, line, comment))
    for key, pending in inserts.items():
        for position, _line, comment in sorted(pending, key=lambda p: (p[0], p[1]), reverse=True):
            containers[key].items.insert(position, comment)


def _old_place_per_document(docs: list[Document], anchors: list[Anchor], found: list[Any]) -> None:
    starts = [d.root.span.line if d.root.span else 1 for d in docs]
    for number, document in enumerate(docs):
        first = starts[number]
        last = starts[number + 1] if number + 1 < len(docs) else 10**9
        mine = [c for c in found if (number == 0 or c[0] >= first) and c[0] < last]
        _old_place(document.root, [a for a in anchors if first <= a.line < last], mine)


def assert_placement_as_before(text: str) -> None:
    """The linear placement puts every comment where the quadratic one did (PyYAML tree)."""
    new = _placed(text, parse._parse_with_pyyaml(text), parse._place_per_document)
    old = _placed(text, parse._parse_with_pyyaml(text), _old_place_per_document)
    for mine, theirs in zip(new, old, strict=True):
        assert_same_tree(mine.root, theirs.root)


# -- generated documents, fixtures, hand-made texts ------------------------------------------


@_SETTINGS
@given(documents, st.sampled_from([2, 4]), st.booleans())
def test_fast_reader_matches_pyyaml_on_generated_documents(
    doc: Any, indent: int, two_documents: bool
) -> None:
    text = emit_yaml([Document(doc.root)] * (2 if two_documents else 1), indent)
    if any(char in text for char in _RAW_BREAKS):
        assert read_fast(text) is None
    else:
        assert_fast_equals_pyyaml(text)
    assert_placement_as_before(text)


@_SETTINGS
@given(secrets, st.sampled_from([2, 4]))
def test_fast_reader_matches_pyyaml_on_secrets(doc: Any, indent: int) -> None:
    text = emit_yaml([Document(doc.root)], indent)
    if not any(char in text for char in _RAW_BREAKS):
        assert_fast_equals_pyyaml(text)


_FIXTURE_FILES = sorted(p for p in FIXTURES.rglob("*.yaml") if p.is_file())


@pytest.mark.parametrize("path", _FIXTURE_FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_fixture_is_read_fast_and_the_same(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert_fast_equals_pyyaml(text)
    assert_placement_as_before(text)


def test_fixtures_are_found() -> None:
    assert len(_FIXTURE_FILES) >= 40
    assert any(p.name == ".sops.yaml" for p in _FIXTURE_FILES)


_FAST = [
    "a: 1\nb:\n  - x\n  - y\nc: {}\nd: []\n",
    "- a\n- - b\n  - c\n- k: v\n  j:\n-\n- {}\n",
    "a: |-\n  x\n\n  y\n\n\nb: |+\n  z\n\nc: |2\n   lead\nd: |\n  x\n   \n  \ne: 1",
    "a:\n  - |4-\n       x\n  - k: |2\n       y\n",
    "'it''s': \"\\x41\\u00e9\\U0001F389\\t\\\\\" # c\n"
    "\"k: v\": 'x # y' # z\nk\u00e9: \U0001f389y\nbom: x\ufeff # \ufeff\n",
    "a: x #c\nb: x#c\nc: -1\nd: ?x\ne: :x\nf: x:y\ng:   \nh: # c\n  - 1\n",
    "a: 1\n# c\n---\n# d\nb: 2\n# e\n",
    "---\na:\n    b: 1\n    # tail\nc:\n    - x # inline\n    # foot\n",
    "-\n  # c\n  m: 1\n- # d\n  - a\n",
]


@pytest.mark.parametrize("text", _FAST)
def test_hand_made_texts_in_the_subset_are_read_fast(text: str) -> None:
    assert_fast_equals_pyyaml(text)
    assert_placement_as_before(text)


_FALLBACK = {
    "anchor and alias": ("a: &x 1\nb: *x\n", {"a": 1, "b": 1}),
    "tag": ("a: !!str 1\nb: !!int '2'\n", {"a": "1", "b": 2}),
    "folded": ("a: >\n  x\n  y\n", {"a": "x y\n"}),
    "flow map with content": ("a: {b: 1, c: [x]}\n", {"a": {"b": 1, "c": ["x"]}}),
    "multi-line plain": ("a: x\n  y\nb: 2\n", {"a": "x y", "b": 2}),
    "multi-line quoted": ('a: "x\n  y"\n', {"a": "x y"}),
    "explicit key": ("? a\n: 1\n", {"a": 1}),
    "indentless list": ("a:\n- x\n- y\n", {"a": ["x", "y"]}),
    "BOM": ("\ufeffa: 1\n", {"a": 1}),
    "CRLF": ("a: 1\r\nb: x\r\n", {"a": 1, "b": "x"}),
    "line separator": ("a: 'x\u2028y'\n", {"a": "x\u2028y"}),
    "directive": ("%YAML 1.1\n---\na: 1\n", {"a": 1}),
    "document end": ("a: 1\n...\n", {"a": 1}),
    "tab before value": ("a:\tx\n", {"a": "x"}),
    "duplicate key": ("a: 1\na: 2\n", None),
}


def _plain(node: Node) -> object:
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, Mapping):
        return {item[0]: _plain(item[1]) for item in node.items if isinstance(item, tuple)}
    return [_plain(item) for item in node.items if not isinstance(item, Comment)]


@pytest.mark.parametrize("case", sorted(_FALLBACK))
def test_texts_outside_the_subset_fall_back_to_pyyaml(case: str) -> None:
    text, expected = _FALLBACK[case]
    assert read_fast(text) is None
    parsed = parse.parse_yaml(text)
    assert_same_tree(parsed[0].root, _with_pyyaml(text)[0].root)
    if expected is not None:
        assert _plain(parsed[0].root) == expected


def test_invalid_yaml_is_one_line_format_error() -> None:
    with pytest.raises(SopsFormatError, match=r"^line 2: not valid YAML \(.*\)$"):
        parse.parse_yaml("a: 1\n b: [\n")


def test_reading_sops_files_does_not_import_pyyaml() -> None:
    fixture = FIXTURES / "clusterenv.enc.yaml"
    code = (
        "import sys, tuiops.gitops.sops.files, tuiops.gitops.sops.decrypt\n"
        "from tuiops.gitops.sops.parse import parse_yaml\n"
        "assert 'yaml' not in sys.modules\n"
        f"parse_yaml(open({str(fixture)!r}, encoding='utf-8').read())\n"
        "assert 'yaml' not in sys.modules\n"
        "parse_yaml('a: &x 1\\n')\n"
        "assert 'yaml' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# -- deep nesting ----------------------------------------------------------------------------


def _nested_maps(depth: int, indent: int = 2) -> str:
    lines = [" " * (indent * level) + f"k{level}:" for level in range(depth)]
    return "\n".join([*lines, " " * (indent * depth) + "leaf: 1", ""])


def test_500_levels_of_maps_parse_in_both_paths() -> None:
    text = _nested_maps(500)
    assert_fast_equals_pyyaml(text)
    limit = sys.getrecursionlimit()
    deeper = _nested_maps(900)  # the builder recurses once a level: more than the default room
    assert_fast_equals_pyyaml(deeper)
    assert sys.getrecursionlimit() == limit


def test_500_levels_as_sops_writes_them(tmp_path: Path) -> None:
    (tmp_path / "deep.yaml").write_text(_nested_maps(500), encoding="utf-8")
    encrypted = run_sops(["-e", "--age", recipient(1), "deep.yaml"], tmp_path).stdout
    assert_fast_equals_pyyaml(encrypted)
    assert len(parse.parse_yaml(encrypted)) == 1


def test_deeper_than_sops_reads_is_a_format_error_in_both_paths() -> None:
    text = "- " * 10_001 + "x\n"
    with pytest.raises(SopsFormatError, match=r"^line 1: nested deeper than 10000 levels$"):
        parse.parse_yaml(text)
    with pytest.raises(SopsFormatError) as raised:  # libyaml stops at 1,000 levels
        parse._parse_with_pyyaml(text)
    assert "\n" not in str(raised.value)


# -- linear time, counted in executed lines (never in seconds) -------------------------------


def _sized_text(keys: int) -> str:
    """`keys` entries, each after a comment, half of them maps with a nested comment."""
    parts = []
    for n in range(keys):
        parts.append(f"# entry {n}\nK{n}: ENC[AES256_GCM,data:{n:08d},type:str]\n")
        if n % 2:
            parts.append(f"M{n}:\n    # inner {n}\n    a: 1\n    b: 'x' # inline\n")
    return "".join(parts)


def _opcodes_run(action: Callable[[], object]) -> int:
    """Python bytecodes executed by `action`: a count of work that no machine load changes."""
    count = 0

    def trace(frame: FrameType, event: str, arg: object) -> Any:
        nonlocal count
        if event == "call":
            frame.f_trace_opcodes = True
        count += event == "opcode"
        return trace

    sys.settrace(trace)
    try:
        action()
    finally:
        sys.settrace(None)
    return count


def _readings(text: str) -> tuple[Reading, list[Any]]:
    reading = parse._parse_with_pyyaml(text)
    return reading, parse._comment_lines(text, reading.scalar_lines)


def test_parsing_and_placing_comments_take_linear_work() -> None:
    small, large = _sized_text(25), _sized_text(100)
    work = [_opcodes_run(partial(parse.parse_yaml, text)) for text in (small, large)]
    assert work[1] / work[0] < 4.5  # 4x the text, 4x the work (measured: 4.1)
    for place, low, high in (
        (parse._place_per_document, 3.5, 4.5),
        (_old_place_per_document, 12, 20),
    ):
        work = []
        for text in (small, large):
            reading, comments = _readings(text)
            work.append(_opcodes_run(partial(place, reading.documents, reading.anchors, comments)))
        assert low < work[1] / work[0] < high  # the old one: n squared (measured: 14.9)


# -- benchmark (not a test): python -m tests.sops.test_fastyaml ------------------------------


def _best_ms(action: Callable[[], object], runs: int) -> float:
    best = math.inf
    for _ in range(runs):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main() -> None:
    """Print parse times: the 500-key clusterenv size, then n and 4n keys (fast and PyYAML)."""
    for keys in (500, 5_000, 20_000, 50_000, 200_000):
        text = _sized_text(keys)
        runs = 20 if keys <= 5_000 else 3
        fast = _best_ms(partial(parse.parse_yaml, text), runs)
        slow = _best_ms(partial(_with_pyyaml, text), runs)
        size = len(text) / 1e6
        print(f"{keys:>7} keys, {size:6.2f} MB: fast {fast:8.1f} ms, PyYAML {slow:8.1f} ms")


if __name__ == "__main__":
    main()
