"""Column widths from the table's width (`ui/column_layout.py`): examples and properties."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tuiops.ui.column_layout import Column, Placed, fit_columns, total_width

APPS = (
    Column("", 1),
    Column("Kind", 4),
    Column("Name", 20, 43),
    Column("Ready", 7, priority=4),
    Column("Version", 15, 18),
    Column("Reason", 18, 23, priority=1),
    Column("Age", 5, priority=2),
    Column("Layer", 13, priority=5),
    Column("Message", 15, 200, priority=3),
)


def _labels(placed: tuple[Placed, ...]) -> list[str]:
    return [column.label for column in placed]


def _width(placed: tuple[Placed, ...], label: str) -> int:
    return next(column.width for column in placed if column.label == label)


def test_narrow_tables_keep_the_essential_columns_and_grow_the_name_first() -> None:
    placed = fit_columns(APPS, 78)
    assert _labels(placed) == ["", "Kind", "Name", "Version"]
    assert _width(placed, "Name") == 43 and _width(placed, "Version") == 18
    assert total_width(placed) <= 78


def test_wider_tables_add_optional_columns_by_priority_and_message_takes_the_rest() -> None:
    placed = fit_columns(APPS, 118)
    assert _labels(placed) == ["", "Kind", "Name", "Version", "Reason", "Age", "Message"]
    assert total_width(placed) == 118
    wide = fit_columns(APPS, 220)
    assert _labels(wide) == [column.label for column in APPS]
    assert _width(wide, "Reason") == 23
    assert total_width(wide) == 220  # Message takes the rest


def test_the_label_is_never_cut() -> None:
    placed = fit_columns((Column("Namespace/Name ▲", 4),), 80)
    assert _width(placed, "Namespace/Name ▲") == len("Namespace/Name ▲")


def test_display_order_is_kept_and_cells_are_named_by_index() -> None:
    placed = fit_columns(APPS, 118)
    indices = [column.index for column in placed]
    assert indices == sorted(indices)
    assert all(APPS[column.index].label == column.label for column in placed)


COLUMNS = st.lists(
    st.builds(
        Column,
        label=st.text(alphabet="abc", max_size=12),
        least=st.integers(1, 30),
        most=st.integers(0, 80),
        priority=st.integers(0, 5),
    ),
    min_size=1,
    max_size=10,
)


def _essential_minimum(columns: list[Column]) -> int:
    return sum(column.narrowest + 2 for column in columns if not column.priority)


@given(COLUMNS, st.integers(0, 400))
def test_the_total_never_exceeds_the_width(columns: list[Column], width: int) -> None:
    placed = fit_columns(columns, width)
    assert total_width(placed) <= max(width, _essential_minimum(columns))


@given(COLUMNS, st.integers(0, 400))
def test_essential_columns_always_show_within_their_bounds(
    columns: list[Column], width: int
) -> None:
    placed = fit_columns(columns, width)
    shown = {column.index for column in placed}
    assert {i for i, column in enumerate(columns) if not column.priority} <= shown
    for column in placed:
        spec = columns[column.index]
        assert spec.narrowest <= column.width <= spec.widest


@given(COLUMNS, st.integers(0, 400))
def test_optional_columns_come_in_priority_order(columns: list[Column], width: int) -> None:
    placed = fit_columns(columns, width)
    shown = {column.index for column in placed}
    order = sorted(
        (i for i, column in enumerate(columns) if column.priority),
        key=lambda i: (columns[i].priority, i),
    )
    flags = [i in shown for i in order]
    # Shown ones are a prefix of the priority order: never one of lower priority instead.
    assert flags == sorted(flags, reverse=True)


@given(COLUMNS, st.integers(0, 400))
def test_more_room_never_hides_a_column(columns: list[Column], width: int) -> None:
    narrow = {column.index for column in fit_columns(columns, width)}
    wide = {column.index for column in fit_columns(columns, width + 1)}
    assert narrow <= wide
