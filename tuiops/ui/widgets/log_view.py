"""A log pane that draws only the lines on screen, straight from a `LogBuffer`'s filtered view.

The widget holds no lines: its virtual height is the count of lines the filter shows, and
`render_line` asks the buffer for the window on screen. Lines are built as Content with tones
(never markup) from text made inert, so a line holding `[bold red]`, `\\x1b[2J` or an OSC 52
clipboard write shows as the characters it is.

Feed threads call `lines_arrived()`; it posts at most one `Arrived` message at a time (a newer
one replaces an unhandled older one), and the widget repaints at most every `REPAINT_SECONDS`,
so 20,000 lines a second cost about twenty repaints a second.

Following: the view stays on the newest line as lines come; moving up stops following, and
the pane counts the lines that arrived since (`LogBuffer.pause`); `G`/end follows again.
"""

from __future__ import annotations

import contextlib
from typing import ClassVar

from rich.segment import Segment
from textual import events
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style

from tuiops.domain.kinds import api_kind
from tuiops.domain.log_records import LogRecord
from tuiops.domain.logs import LogLevel
from tuiops.domain.text import inert
from tuiops.services.console_state import Throttle
from tuiops.services.log_buffer import BufferStats, LogBuffer
from tuiops.ui.actions import TABLE_ACTIONS, bindings
from tuiops.ui.tones import Tone, for_terminal

REPAINT_SECONDS = 0.05
"""The most often new lines repaint the pane."""
LINE_CACHE = 512
"""Drawn lines kept (several screens' worth of scrolling back and forth)."""
LEVEL_WORD = {
    LogLevel.ERROR: "ERR",
    LogLevel.INFO: "INF",
    LogLevel.DEBUG: "DBG",
    LogLevel.TRACE: "TRC",
}
"""The level as three letters: legible without colour."""
LEVEL_TONE = {LogLevel.ERROR: Tone.BAD, LogLevel.DEBUG: Tone.MUTED, LogLevel.TRACE: Tone.MUTED}
CONTAINER_WIDTH = 14
CONTROLLER_WIDTH = 6


def short_time(stamp: str) -> str:
    """`HH:MM:SS.mmm` of an RFC3339 time (`2025-11-25T10:09:42.118Z`, or with nanoseconds);
    blanks when there is none."""
    if len(stamp) < 19 or stamp[10] not in "Tt ":
        return " " * 12
    clock = stamp[11:19]
    rest = stamp[19:]
    millis = rest[1:4] if rest.startswith(".") else ""
    digits = "".join(ch for ch in millis if ch.isdigit())
    return f"{clock}.{digits.ljust(3, '0')}"


def short_controller(record: LogRecord) -> str:
    """`helm-controller` as `helm`, cut or padded to one width. A pod's lines (one pod per
    pane) name their container, wider: `nextcloud` and `nextcloud-cron` must differ."""
    stream = record.stream
    if stream.controller:
        return stream.controller.removesuffix("-controller")[:CONTROLLER_WIDTH].ljust(
            CONTROLLER_WIDTH
        )
    return stream.container[:CONTAINER_WIDTH].ljust(CONTAINER_WIDTH)


def _object(kind: str, namespace: str, name: str) -> str:
    try:
        word = api_kind(kind).short
    except KeyError:
        word = kind
    return "/".join(part for part in (word, namespace, name) if part)


def line_content(record: LogRecord) -> Content:
    """One log line as shown: time, controller, level, object, message and error, each piece
    made inert; a line that is not a controller's JSON shows its text as it is (inert).

    Args:
        record: A line from the buffer.

    Returns:
        Content whose spans carry tones, built without markup.
    """
    line = record.line
    parts: list[str | tuple[str, str]] = []
    if line is None:
        parts += [(short_time(record.time), Tone.MUTED), " "]
        parts += [
            (short_controller(record), Tone.MUTED),
            "     ",
            inert(record.text, one_line=True),
        ]
        return Content.assemble(*parts)
    level = line.severity
    tone = LEVEL_TONE.get(level, "")
    word = LEVEL_WORD.get(level, inert(line.level[:3], one_line=True).upper().ljust(3))
    parts += [(short_time(line.ts or record.time), Tone.MUTED), " "]
    parts += [(short_controller(record), Tone.MUTED), " ", (word, tone or ""), " "]
    target = _object(line.kind or line.controller_kind, line.namespace, line.name) or line.logger
    if target:
        parts += [(inert(target, one_line=True), Tone.STRONG), " "]
    parts.append((inert(line.message, one_line=True), tone or ""))
    if line.error:
        parts += [" ", (inert(line.error, one_line=True), Tone.BAD)]
    return Content.assemble(*parts)


class LogView(ScrollView, can_focus=True):
    """The filtered lines of a LogBuffer, one terminal line each, with a cursor line."""

    DEFAULT_CSS = """
    LogView {
        height: 1fr;
        overflow-x: hidden;
        background: $surface;
        & > .log-view--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
        }
        &:focus > .log-view--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
        }
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"log-view--cursor"}
    BINDINGS = bindings(TABLE_ACTIONS)

    class Arrived(Message):
        """New lines are in the buffer (posted from feed threads); only the latest counts."""

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, LogView.Arrived)

    class Changed(Message):
        """What the pane shows changed (counts, following): the screen redraws its status."""

        def __init__(self, view: LogView) -> None:
            super().__init__()
            self.view = view

        @property
        def control(self) -> LogView:
            return self.view

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, LogView.Changed) and message.view is self.view

    class Selected(Message):
        """Enter on a line."""

        def __init__(self, view: LogView, record: LogRecord) -> None:
            super().__init__()
            self.view = view
            self.record = record

        @property
        def control(self) -> LogView:
            return self.view

    def __init__(self, buffer: LogBuffer, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.buffer = buffer
        self.following = True
        """Whether the view stays on the newest line as lines arrive."""
        self.stats: BufferStats = buffer.stats()
        """The counts as of the last repaint."""
        self._cursor = 0
        """The cursor's line, as a buffer position (`LogBuffer.lines`)."""
        self._posted = False
        """An Arrived message is on its way (set by feed threads, cleared when handled)."""
        self._throttle = Throttle(REPAINT_SECONDS)
        self._strips: dict[int, tuple[LogRecord, Style, Strip]] = {}
        self._window: tuple[int, int, int, list[LogRecord | None]] = (-1, -1, 0, [])
        """(version, first position, count, lines) last read from the buffer."""

    # -- feed side (any thread) ---------------------------------------------------------------

    def lines_arrived(self) -> None:
        """New lines are in the buffer: ask for a repaint. Safe from any thread; at most one
        message is queued at a time."""
        if self._posted:
            return
        self._posted = True
        with contextlib.suppress(RuntimeError):  # the loop closed (the app is ending)
            self.post_message(self.Arrived())

    def on_log_view_arrived(self, event: LogView.Arrived) -> None:
        event.stop()
        delay = self._throttle.request()
        if delay is not None:
            self.set_timer(delay, self.update_from_buffer)

    # -- what the screen calls ----------------------------------------------------------------

    def update_from_buffer(self) -> None:
        """Take the buffer's new counts: grow, keep the lines on screen in place (or follow the
        newest), repaint."""
        self._throttle.ran()
        self._posted = False  # before reading: a batch after this posts again
        old, self.stats = self.stats, self.buffer.stats()
        stats = self.stats
        if (old.generation, old.version) == (stats.generation, stats.version):
            return
        first = stats.view_evicted
        if stats.generation != old.generation or stats.view_evicted < old.view_evicted:
            self._strips.clear()  # a new feed, or a new filter: every position changed
            self._cursor = first
        shift = max(first - old.view_evicted, 0) if stats.generation == old.generation else 0
        self.virtual_size = Size(self.size.width, stats.shown)
        if self.following:
            self._cursor = first + max(stats.shown - 1, 0)
            self._scroll_to_end()
        else:
            self._cursor = max(self._cursor, first)
            if shift:  # older lines went: the ones on screen keep their place
                self.scroll_to(y=max(self.scroll_y - shift, 0), animate=False, immediate=True)
        self.refresh()
        self.post_message(self.Changed(self))

    def follow(self, on: bool = True) -> None:
        """Follow the newest line (or stop following: the buffer counts what comes)."""
        if on == self.following:
            return
        self.following = on
        if on:
            self.buffer.resume()
        else:
            self.buffer.pause()
        self.stats = self.buffer.stats()
        if on:
            self._throttle.ran()
            self.update_from_buffer_now()
        self.post_message(self.Changed(self))

    def update_from_buffer_now(self) -> None:
        self.stats = BufferStats(0, 0, 0, 0, 0, 0, False, -1, -1)  # forces the update
        self.update_from_buffer()

    @property
    def cursor_record(self) -> LogRecord | None:
        lines = self.buffer.lines(self._cursor, 1)
        return lines[0] if lines else None

    # -- keys and mouse -----------------------------------------------------------------------

    def action_cursor(self, step: int) -> None:
        self._move(self._cursor + step)

    def action_page(self, direction: int) -> None:
        self._move(self._cursor + direction * max(self.size.height - 1, 1))

    def action_jump(self, row: int) -> None:
        if row < 0:
            self.follow(True)
        else:
            self._move(self.stats.view_evicted)

    def action_select(self) -> None:
        record = self.cursor_record
        if record is not None:
            self.post_message(self.Selected(self, record))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None:
            self._move(self.stats.view_evicted + self.scroll_offset.y + offset.y)

    def _move(self, position: int) -> None:
        first = self.stats.view_evicted
        last = first + max(self.stats.shown - 1, 0)
        position = max(first, min(position, last))
        if position == last and self.following:
            return
        if position != last or position < self._cursor:
            self.follow(False)
        self._cursor = position
        row = position - first
        top = round(self.scroll_y)
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + self.size.height:
            self.scroll_to(y=row - self.size.height + 1, animate=False, immediate=True)
        self.refresh()

    def on_mouse_scroll_up(self, _event: events.MouseScrollUp) -> None:
        self.follow(False)

    def notify_style_update(self) -> None:
        self._strips.clear()  # a theme switch or focus change: the cached colours are stale
        super().notify_style_update()
        self.refresh()

    def on_resize(self, _event: events.Resize) -> None:
        self._strips.clear()
        self.virtual_size = Size(self.size.width, self.stats.shown)
        if self.following:
            self._scroll_to_end()

    def _scroll_to_end(self) -> None:
        """To the newest line, now and once more after the next layout (a scroll asked for
        while the widget has no size yet is clamped to the top)."""
        self.scroll_to(y=max(self.stats.shown - self.size.height, 0), animate=False, immediate=True)
        self.call_after_refresh(self._scroll_to_end_again)

    def _scroll_to_end_again(self) -> None:
        if self.following and self.scroll_y != self.max_scroll_y:
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)

    # -- drawing ------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        top = self.stats.view_evicted + round(self.scroll_y)
        position = top + y
        record = self._line_at(top, position)
        if record is None:
            return Strip.blank(width, base)
        strip = self._strip(record, width)
        if position == self._cursor:
            cursor = self.get_component_rich_style("log-view--cursor")
            strip = Strip(Segment.apply_style(strip, post_style=cursor), strip.cell_length)
        return strip

    def _line_at(self, top: int, position: int) -> LogRecord | None:
        version, first, count, lines = self._window
        height = self.size.height
        if version != self.stats.version or first != top or count != height:
            start, found = self.buffer.window(top, height)
            # Lines evicted since the counts were read are drawn blank (for one frame).
            lines = [None] * (start - top)
            lines += found
            self._window = version, first, count, lines = self.stats.version, top, height, lines
        index = position - first
        return lines[index] if 0 <= index < len(lines) else None

    def _strip(self, record: LogRecord, width: int) -> Strip:
        key = id(record)
        base = self.visual_style
        cached = self._strips.get(key)
        if cached is not None and cached[0] is record and cached[1] == base:
            strip = cached[2]
            if strip.cell_length == width:
                return strip
        content = for_terminal(line_content(record), self.app.no_color)
        parse = self.app.stylesheet.parse_style
        segments = [
            Segment(text, style.rich_style)
            for text, style in content.render(base, end="", parse_style=parse)
        ]
        strip = Strip(segments).crop_extend(0, width, self.rich_style)
        self._strips[key] = (record, base, strip)
        if len(self._strips) > LINE_CACHE:
            del self._strips[next(iter(self._strips))]
        return strip
