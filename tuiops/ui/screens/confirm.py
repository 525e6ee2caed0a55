"""A modal question before an action that changes the cluster: what will happen, to which
object (or, for marked rows, the list of objects, scrolling when long), the flux command it
amounts to, and the kube context it acts on. `y`/enter confirms, `n`/escape cancels; the
answer is the screen's result. Fits 80x24: the box is at most the terminal's width and wraps.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from tuiops.domain.text import inert
from tuiops.ui.actions import CONFIRM_ACTIONS, bindings
from tuiops.ui.state import ConsoleHost


def _keys(app: object, spec_id: str, default: str) -> str:
    """The keys bound to a confirm action, with the user's remaps, as `y / enter`."""
    keys = app.keys_for(spec_id) if isinstance(app, ConsoleHost) else default
    return " / ".join(key.strip().replace("escape", "esc") for key in keys.split(","))


class ConfirmScreen(ModalScreen[bool]):
    """Asks one question; dismisses with True (confirmed) or False (cancelled).

    All text may hold cluster names, so it is made inert and held as Content, which never
    reads markup.
    """

    CSS_PATH = "confirm.tcss"
    BINDINGS = bindings(CONFIRM_ACTIONS)

    def __init__(
        self,
        question: str,
        details: Sequence[str] = (),
        *,
        verb: str = "confirm",
        context: str = "",
        objects: Sequence[str] = (),
    ):
        """Args:
        question: One line, e.g. `Suspend HelmRelease/plex/plex?`.
        details: Lines saying what will happen (one short paragraph each).
        verb: What `y` does, shown in the key hint (`suspend`).
        context: The kube context the action goes to; shown when given.
        objects: One line per object a bulk action acts on (or skips), listed under the
            question.
        """
        super().__init__()
        self.question = question
        self.details = tuple(details)
        self.verb = verb
        self.context = context
        self.objects = tuple(objects)

    def compose(self) -> ComposeResult:
        yes, no = CONFIRM_ACTIONS
        hint = (
            f"{_keys(self.app, yes.id, yes.keys)}: {self.verb}    "
            f"{_keys(self.app, no.id, no.keys)}: cancel"
        )
        with Vertical(id="dialog"):
            yield Static(Content(inert(self.question, one_line=True)), id="question")
            if self.objects:
                with VerticalScroll(id="objects"):
                    for number, line in enumerate(self.objects):
                        text = Content(inert(line, one_line=True))
                        yield Static(text, id=f"object-{number}", classes="object")
            if self.context:
                where = Content(f"context: {inert(self.context, one_line=True)}")
                yield Static(where, id="context")
            for number, line in enumerate(self.details):
                yield Static(Content(inert(line, one_line=True)), id=f"detail-{number}")
            yield Static(Content(hint), id="keys")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
