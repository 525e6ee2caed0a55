"""A DataTable keyed by object that follows a changing list cheaply.

`sync(rows)` keeps the cursor on its object. When the keys and their order are unchanged it
rewrites only the cells that differ and repaints only their rows: DataTable's own
`update_cell` repaints the whole widget, which over SSH costs ~30 KB per change instead of
one line. Columns have fixed widths so thousands of rows are added without measuring each.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

Cells = tuple[Text, ...]


class ResourceTable(DataTable[Text]):
    """Rows keyed by a string (the ObjectRef's text)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row")
        self.keys: list[str] = []
        self._cells: dict[str, Cells] = {}
        self._column_keys: list[ColumnKey] = []

    def set_columns(self, columns: Sequence[tuple[str, int | None]]) -> None:
        """(label, width) pairs; None measures the content (only for short tables)."""
        self._column_keys = [self.add_column(label, width=width) for label, width in columns]

    @property
    def cursor_key(self) -> str:
        return self.keys[self.cursor_row] if 0 <= self.cursor_row < len(self.keys) else ""

    def sync(self, rows: Sequence[tuple[str, Cells]]) -> None:
        keys = [key for key, _cells in rows]
        if keys == self.keys:
            self._update_in_place(rows)
            return
        current = self.cursor_key
        self.clear()
        self._cells = dict(rows)
        self.keys = keys
        for key, cells in rows:
            self.add_row(*cells, key=key)
        if current in self._cells:
            self.move_cursor(row=keys.index(current), animate=False)

    def _update_in_place(self, rows: Sequence[tuple[str, Cells]]) -> None:
        changed: list[int] = []
        for index, (key, cells) in enumerate(rows):
            if self._cells.get(key) == cells:
                continue
            self._cells[key] = cells
            row = self._data[RowKey(key)]
            for column_key, cell in zip(self._column_keys, cells, strict=True):
                row[column_key] = cell
            changed.append(index)
        if changed:
            # The render caches are keyed by this counter; bump it once, repaint only the rows.
            self._update_count += 1
            for index in changed:
                self.refresh_row(index)
