"""The Env screen's dialogs: a new value in a masked one-line input, a multi-line value in an
in-app text area (never `$EDITOR`: it needs a plaintext temporary file), a new key, and the
review of the staged edits (masked, `v` reveals). Each returns its answer through `dismiss`;
none writes anything anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

import rich.repr
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static, TextArea

from tuiops.domain.env_checks import DiffLine, EnvCheck
from tuiops.domain.findings import Severity
from tuiops.domain.text import inert
from tuiops.ui.actions import ENV_DIALOG_ACTIONS, bindings
from tuiops.ui.tones import Tone

_BY_ID = {spec.id: spec for spec in ENV_DIALOG_ACTIONS}
CANCEL = _BY_ID["env_dialog.cancel"]


def _title(text: str) -> Static:
    return Static(Content.styled(inert(text, one_line=True), Tone.STRONG), classes="title")


def _hint(text: str) -> Static:
    return Static(Content.styled(text, Tone.MUTED), classes="hint")


class _Hidden:
    """A message whose repr never shows its value (Textual logs every message it dispatches,
    to devtools or `TEXTUAL_LOG`, and Input's own messages carry the value)."""

    def __repr__(self) -> str:
        return f"SecretInput.{type(self).__name__}(value=<hidden>)"

    def __rich_repr__(self) -> rich.repr.Result:
        yield "value", "<hidden>"


class SecretInput(Input):
    """An Input whose messages never show what was typed."""

    class Changed(_Hidden, Input.Changed, namespace="input"):
        pass

    class Submitted(_Hidden, Input.Submitted, namespace="input"):
        pass

    class Blurred(_Hidden, Input.Blurred, namespace="input"):
        pass


class ValueDialog(ModalScreen[str | None]):
    """One value, typed into a masked input (ctrl+t shows and hides it); enter stages it."""

    CSS_PATH = "env.tcss"
    BINDINGS = bindings((_BY_ID["env_value.show"], CANCEL))

    def __init__(self, key: str, value: str = "") -> None:
        super().__init__()
        self.key = key
        self._initial = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="env-dialog"):
            yield _title(f"New value for {self.key}")
            yield SecretInput(self._initial, password=True, id="value")
            yield _hint("enter: stage · ctrl+t: show/hide · esc: cancel")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_toggle_shown(self) -> None:
        field = self.query_one(Input)
        field.password = not field.password

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextDialog(ModalScreen[str | None]):
    """A multi-line value in a text area; ctrl+s stages it, escape cancels."""

    CSS_PATH = "env.tcss"
    BINDINGS = bindings((_BY_ID["env_text.done"], CANCEL))

    def __init__(self, key: str, value: str = "") -> None:
        super().__init__()
        self.key = key
        self._initial = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="env-dialog", id="text-dialog"):
            yield _title(f"Value of {self.key} (several lines)")
            yield TextArea(self._initial, id="text", soft_wrap=True, show_line_numbers=False)
            yield _hint("ctrl+s: stage · esc: cancel")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_done(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class AddKeyDialog(ModalScreen[tuple[str, str] | None]):
    """A new key and its value (masked); enter in the key moves on, enter in the value
    stages both."""

    CSS_PATH = "env.tcss"
    BINDINGS = bindings((_BY_ID["env_value.show"], CANCEL))

    def __init__(self, where: str) -> None:
        super().__init__()
        self.where = where

    def compose(self) -> ComposeResult:
        with Vertical(classes="env-dialog"):
            yield _title(f"Add a key to {self.where}")
            yield Input(placeholder="KEY", id="key")
            yield SecretInput(placeholder="value", password=True, id="value")
            yield _hint("enter: next / stage · ctrl+t: show/hide · esc: cancel")

    def on_mount(self) -> None:
        self.query_one("#key", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the key moves to the value; enter in the value stages both."""
        event.stop()
        if event.input.id == "key":
            self.query_one("#value", Input).focus()
            return
        key = self.query_one("#key", Input).value.strip()
        if not key:
            self.query_one("#key", Input).focus()
            return
        self.dismiss((key, event.value))

    def action_toggle_shown(self) -> None:
        field = self.query_one("#value", Input)
        field.password = not field.password

    def action_cancel(self) -> None:
        self.dismiss(None)


def check_line(check: EnvCheck) -> Content:
    """A check as one line: `error`/`warning`, then the key and what is wrong (never a value)."""
    tone = Tone.BAD if check.severity is Severity.ERROR else Tone.WARN
    return Content.assemble((f"{check.severity.value}: ", tone), inert(str(check), one_line=True))


class ReviewDialog(ModalScreen[bool]):
    """The staged edits as a diff, masked (`v` reveals and masks again), with the checks;
    `y`/enter asks to save (refused while an error stands), escape goes back."""

    CSS_PATH = "env.tcss"
    BINDINGS = bindings((_BY_ID["env_review.reveal"], _BY_ID["env_review.save"], CANCEL))

    def __init__(self, rel: str, lines: Sequence[DiffLine], checks: Sequence[EnvCheck]) -> None:
        super().__init__()
        self.rel = rel
        self.lines = tuple(lines)
        self.checks = tuple(checks)
        self.revealed = False

    def compose(self) -> ComposeResult:
        count = len(self.lines)
        with Vertical(classes="env-dialog", id="review-dialog"):
            yield _title(f"Review {count} staged change{'s' if count != 1 else ''} to {self.rel}")
            with VerticalScroll(id="review-lines"):
                for number, _line in enumerate(self.lines):
                    yield Static(id=f"diff-{number}", classes="diff-line")
            for number, check in enumerate(self.checks):
                yield Static(check_line(check), id=f"check-{number}", classes="check")
            errors = any(check.blocks_save for check in self.checks)
            action = "fix the errors first" if errors else "y/enter: save…"
            yield _hint(f"{action} · v: reveal/mask · esc: back")

    def on_mount(self) -> None:
        self._draw()

    def _draw(self) -> None:
        for number, line in enumerate(self.lines):
            text = inert(line.text(reveal=self.revealed), one_line=True)
            tone = {"+": Tone.GOOD, "-": Tone.BAD}.get(text[:1], Tone.WARN)
            self.query_one(f"#diff-{number}", Static).update(Content.styled(text, tone))

    def action_reveal(self) -> None:
        self.revealed = not self.revealed
        self._draw()

    def action_save(self) -> None:
        if any(check.blocks_save for check in self.checks):
            self.notify("not saved: fix the errors the review lists first", severity="warning")
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
