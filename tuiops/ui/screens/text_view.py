"""A pushed page of untrusted text (YAML, `kubectl describe`) read by a blocking call in a
worker; Detail and Pods open it for the object they show. The text is made inert and shown as
Content, never markup."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from tuiops.domain.text import inert
from tuiops.errors import TuiopsError
from tuiops.ui.actions import DETAIL_ACTIONS, bindings
from tuiops.ui.screens.console_screen import ConsoleScreen
from tuiops.ui.tones import Tone, for_terminal


class TextScreen(ConsoleScreen):
    """Untrusted text (YAML, describe output) loaded by a blocking call in a worker."""

    BINDINGS = bindings(tuple(spec for spec in DETAIL_ACTIONS if spec.id == "back"))
    CSS_PATH = "detail.tcss"

    @dataclass
    class Loaded(Message):
        """The loader answered: its text, or why it could not."""

        body: Content

    def __init__(self, title: str, load: Callable[[], str]) -> None:
        super().__init__()
        self._title = title
        self._load = load

    def compose(self) -> ComposeResult:
        yield Static(Content.styled(self._title, Tone.STRONG), id="title")
        with VerticalScroll():
            yield Static(Content.styled("loading…", Tone.MUTED), id="body")
        yield Footer()

    def on_mount(self) -> None:
        self.read_text()

    def action_back(self) -> None:
        """Return to the detail page."""
        self.app.pop_screen()

    @work(thread=True, exclusive=True, group="text", exit_on_error=False, description="reading")
    def read_text(self) -> None:
        """Run the loader off the event loop; its text (or its error) comes back as `Loaded`.

        Raises:
            Exception: anything but a TuiopsError (a bug), for the app's failure handler.
        """
        try:
            body = Content(inert(self._load()))
        except TuiopsError as error:
            body = Content.styled(f"could not read: {inert(str(error), one_line=True)}", Tone.BAD)
        self.post_message(self.Loaded(body))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.query_one("#body", Static).update(for_terminal(message.body, self.app.no_color))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A loader that broke with a bug says so instead of "loading…" (ConsoleScreen hands
        the failure on to the app)."""
        if event.state is WorkerState.ERROR:
            failed = "could not read: unexpected error (see the notification)"
            self.post_message(self.Loaded(Content.styled(failed, Tone.BAD)))
