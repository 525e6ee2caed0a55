"""The tolerant YAML loader: real-repo quirks are read, hostile input never raises."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tuiops.gitops.yamldocs import load_documents


def test_duplicate_anchor_is_read_as_yaml_1_2_and_reported() -> None:
    loaded = load_documents("a: &host x\nb: &host y\nc: *host\n")
    assert loaded.documents[0].data == {"a": "x", "b": "y", "c": "y"}
    assert [p.tolerated for p in loaded.problems] == [True]
    assert "&host" in loaded.problems[0].message


def test_custom_tag_and_bare_equals_are_read() -> None:
    loaded = load_documents("key: !env_var API_KEY\nmatchType: =\n")
    assert loaded.documents[0].data == {"key": "API_KEY", "matchType": "="}
    assert "custom tag !env_var" in loaded.problems[0].message


def test_bare_equals_alone_is_plain_yaml_for_go() -> None:
    # go-yaml (kustomize, Flux) reads `=` as a string: nothing to report.
    loaded = load_documents("matchers:\n  - {name: severity, matchType: =, value: critical}\n")
    assert loaded.documents[0].data["matchers"][0]["matchType"] == "="
    assert loaded.problems == ()


def test_go_template_is_a_problem_with_a_line_and_earlier_documents_survive() -> None:
    loaded = load_documents("---\nkind: A\n---\nkind: B\n  bad: [\n")
    assert [d.data for d in loaded.documents] == [{"kind": "A"}]
    (problem,) = loaded.problems
    assert not problem.tolerated and problem.line is not None and problem.line >= 4


def test_document_lines_point_at_first_key() -> None:
    loaded = load_documents("---\n# comment\napiVersion: v1\n---\n\nkind: X\n")
    assert [d.line for d in loaded.documents] == [3, 6]


def test_bom_and_timestamps() -> None:
    loaded = load_documents("\ufeffwhen: 2024-01-02\n")
    assert loaded.documents[0].data == {"when": "2024-01-02"}


hostile_text = st.one_of(
    st.text(max_size=400),
    st.binary(max_size=400).map(lambda b: b.decode("utf-8", errors="replace")),
    st.integers(1, 3000).map(lambda n: "[" * n + "]" * n),
    st.integers(1, 3000).map(lambda n: "a:\n" + "".join(" " * i + "- x:\n" for i in range(n))),
    st.integers(1, 200_000).map(lambda n: "key: " + "9" * n),
    st.lists(
        st.sampled_from(["---", "- ", ": ", "&a ", "*a", "!t ", "{", "}", "\t", "'", "\n"]),
        max_size=80,
    ).map("".join),
)


@settings(max_examples=300, deadline=None)
@given(hostile_text)
def test_hostile_yaml_never_raises(text: str) -> None:
    loaded = load_documents(text)
    assert all(d.line >= 1 for d in loaded.documents)
