"""The `:` prompt k9s users know: `:apps`, `:layers`, `:talos`, `:env`, `:logs`, `:hr NAME`,
`:ks NAME` (NAME may be `ns/name`)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Input

from tuiops.domain.kinds import is_applier, kind_for_word
from tuiops.domain.refs import ObjectRef
from tuiops.errors import UsageError
from tuiops.ui.actions import JUMP_ACTIONS, bindings
from tuiops.ui.state import ConsoleState

SCREEN_WORDS = {
    "layers": "layers",
    "layer": "layers",
    "home": "layers",
    "apps": "apps",
    "app": "apps",
    "ks": "apps",
    "hr": "apps",
    "talos": "talos",
    "nodes": "talos",
    "env": "env",
    "logs": "logs",
}


def parse_jump(text: str, state: ConsoleState) -> str | ObjectRef:
    """A mode name, or the ref of the object named.

    Raises:
        UsageError: unknown word or no such object.
    """
    words = text.strip().lstrip(":").split()
    if not words:
        raise UsageError("empty jump")
    head = words[0].lower()
    if len(words) == 1 and head in SCREEN_WORDS:
        return SCREEN_WORDS[head]
    named = kind_for_word(head)
    if named is None or not is_applier(named.kind) or len(words) != 2:
        raise UsageError(f"unknown jump {text!r}: try :apps, :layers, :talos, :hr NAME, :ks NAME")
    kind, wanted = named.kind, words[1]
    namespace, _, name = wanted.rpartition("/")
    matches = [
        row.ref
        for row in state.rows
        if row.ref.kind == kind
        and row.ref.name == name
        and (not namespace or row.ref.namespace == namespace)
    ]
    if not matches:
        raise UsageError(f"no {kind} named {wanted}")
    return sorted(matches)[0]


class JumpScreen(ModalScreen[str | None]):
    """One line at the bottom; enter jumps, escape cancels."""

    CSS_PATH = "jump.tcss"
    BINDINGS = bindings(JUMP_ACTIONS)

    def compose(self) -> ComposeResult:
        yield Input(placeholder=":apps  :layers  :talos  :hr NAME  :ks NAME", id="jump")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
