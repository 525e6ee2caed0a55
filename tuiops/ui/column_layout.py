"""Column widths from the width a table has: which columns show and how wide. Pure (no
Textual), so the rules are tested on their own.

The rules, in order:

1. Essential columns (`priority` 0) always show, each at least as wide as its label and its
   `least` width.
2. They grow towards their `most` width in the order given (the name column first: a cut name
   is the worst cut), while there is room.
3. Optional columns are added by priority (1, 2, …) at their `least` width while the next one
   fits; the first that does not fit ends the list, so a narrower table never shows a column
   of lower priority in place of one of higher priority.
4. The optional columns shown grow towards their `most` width by priority: a column with a
   large `most` (Message) takes what the columns before it leave, and the ones after it keep
   their `least` (give those a fixed width: `least` equal to their longest cell).

The table keeps the order of `columns` for display, whatever the priorities.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

PADDING = 1
"""Blank cells either side of a column's text (`ResourceTable.CELL_PADDING`)."""


@dataclass(frozen=True, slots=True)
class Column:
    """What a column needs: its label, how narrow and how wide it may be, and how much it
    matters."""

    label: str
    least: int = 1
    """Narrowest width it is worth showing at (the label's width counts too)."""
    most: int = 0
    """Widest it is worth (its longest cell); below `least` means `least`."""
    priority: int = 0
    """0: always shown; 1, 2, …: optional, lower numbers shown (and widened) first."""

    @property
    def narrowest(self) -> int:
        return max(self.least, len(self.label), 1)

    @property
    def widest(self) -> int:
        return max(self.most, self.narrowest)


@dataclass(frozen=True, slots=True)
class Placed:
    """A column as drawn: which cell of a row it shows, its label and width."""

    index: int
    """Position of the column in `columns` (and of its cell in a row)."""
    label: str
    width: int


def fit_columns(
    columns: Sequence[Column], width: int, padding: int = PADDING
) -> tuple[Placed, ...]:
    """The columns that show in `width` cells, and their widths.

    Args:
        columns: Every column the table can show, in display order.
        width: Cells available, padding included.
        padding: Blank cells either side of each column.

    Returns:
        The columns shown, in display order. Their total width (with padding) is at most
        `width` whenever the essential columns fit at their narrowest; otherwise the
        essential columns alone, at their narrowest.
    """
    chosen: dict[int, int] = {
        index: column.narrowest for index, column in enumerate(columns) if not column.priority
    }
    room = width - sum(size + 2 * padding for size in chosen.values())
    room = _grow(columns, chosen, list(chosen), room)
    optional = sorted(
        (index for index, column in enumerate(columns) if column.priority),
        key=lambda index: (columns[index].priority, index),
    )
    added: list[int] = []
    for index in optional:
        cost = columns[index].narrowest + 2 * padding
        if cost > room:
            break
        chosen[index] = columns[index].narrowest
        added.append(index)
        room -= cost
    _grow(columns, chosen, added, room)
    return tuple(Placed(index, columns[index].label, chosen[index]) for index in sorted(chosen))


def _grow(columns: Sequence[Column], chosen: dict[int, int], order: list[int], room: int) -> int:
    """Widen the columns in `order` towards their widest while there is room; the room left."""
    for index in order:
        if room <= 0:
            break
        extra = min(room, columns[index].widest - chosen[index])
        if extra > 0:
            chosen[index] += extra
            room -= extra
    return room


def total_width(placed: Sequence[Placed], padding: int = PADDING) -> int:
    """The cells `placed` takes, padding included."""
    return sum(column.width + 2 * padding for column in placed)
