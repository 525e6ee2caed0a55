"""The bottom line: kube context, connection state, not-ready count, read-only badge, time of
the last change. It changes only when the data does: no ticking clock (0 bytes when idle).

A plain `render()` widget, repainted without a layout pass: `Static.update` re-lays out the
screen, which costs kilobytes over SSH for one changed line.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from tuiops.ui.state import ConsoleState

CONNECTION_STYLE = {
    "live": "green",
    "connecting": "yellow",
    "reconnecting": "bold yellow",
    "forbidden": "bold red",
    "offline": "dim",
}


class StatusBar(Widget):
    """One line under the screen's content."""

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._text = Text()

    def render(self) -> Text:
        return self._text

    def show(self, state: ConsoleState, label: str, read_only: bool) -> None:
        text = Text()
        text.append(label or "no context", style="bold")
        text.append("  ")
        text.append(state.connection, style=CONNECTION_STYLE[state.connection])
        if state.offline_reason:
            text.append(f" ({state.offline_reason})", style="dim")
        if state.overview is not None:
            not_ready = len(state.overview.not_ready)
            total = len(state.overview.rows)
            text.append(f"  {total - not_ready}/{total} ready")
        if read_only:
            text.append("  READ-ONLY", style="reverse")
        if state.updated is not None:
            text.append(f"  updated {state.updated:%H:%M:%S}", style="dim")
        if text != self._text:  # an unchanged line costs nothing on the wire
            self._text = text
            self.refresh()
