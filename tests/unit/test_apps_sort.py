"""Apps sorts by any of its columns, either way, and the header marks the column."""

from __future__ import annotations

from tuiops.domain.live import LiveObject
from tuiops.domain.overview import AppRow
from tuiops.domain.refs import ObjectRef
from tuiops.domain.status import Condition, ConditionStatus
from tuiops.ui.screens.apps import SORTS, sorted_columns, visible_rows


def _row(name: str, changed: str) -> AppRow:
    """A row whose Ready condition last changed at `changed` (none when empty)."""
    ref = ObjectRef("HelmRelease", "apps", name)
    ready = Condition("Ready", ConditionStatus.TRUE, "Succeeded", "", changed)
    conditions = (ready,) if changed else ()
    live = LiveObject(
        ref=ref, api_version="helm.toolkit.fluxcd.io/v2", created="", conditions=conditions
    )
    return AppRow(ref, "apps", name, None, "", live)


ROWS = (_row("b", "2025-01-02T00:00:00Z"), _row("a", "2025-01-03T00:00:00Z"), _row("c", ""))


def _names(rows: list[AppRow]) -> list[str]:
    return [row.ref.name for row in rows]


def test_every_column_sorts_both_ways() -> None:
    age = [name for name, _label, _key in SORTS].index("age")
    youngest_first = _names(visible_rows(ROWS, "", False, age))
    assert youngest_first == ["a", "b", "c"]  # the smallest age first, no Ready condition last
    name = [sort for sort, _label, _key in SORTS].index("name")
    assert _names(visible_rows(ROWS, "", False, name)) == ["a", "b", "c"]
    assert _names(visible_rows(ROWS, "", False, name, reverse=True)) == ["c", "b", "a"]
    assert _names(visible_rows(ROWS, "", False, 0, reverse=True)) == ["c", "a", "b"]


def test_the_header_marks_the_sorted_column() -> None:
    name = [sort for sort, _label, _key in SORTS].index("name")
    labels = [column.label for column in sorted_columns(name, reverse=False)]
    assert "Namespace/Name ▲" in labels and "Layer" in labels
    labels = [column.label for column in sorted_columns(name, reverse=True)]
    assert "Namespace/Name ▼" in labels
    # Every sort names a column the table has.
    columns = [column.label for column in sorted_columns(0, reverse=False)]
    for _sort, label, _key in SORTS:
        assert any(column.startswith(label) for column in columns), label


def test_the_sorted_column_shows_at_any_width() -> None:
    """Sorting by an optional column (Message) makes it essential, so its arrow shows even at
    80 columns; the repo's order (the first sort) leaves Layer optional."""
    for index, (_sort, label, _key) in enumerate(SORTS):
        if index == 0 or not label:
            continue
        sorted_by = next(c for c in sorted_columns(index, False) if c.label == f"{label} ▲")
        assert sorted_by.priority == 0, label
    layer = next(c for c in sorted_columns(0, False) if c.label.startswith("Layer"))
    assert layer.priority > 0
