"""A virtual table keyed by object: it draws only the rows on screen.

Textual's DataTable builds and measures every cell of every row (7,000 rows took seconds to
add and each rebuild as long). This table holds only the row keys and asks the screen for a
row's cells when the row scrolls into view, so a filter keystroke over thousands of rows
costs a list of keys, and a live change repaints just the lines whose cells changed (one
line over SSH instead of a whole widget). Columns have fixed widths (`set_columns`), or are
laid out from the table's width (`set_layout`, `ui/column_layout.py`) again on each resize;
no cell is measured.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.content import Content, Span
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style

from tuiops.ui.actions import TABLE_ACTIONS, bindings
from tuiops.ui.column_layout import Column, Placed, fit_columns, total_width
from tuiops.ui.tones import for_terminal

Cell = Content | Text
"""Content from the renderers (`ui/tables.py`); Rich Text is still taken from screens that
build their own cells."""
Cells = tuple[Cell, ...]
CellsOf = Callable[[int], Cells]
CELL_PADDING = 1
"""Blank cells either side of a column's text, as in DataTable."""
LINE_CACHE = 1024
"""Rendered rows kept: several screens' worth of scrolling."""
MARK_GLYPH = "▸"
"""Drawn in a marked row's leading padding cell: a mark shows without colour too, and the
columns do not move."""


def _no_cells(_index: int) -> Cells:
    return ()


def _same_cell(a: Cell, b: Cell) -> bool:
    if isinstance(a, Content) and isinstance(b, Content):
        return a.is_same(b)
    if isinstance(a, Text) and isinstance(b, Text):
        return a.plain == b.plain and a.style == b.style and a.spans == b.spans
    return False


def same_cells(old: Cells, new: Cells) -> bool:
    """Equal as drawn. Neither `==` will do: Content's compares the text alone and Rich Text's
    ignores the base style, so a cell turning from good to bad with the same glyph would
    compare equal; spans (and Text's base style) are compared too."""
    return old is new or (
        len(old) == len(new) and all(_same_cell(a, b) for a, b in zip(old, new, strict=True))
    )


def as_content(cell: Cell) -> Content:
    """A cell as Content, its style strings kept as written.

    `Content.from_rich_text` would parse each style string with the Rich console, which
    knows no theme variables: a `Tone` (`bold $error`) in Rich Text would fail there. Kept
    as strings, they are resolved against the current theme when the row is drawn.
    """
    if isinstance(cell, Content):
        return cell
    spans = [
        Span(start, end, style if isinstance(style, str) else Style.from_rich_style(style))
        for start, end, style in cell.spans
        if style
    ]
    content = Content(cell.plain, spans)
    if cell.style:
        base = cell.style
        content = content.stylize_before(
            base if isinstance(base, str) else Style.from_rich_style(base)
        )
    return content


class ResourceTable(ScrollView, can_focus=True):
    """Rows keyed by a string (an ObjectRef's text), one line each, a header on top."""

    DEFAULT_CSS = """
    ResourceTable {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        &:focus { background-tint: $foreground 5%; }
        & > .resource-table--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .resource-table--header { background: ansi_bright_blue; color: ansi_default; }
        & > .resource-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .resource-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .resource-table--mark { background: $accent 25%; }
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "resource-table--header",
        "resource-table--cursor",
        "resource-table--mark",
    }
    BINDINGS = bindings(TABLE_ACTIONS)

    class KeyMessage(Message):
        """A message about one row, named by its key."""

        def __init__(self, table: ResourceTable, key: str) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> ResourceTable:
            return self.table

    class Highlighted(KeyMessage):
        """The cursor moved to another key (also sent when a sync moves it)."""

    class Selected(KeyMessage):
        """Enter (or a click on the cursor row) on a key."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.keys: list[str] = []
        self._index: dict[str, int] = {}
        self._cells_of: CellsOf = _no_cells
        self._layout: tuple[Column, ...] = ()
        """What each column needs (`set_layout`); empty for fixed columns."""
        self._placed: tuple[Placed, ...] = ()
        """The columns drawn: which cell of a row, label, width."""
        self._cursor = 0
        self._marks: set[str] = set()
        """Marked keys, kept while their rows are filtered out or change (k9s' marks)."""
        # Rendered rows by key, reused while the screen hands out equal cells on the same
        # base style and mark. A plain dict: Textual's LRUCache never replaces the value of a
        # key.
        self._lines: dict[str, tuple[Cells, Style, bool, Strip]] = {}

    # -- what the screens call -------------------------------------------------------------

    def set_columns(self, columns: Sequence[tuple[str, int]]) -> None:
        """Fixed columns: (label, width) pairs, in cells, one per cell of a row."""
        self._layout = ()
        self._place(tuple(Placed(i, label, width) for i, (label, width) in enumerate(columns)))

    def set_layout(self, columns: Sequence[Column]) -> None:
        """Columns laid out from the table's width, now and on each resize: the essential ones
        always, optional ones as room allows (`column_layout.fit_columns`). `columns` names
        every cell of a row, in order; a hidden column's cell is not drawn."""
        layout = tuple(columns)
        if layout != self._layout:
            self._layout = layout
            self._relayout()

    @property
    def shown_columns(self) -> tuple[str, ...]:
        """The labels of the columns drawn, left to right."""
        return tuple(column.label for column in self._placed)

    def _relayout(self) -> None:
        if not self._layout:
            return
        # The scrollbar's room is always kept: columns would jump as rows come and go.
        room = max(self.size.width - self.styles.scrollbar_size_vertical, 0)
        placed = fit_columns(self._layout, room, CELL_PADDING)
        if placed != self._placed:
            self._place(placed)

    def _place(self, placed: tuple[Placed, ...]) -> None:
        self._placed = placed
        self._lines.clear()
        self._resize_virtual()
        self.refresh()

    def sync(self, keys: Sequence[str], cells_of: CellsOf) -> None:
        """Show `keys` in this order; `cells_of(i)` gives the cells of `keys[i]` and is called
        only for rows on screen. The cursor stays on its key when the key is still shown."""
        self._cells_of = cells_of
        if keys == self.keys:
            self._repaint_changed_lines()
            return
        current = self.cursor_key
        self.keys = list(keys)
        self._index = {key: index for index, key in enumerate(self.keys)}
        self._resize_virtual()
        cursor = self._index.get(current, min(self._cursor, max(len(self.keys) - 1, 0)))
        self._cursor = -1  # force the move (and its message) when the key under it changed
        self._move(cursor, announce=self.cursor_key_at(cursor) != current)
        self.refresh()

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def cursor_key(self) -> str:
        return self.cursor_key_at(self._cursor)

    def cursor_key_at(self, index: int) -> str:
        return self.keys[index] if 0 <= index < len(self.keys) else ""

    @property
    def row_count(self) -> int:
        return len(self.keys)

    def cells(self, key: str) -> Cells:
        """The cells shown (or to be shown) for `key`; () when the key is not in the table."""
        index = self._index.get(key)
        return self._cells_of(index) if index is not None else ()

    def row_index(self, key: str) -> int:
        """Where `key` is shown; the row count when it is not (filtered out)."""
        return self._index.get(key, len(self.keys))

    def move_cursor(self, row: int) -> None:
        self._move(row, announce=True)

    # -- marks ------------------------------------------------------------------------------

    @property
    def marks(self) -> frozenset[str]:
        """The marked keys, shown or not (a filter hides a marked row, it keeps its mark)."""
        return frozenset(self._marks)

    def toggle_mark(self, key: str) -> bool:
        """Mark `key`, or unmark it when it was marked; whether it is marked now."""
        marked = key not in self._marks
        if marked:
            self._marks.add(key)
        else:
            self._marks.discard(key)
        self._refresh_key(key)
        return marked

    def clear_marks(self) -> None:
        """Unmark every key."""
        cleared, self._marks = self._marks, set()
        for key in cleared:
            self._refresh_key(key)

    def _refresh_key(self, key: str) -> None:
        index = self._index.get(key)
        if index is not None:
            self.refresh_line(index + 1)

    # -- keys and mouse -------------------------------------------------------------------

    def action_cursor(self, step: int) -> None:
        self._move(self._cursor + step, announce=True)

    def action_page(self, direction: int) -> None:
        self._move(self._cursor + direction * max(self._rows_on_screen() - 1, 1), announce=True)

    def action_jump(self, row: int) -> None:
        self._move(row if row >= 0 else len(self.keys) - 1, announce=True)

    def action_select(self) -> None:
        if self.cursor_key:
            self.post_message(self.Selected(self, self.cursor_key))

    def on_click(self, event: events.Click) -> None:
        """A click moves the cursor; a click on the cursor row selects it (enter)."""
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        row = offset.y - 1 + self.scroll_offset.y
        if 0 <= row < len(self.keys):
            if row == self._cursor:
                self.action_select()
            else:
                self._move(row, announce=True)

    def notify_style_update(self) -> None:
        # A theme switch restyles every row (the tones in the cells resolve to new colours),
        # as does focus coming or going (`:focus` tints the background): the cached lines
        # hold the old colours, so they go and all lines repaint. Each cached line also
        # remembers the base style it was drawn on (see `_row_line`), for a restyle that
        # arrives without this call.
        self._lines.clear()
        super().notify_style_update()
        self.refresh()

    # -- drawing --------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        rich_base = self.rich_style
        if y == 0:
            header = self.get_visual_style("resource-table--header")
            line = self._line(self._header_cells(), header)
        else:
            index = y - 1 + scroll_y
            if index >= len(self.keys):
                return Strip.blank(width, rich_base)
            line = self._row_line(index, self.visual_style)
            if self.keys[index] in self._marks:
                mark = self.get_component_rich_style("resource-table--mark")
                line = Strip(Segment.apply_style(line, post_style=mark), line.cell_length)
            if index == self._cursor:
                cursor = self.get_component_rich_style("resource-table--cursor")
                line = Strip(Segment.apply_style(line, post_style=cursor), line.cell_length)
        return line.crop_extend(scroll_x, scroll_x + width, rich_base)

    def _row_line(self, index: int, base: Style) -> Strip:
        key = self.keys[index]
        cells = self._cells_of(index)
        marked = key in self._marks
        cached = self._lines.get(key)
        if cached is not None and cached[1:3] == (base, marked) and same_cells(cached[0], cells):
            return cached[3]
        line = self._line(cells, base, marked=marked)
        self._lines.pop(key, None)  # re-inserted last: the oldest entries go first
        self._lines[key] = (cells, base, marked, line)
        if len(self._lines) > LINE_CACHE:
            del self._lines[next(iter(self._lines))]
        return line

    def _line(self, cells: Cells, base: Style, *, marked: bool = False) -> Strip:
        """One row: each cell cut (with an ellipsis) or padded to its column's width, its
        tones resolved against the current theme on top of `base` (as NO_COLOR shows them
        when it is set); a marked row has its mark in the first padding cell."""
        pad = " " * CELL_PADDING
        parts: list[str | Content] = []
        for column in self._placed:
            cell = as_content(cells[column.index]) if column.index < len(cells) else Content("")
            parts += (pad, cell.truncate(column.width, ellipsis=True, pad=True), pad)
        if marked and parts:
            parts[0] = MARK_GLYPH + pad[1:]
        line = for_terminal(Content.assemble(*parts), self.app.no_color)
        parse = self.app.stylesheet.parse_style
        segments = [
            Segment(text, style.rich_style)
            for text, style in line.render(base, end="", parse_style=parse)
        ]
        return Strip(segments, self._total_width())

    def _header_cells(self) -> Cells:
        labels = {column.index: column.label for column in self._placed}
        size = max(labels, default=-1) + 1
        return tuple(Content(labels.get(index, "")) for index in range(size))

    # -- cursor and geometry --------------------------------------------------------------

    def _move(self, row: int, *, announce: bool) -> None:
        row = max(0, min(row, len(self.keys) - 1)) if self.keys else 0
        if row == self._cursor:
            return
        previous, self._cursor = self._cursor, row
        self.refresh_line(previous + 1)
        self.refresh_line(row + 1)
        self._scroll_to_cursor()
        if announce and self.cursor_key:
            self.post_message(self.Highlighted(self, self.cursor_key))

    def _scroll_to_cursor(self) -> None:
        top = self.scroll_offset.y
        visible = self._rows_on_screen()
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, immediate=True)
        elif visible and self._cursor >= top + visible:
            self.scroll_to(y=self._cursor - visible + 1, animate=False, immediate=True)

    def _rows_on_screen(self) -> int:
        return max(self.scrollable_content_region.height - 1, 0)

    def _total_width(self) -> int:
        return total_width(self._placed, CELL_PADDING)

    def _resize_virtual(self) -> None:
        self.virtual_size = Size(self._total_width(), len(self.keys) + 1)

    def _repaint_changed_lines(self) -> None:
        top = self.scroll_offset.y
        for index in range(top, min(top + self._rows_on_screen(), len(self.keys))):
            cached = self._lines.get(self.keys[index])
            if cached is None or not same_cells(cached[0], self._cells_of(index)):
                self.refresh_line(index + 1)

    def on_resize(self, _event: events.Resize) -> None:
        self._relayout()
        self._scroll_to_cursor()
