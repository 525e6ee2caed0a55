"""The base of every console screen that runs workers or renders the console state.

A screen follows the app's snapshots only while it is the current screen; one hidden behind
others (Apps under a Detail page) skips them and catches up in one step when it is shown
again, so a busy feed costs one render per change, not one per open screen.
"""

from __future__ import annotations

from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from tuiops.services.console_state import ConsoleState
from tuiops.ui.state import ConsoleHost, host_of


class ConsoleScreen(Screen[None]):
    """A screen with a `state` reactive that follows `ConsoleHost.state`; subclasses render in
    `watch_state`."""

    state: reactive[ConsoleState | None] = reactive(None, init=False, repaint=False)
    """The snapshot this screen shows (None until it was first shown)."""

    @property
    def host(self) -> ConsoleHost:
        """The app, as the console it is."""
        return host_of(self.app)

    def on_mount(self) -> None:
        self.watch(self.app, "state", self._app_state_changed, init=False)

    def on_screen_resume(self) -> None:
        self.state = self.host.state  # no-op when nothing changed while hidden

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Hand a failed worker to the app's one failure handler: Textual posts this event to
        the screen that ran the worker and never bubbles it. Subclasses' own handlers (a
        section saying "read failed") run as well; none forwards it again."""
        if event.state is WorkerState.ERROR:
            self.app.post_message(Worker.StateChanged(event.worker, event.state))

    def _app_state_changed(self, state: ConsoleState) -> None:
        if self._visible():
            self.state = state

    def _visible(self) -> bool:
        """On top, or right under a translucent dialog (help, a confirmation).

        Not `Screen.is_current`: that also counts the screen right under an opaque one (a
        Detail page over Apps) as visible, and the hidden screen would render every change.
        """
        stack = self.app.screen_stack
        if stack[-1] is self:
            return True
        return len(stack) > 1 and stack[-2] is self and stack[-1].styles.background.a < 1
