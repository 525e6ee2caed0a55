"""Flux `${VAR}` syntax: defaults that nest, escapes, comments, block scalars."""

from __future__ import annotations

from tuiops.gitops.scope import substitute_known
from tuiops.gitops.substitution import find_references, references_by_line


def test_nested_default_is_not_cut_short() -> None:
    refs = find_references("url: ${URL:-${PROT}://${SVC}.${NS}.svc}")
    assert [(r.name, r.has_default, r.enclosing) for r in refs] == [
        ("URL", True, None),
        ("PROT", False, "URL"),
        ("SVC", False, "URL"),
        ("NS", False, "URL"),
    ]


def test_escape_renders_literal_and_is_no_reference() -> None:
    text = "a: $${NOT_A_VAR} b: ${REAL}"
    assert [(r.name, r.column) for r in find_references(text)] == [("REAL", text.index("${R"))]


def test_every_default_operator_counts_as_default() -> None:
    for operator in (":=", ":-", "=", "-"):
        (ref,) = find_references(f"${{NAME{operator}x}}")
        assert ref.has_default, operator


def test_plain_dollar_and_non_names_are_ignored() -> None:
    assert find_references("$HOME ${1abc} ${a.b} ${}") == []


def test_comments_skipped_but_block_scalar_content_scanned() -> None:
    text = "a: ${X} # ${IN_COMMENT}\n# ${WHOLE_LINE}\nscript: |\n  # ${IN_BLOCK}\nb: '#${QUOTED}'\n"
    assert [(line, ref.name) for line, ref in references_by_line(text)] == [
        (1, "X"),
        (4, "IN_BLOCK"),
        (5, "QUOTED"),
    ]


def test_substitute_known_keeps_unknown_and_resolves_known() -> None:
    values: dict[str, str | None] = {"CLUSTER": "main", "SECRET": None}
    assert (
        substitute_known("./kubernetes/apps/${CLUSTER}/${OTHER}/${SECRET}", values)
        == "./kubernetes/apps/main/${OTHER}/${SECRET}"
    )
