"""The virtual ResourceTable on its own: what it draws, where the cursor goes, which lines a
change repaints, and that it asks only for the cells of rows on screen."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.color import Color
from textual.content import Content
from textual.geometry import Region
from textual.pilot import Pilot

from tuiops.ui.tones import Tone
from tuiops.ui.widgets.resource_table import Cells, ResourceTable

COLUMNS = (("Name", 8), ("State", 6))


class TableApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        yield ResourceTable(id="table")

    def on_mount(self) -> None:
        self.query_one(ResourceTable).set_columns(COLUMNS)

    def on_resource_table_highlighted(self, event: ResourceTable.Highlighted) -> None:
        self.events.append(("highlighted", event.key))

    def on_resource_table_selected(self, event: ResourceTable.Selected) -> None:
        self.events.append(("selected", event.key))


def _run(test: Callable[[TableApp, ResourceTable, Pilot[None]], Awaitable[None]]) -> None:
    async def main() -> None:
        app = TableApp()
        async with app.run_test(size=(30, 10)) as pilot:
            await test(app, app.query_one(ResourceTable), pilot)

    asyncio.run(main())


def _rows(count: int, state: str = "ok") -> tuple[list[str], Callable[[int], Cells]]:
    keys = [f"row-{index:04}" for index in range(count)]
    return keys, lambda index: (Text(keys[index]), Text(state))


def _screen_text(table: ResourceTable) -> list[str]:
    return [table.render_line(y).text for y in range(table.size.height)]


def test_draws_a_header_and_only_asks_for_rows_on_screen() -> None:
    async def flow(_app: TableApp, table: ResourceTable, pilot: Pilot[None]) -> None:
        asked: list[int] = []
        keys, cells = _rows(7000)

        def counting(index: int) -> Cells:
            asked.append(index)
            return cells(index)

        table.sync(keys, counting)
        await pilot.pause()
        lines = _screen_text(table)
        assert lines[0].split() == ["Name", "State"]
        assert lines[1].split() == ["row-0000", "ok"]
        assert table.row_count == 7000
        # 10 lines: a header and 9 rows; nothing is built for the 6,991 rows below.
        assert set(asked) == set(range(9))

    _run(flow)


def test_long_cells_are_cut_with_an_ellipsis_to_their_column() -> None:
    async def flow(_app: TableApp, table: ResourceTable, pilot: Pilot[None]) -> None:
        table.sync(["k"], lambda _index: (Text("a-very-long-name"), Text("ready")))
        await pilot.pause()
        assert _screen_text(table)[1].startswith(" a-very-… ")

    _run(flow)


def test_cursor_stays_on_its_key_when_rows_are_inserted_above() -> None:
    async def flow(app: TableApp, table: ResourceTable, pilot: Pilot[None]) -> None:
        keys, cells = _rows(50)
        table.sync(keys, cells)
        table.move_cursor(20)
        await pilot.pause()
        assert table.cursor_key == "row-0020"
        more = ["aaa-1", "aaa-2", *keys]
        table.sync(more, lambda index: (Text(more[index]), Text("ok")))
        await pilot.pause()
        assert table.cursor_key == "row-0020"
        assert table.cursor_row == 22

    _run(flow)


def test_cursor_moves_to_a_neighbour_when_its_key_goes_and_says_so() -> None:
    async def flow(app: TableApp, table: ResourceTable, pilot: Pilot[None]) -> None:
        keys, cells = _rows(10)
        table.sync(keys, cells)
        table.move_cursor(5)
        await pilot.pause()
        app.events.clear()
        fewer = [key for key in keys if key != "row-0005"]
        table.sync(fewer, lambda index: (Text(fewer[index]), Text("ok")))
        await pilot.pause()
        assert table.cursor_key == "row-0006"
        assert app.events == [("highlighted", "row-0006")]

    _run(flow)


def test_keys_scroll_the_cursor_into_view_and_enter_selects() -> None:
    async def flow(app: TableApp, table: ResourceTable, pilot: Pilot[None]) -> None:
        keys, cells = _rows(100)
        table.sync(keys, cells)
        table.focus()
        await pilot.pause()
        await pilot.press("pagedown", "down")
        assert table.cursor_row == 9  # a page is 9 rows minus one of overlap, then one down
        assert table.scroll_offset.y == 1  # the cursor row is the last line on screen
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_key == "row-0099"
        assert _screen_text(table)[-1].split()[0] == "row-0099"
        await pilot.press("home", "enter")
        assert app.events[-1] == ("selected", "row-0000")

    _run(flow)


def test_a_click_moves_the_cursor_and_a_second_click_selects() -> None:
    async def flow(app: TableApp, table: ResourceTable, pilot: Pilot[None]) -> None:
        keys, cells = _rows(5)
        table.sync(keys, cells)
        await pilot.pause()
        await pilot.click(ResourceTable, offset=(2, 3))  # line 3: the third row
        assert table.cursor_key == "row-0002"
        await pilot.click(ResourceTable, offset=(2, 3))
        assert app.events[-1] == ("selected", "row-0002")

    _run(flow)


def test_a_changed_row_repaints_only_its_line() -> None:
    async def flow(_app: TableApp, table: ResourceTable, pilot: Pilot[None]) -> None:
        keys, _cells = _rows(20)
        states = ["ok"] * 20

        def cells(index: int) -> Cells:
            return (Text(keys[index]), Text(states[index], style="green"))

        table.sync(keys, cells)
        await pilot.pause()
        repainted: list[Region] = []
        original = table.refresh

        def spy(*regions: Region, **kwargs: object) -> ResourceTable:
            repainted.extend(regions)
            return original(*regions, **kwargs)  # type: ignore[arg-type]

        table.refresh = spy  # type: ignore[method-assign]
        states[4] = "bad"
        table.sync(keys, cells)
        assert [(region.y, region.height) for region in repainted] == [(5, 1)]
        await pilot.pause()
        assert _screen_text(table)[5].split() == ["row-0004", "bad"]

    _run(flow)


def test_every_change_repaints_its_line_and_no_change_repaints_nothing() -> None:
    async def flow(_app: TableApp, table: ResourceTable, pilot: Pilot[None]) -> None:
        keys, _cells = _rows(5)
        states = ["ok"] * 5

        def cells(index: int) -> Cells:
            return (Text(keys[index]), Text(states[index]))

        table.sync(keys, cells)
        await pilot.pause()
        repainted: list[int] = []
        original = table.refresh

        def spy(*regions: Region, **kwargs: object) -> ResourceTable:
            repainted.extend(region.y for region in regions)
            return original(*regions, **kwargs)  # type: ignore[arg-type]

        table.refresh = spy  # type: ignore[method-assign]
        for state in ("bad", "worse"):  # the second change is judged against the first
            states[2] = state
            table.sync(keys, cells)
            await pilot.pause()
            assert repainted == [3], state
            assert _screen_text(table)[3].split() == ["row-0002", state]
            repainted.clear()
        table.sync(keys, cells)  # equal cells, new objects: nothing to repaint
        await pilot.pause()
        assert repainted == []

    _run(flow)


def test_a_style_only_change_is_repainted_too() -> None:
    async def flow(_app: TableApp, table: ResourceTable, pilot: Pilot[None]) -> None:
        # Row 2, not the cursor row (the cursor's own colours cover a cell's).
        style = ["green"]
        table.sync(["a", "b"], lambda index: (Text("ab"[index]), Text("✓", style=style[0])))
        await pilot.pause()
        before = table.render_line(2)
        style[0] = "red"
        table.sync(["a", "b"], lambda index: (Text("ab"[index]), Text("✓", style=style[0])))
        await pilot.pause()
        assert table.render_line(2) != before

    _run(flow)


def _glyph_colours(table: ResourceTable) -> list[tuple[str, str, str]]:
    """Per visible row below the header: (glyph, its colour, the row's background)."""
    found = []
    for y in range(1, table.size.height):
        segments = [segment for segment in table.render_line(y) if segment.text.strip()]
        glyph = next(segment for segment in segments if segment.text.strip() in "✓✗")
        assert glyph.style is not None and glyph.style.color is not None
        assert glyph.style.bgcolor is not None
        found.append((glyph.text.strip(), glyph.style.color.name, glyph.style.bgcolor.name))
    return found


def _tone_rows(count: int) -> tuple[list[str], Callable[[int], Cells]]:
    keys = [f"row-{index:04}" for index in range(count)]

    def cells(index: int) -> Cells:
        tone = Tone.BAD if index % 2 else Tone.GOOD
        return (Content(keys[index]), Content.styled("✗" if index % 2 else "✓", tone))

    return keys, cells


def _theme_colour(app: App[None], variable: str) -> str:
    return Color.parse(app.get_css_variables()[variable]).hex.lower()


def test_a_theme_switch_repaints_every_visible_row_in_the_new_colours() -> None:
    """Cached rows hold their colours: a theme switch must drop them all, or rows keep the
    old theme's colours until they change. Every visible row is checked; the cursor row
    (row 0) is drawn in the cursor's colours, which come from the new theme too."""

    async def flow(app: TableApp, table: ResourceTable, pilot: Pilot[None]) -> None:
        keys, cells = _tone_rows(40)
        table.sync(keys, cells)
        table.focus()
        app.theme = "textual-dark"
        await pilot.pause()
        for theme in ("textual-light", "nord", "textual-dark"):
            before = _glyph_colours(table)
            app.theme = theme
            await pilot.pause()
            after = _glyph_colours(table)
            good, bad = _theme_colour(app, "text-success"), _theme_colour(app, "error")
            assert len(after) == table.size.height - 1 == 9
            for row, (glyph, colour, _background) in enumerate(after[1:], start=1):
                assert colour == (bad if glyph == "✗" else good), (theme, row)
            cursor = _theme_colour(app, "block-cursor-background")
            assert after[0][2] == cursor, theme
            # Every row looks different (textual-dark and -light share `$error`, so a bad row
            # changes by its background alone; a good row changes colour as well).
            assert all(old != new for old, new in zip(before, after, strict=True)), theme
            assert all(
                old[1] != new[1]
                for old, new in zip(before[1:], after[1:], strict=True)
                if new[0] == "✓"
            ), theme

    _run(flow)


def test_a_focus_change_repaints_every_visible_row() -> None:
    """`:focus` tints the table's background: when focus comes or goes, every row (not only
    the cursor's) is drawn on the new background, never on the one it was cached with."""

    async def flow(app: TableApp, table: ResourceTable, pilot: Pilot[None]) -> None:
        keys, cells = _tone_rows(40)
        table.sync(keys, cells)
        table.move_cursor(4)
        table.blur()  # the app focused it on mount
        await pilot.pause()
        blurred = _glyph_colours(table)
        table.focus()
        await pilot.pause()
        focused = _glyph_colours(table)
        table.blur()
        await pilot.pause()
        assert _glyph_colours(table) == blurred
        not_cursor = [row for row in range(len(blurred)) if row != 4]
        # Every row but the cursor's (whose background is the cursor's) changed background.
        assert all(focused[row][2] != blurred[row][2] for row in not_cursor)
        table.focus()
        await pilot.pause()
        assert _glyph_colours(table) == focused

    _run(flow)


def test_without_colour_a_bad_cell_is_drawn_in_reverse_video(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """NO_COLOR greys `$error` darker than plain text: the failed glyph is reversed instead."""
    monkeypatch.setenv("NO_COLOR", "1")

    async def main() -> None:
        app = TableApp()
        assert app.no_color
        async with app.run_test(size=(30, 10)) as pilot:
            table = app.query_one(ResourceTable)
            keys, cells = _tone_rows(4)
            table.sync(keys, cells)
            table.move_cursor(3)
            await pilot.pause()
            glyphs = {
                segment.text: segment.style
                for segment in table.render_line(2)  # row 1: a bad one, not the cursor's
                if segment.text.strip() in ("✓", "✗")
            }
            assert glyphs["✗"] is not None and glyphs["✗"].reverse and glyphs["✗"].bold
            good = table.render_line(1)  # row 0: a good one
            assert not any(segment.style and segment.style.reverse for segment in good)

    asyncio.run(main())
