"""The bottom line: kube context, repo cluster, connection state, not-ready count, read-only
badge, time of the last change. It changes only when the data does: no ticking clock (0 bytes
when idle).

A plain `render()` widget, repainted without a layout pass: `Static.update` re-lays out the
screen, which costs kilobytes over SSH for one changed line.
"""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

from tuiops.domain.text import inert
from tuiops.services.console_state import ConsoleState
from tuiops.ui.tones import Tone, for_terminal

CONNECTION_TONE = {
    "live": Tone.GOOD,
    "connecting": Tone.WARN,
    "reconnecting": Tone.WARN,
    "offline": Tone.MUTED,
    "flux not installed": Tone.WARN,
    "not served": Tone.WARN,
}
"""The words `ConsoleState.connection` gives that are not bad news; see `connection_tone`."""


def connection_tone(word: str) -> Tone:
    """The tone of a connection word. A word not listed here (`forbidden`, `not answering`,
    `error`, or one the state layer adds later) looks bad, never good: the bar must not
    call an unknown state healthy."""
    return CONNECTION_TONE.get(word, Tone.BAD)


def status_line(state: ConsoleState, label: str, read_only: bool) -> Content:
    """The bar's one line for a snapshot (pure: tested without an app).

    Args:
        state: The console state shown.
        label: The kube context (or the demo's name); empty when there is none.
        read_only: Whether Flux actions are off (`--read-only`).

    Returns:
        The line, with tones for the connection word, the badge and the secondary parts.
    """
    word = state.connection
    parts: list[str | Content | tuple[str, str]] = [
        (inert(label, one_line=True) or "no context", Tone.STRONG),
    ]
    if state.overview is not None:  # the repo cluster shown (`:cluster NAME` picks another)
        parts.append((f" · cluster {inert(state.overview.cluster, one_line=True)}", Tone.MUTED))
    parts += ["  ", (word, connection_tone(word))]
    reason = state.connection_detail
    if reason:
        parts.append((f" ({inert(reason, one_line=True)})", Tone.MUTED))
    if state.overview is not None:
        total = len(state.overview.rows)
        if state.offline_reason:  # nothing live to count: what the repo holds
            parts.append((f" · {total} in the repo", Tone.MUTED))
        else:
            parts.append(f"  {total - len(state.overview.not_ready)}/{total} ready")
    elif state.model is None and state.repo_problem:
        parts.append((" · no repo", Tone.MUTED))
    if read_only:
        parts += ["  ", ("READ-ONLY", Tone.BADGE)]
    if state.updated is not None:
        parts.append((f"  updated {state.updated:%H:%M:%S}", Tone.MUTED))
    return Content.assemble(*parts)


class StatusBar(Widget):
    """One line under the screen's content."""

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._line = Content()

    def render(self) -> Content:
        return self._line

    def show(self, state: ConsoleState, label: str, read_only: bool) -> None:
        """Show a snapshot; an unchanged line costs nothing on the wire."""
        line = for_terminal(status_line(state, label, read_only), self.app.no_color)
        if not line.is_same(self._line):  # Content's == compares the text alone
            self._line = line
            self.refresh()
