"""The `:` command line k9s users know, one line at the bottom: `:apps`, `:layers`, `:talos`,
`:env`, `:logs`, `:hr` (Apps showing HelmReleases), `:hr NAME` (NAME partial, or `ns/name`),
`:ks NAME`, `:q`. Completions show above the line as you type (tab takes the first), up and
down walk this session's history. What a line means is `ui/command_line.py`'s business."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tuiops.domain.refs import ObjectRef
from tuiops.ui.actions import JUMP_ACTIONS, bindings
from tuiops.ui.command_line import (
    Ambiguous,
    Choices,
    Completion,
    History,
    Outcome,
    completions,
    resolve,
)
from tuiops.ui.tones import Tone

PLACEHOLDER = "apps  layers  talos  hr NAME  ks NAME  q   (tab completes, ↑↓ history)"


class JumpScreen(ModalScreen[Outcome | None]):
    """Enter acts (the screen closes with what the line means, unless several objects fit),
    escape cancels."""

    CSS_PATH = "jump.tcss"
    BINDINGS = bindings(JUMP_ACTIONS)

    def __init__(
        self, objects: tuple[ObjectRef, ...], history: History, choices: Choices | None = None
    ) -> None:
        """The line over the objects names complete to, with the session's history and the
        context and cluster names `:ctx` and `:cluster` complete to."""
        super().__init__()
        self._objects = objects
        self._choices = choices or {}
        self._history = history
        self._shown: tuple[Completion, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static("", id="completions")
        yield Static("", id="jump-hint")
        yield Input(placeholder=PLACEHOLDER, id="jump", select_on_focus=False)

    def on_mount(self) -> None:
        self._history.reset()
        self.query_one("#jump", Input).focus()

    @property
    def line(self) -> str:
        """The text typed so far."""
        return self.query_one("#jump", Input).value

    @property
    def shown(self) -> tuple[Completion, ...]:
        """The completions listed above the line, first is what tab takes."""
        return self._shown

    def _show(self, listed: tuple[Completion, ...], hint: str = "") -> None:
        self._shown = listed
        lines = [
            Content.assemble(
                ("▸ " if index == 0 else "  ", Tone.STRONG),
                (item.label, Tone.MUTED if "not available yet" in item.label else ""),
            )
            for index, item in enumerate(listed)
        ]
        box = self.query_one("#completions", Static)
        box.update(Content("\n").join(lines))
        box.set_class(bool(listed), "visible")
        note = self.query_one("#jump-hint", Static)
        note.update(Content.styled(hint, Tone.WARN) if hint else Content(""))
        note.set_class(bool(hint), "visible")

    def _set_line(self, text: str) -> None:
        box = self.query_one("#jump", Input)
        box.value = text
        box.cursor_position = len(text)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._show(completions(event.value, self._objects, self._choices))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip(" :"):  # nothing typed: as escape
            self.dismiss(None)
            return
        outcome = resolve(event.value, self._objects)
        self._history.add(event.value)
        if isinstance(outcome, Ambiguous):
            self._show(outcome.candidates, outcome.text)
            return
        self.dismiss(outcome)

    def action_complete(self) -> None:
        if self._shown:
            self._set_line(self._shown[0].line)

    def action_history_previous(self) -> None:
        self._set_line(self._history.previous(self.line))

    def action_history_next(self) -> None:
        self._set_line(self._history.next())

    def action_cancel(self) -> None:
        self.dismiss(None)
