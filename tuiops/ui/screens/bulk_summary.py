"""The end of a bulk Flux action: one line per object with its outcome (ok, warning, or
failed), a failure's or warning's reason wrapped under it (at most three lines), under a
heading with the counts and the kube context. esc closes it. Fits 80x24: long lists scroll.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen
from textual.widgets import Static

from tuiops.domain.refs import ObjectRef
from tuiops.domain.text import inert
from tuiops.ui.actions import ACTIONS_BY_ID, bindings, key_label
from tuiops.ui.state import ConsoleHost
from tuiops.ui.tones import Tone, for_terminal


@dataclass(frozen=True, slots=True)
class BulkResult:
    """One object's outcome in a bulk action."""

    ref: ObjectRef
    severity: SeverityLevel
    """information: ok; warning: ok, with a caveat (the old revision still runs); error:
    failed."""
    message: str
    """The controller's verdict or the error, one line, already inert."""


OUTCOME: dict[SeverityLevel, tuple[str, str, Tone]] = {
    "information": ("✔", "ok", Tone.GOOD),
    "warning": ("⚠", "ok, but", Tone.WARN),
    "error": ("✗", "failed", Tone.BAD),
}
"""Glyph, word and tone of each outcome: the word makes it readable without colour."""


def result_line(result: BulkResult) -> Content:
    """`✗ failed  HelmRelease/ns/name`: the outcome, then the object."""
    glyph, word, tone = OUTCOME[result.severity]
    return Content.assemble(
        (f"{glyph} {word:<7} ", tone.value), (inert(str(result.ref), one_line=True), "bold")
    )


def heading(label: str, context: str, results: Sequence[BulkResult]) -> str:
    """`reconcile of 3 objects in tuiops-sim: 2 ok, 1 failed`."""
    failed = sum(result.severity == "error" for result in results)
    where = f" in {inert(context, one_line=True)}" if context else ""
    return f"{label} of {len(results)} objects{where}: {len(results) - failed} ok, {failed} failed"


BACK = ACTIONS_BY_ID["back"]
"""esc (and q) close the summary, as they leave Detail and History."""


class BulkSummaryScreen(ModalScreen[None]):
    """Each object's outcome of one bulk action."""

    CSS_PATH = "bulk_summary.tcss"
    BINDINGS = bindings((BACK,))

    def __init__(self, label: str, context: str, results: Sequence[BulkResult]) -> None:
        """Args:
        label: The action's words (`reconcile`).
        context: The kube context it ran against.
        results: One per object, in the order they were listed when asked.
        """
        super().__init__()
        self.label = label
        self.context = context
        self.results = tuple(results)

    def compose(self) -> ComposeResult:
        keys = self.app.keys_for(BACK.id) if isinstance(self.app, ConsoleHost) else BACK.keys
        no_color = self.app.no_color
        with Vertical(id="dialog"):
            title = heading(self.label, self.context, self.results)
            yield Static(Content(title), id="heading")
            with VerticalScroll(id="outcomes"):
                for number, result in enumerate(self.results):
                    line = for_terminal(result_line(result), no_color)
                    yield Static(line, id=f"outcome-{number}", classes="outcome")
                    if result.severity != "information":  # ok needs no words
                        reason = Content(result.message)
                        yield Static(reason, id=f"reason-{number}", classes="reason")
            yield Static(Content(f"{key_label(keys)}: close"), id="keys")

    def action_back(self) -> None:
        self.dismiss(None)
