"""Pick one name from a short list: the kube contexts `:ctx` lists, the repo clusters
`:cluster` lists, a pod's containers (`c` on its logs). The entry in use is marked and has the
cursor; enter picks, escape or `q` cancels. The result is the picked name, or None."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tuiops.domain.text import inert
from tuiops.ui.actions import CHOOSE_ACTIONS, bindings
from tuiops.ui.tones import Tone


@dataclass(frozen=True, slots=True)
class Choice:
    """One entry of the list."""

    name: str
    """What picking it returns (a context, cluster or container name)."""
    detail: str = ""
    """One line beside the name (server, namespace); untrusted, shown inert."""
    in_use: bool = False


class ChooseScreen(ModalScreen[str | None]):
    """A titled list of choices over the current screen."""

    CSS_PATH = "choose.tcss"
    BINDINGS = bindings(CHOOSE_ACTIONS)

    def __init__(self, title: str, choices: tuple[Choice, ...]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(id="choose-box"):
            yield Static(Content.styled(inert(self.title_text, one_line=True), Tone.HEADING))
            width = max((len(choice.name) for choice in self.choices), default=0)
            options = (self._option(choice, width) for choice in self.choices)
            yield OptionList(*options, id="choices")
            yield Static(
                Content.styled("enter picks · esc cancels · ● in use", Tone.MUTED), id="choose-keys"
            )

    @staticmethod
    def _option(choice: Choice, width: int) -> Option:
        """One line: the in-use dot, the name padded to `width`, the detail."""
        name = inert(choice.name, one_line=True).ljust(width)
        line = Content.assemble(
            ("● " if choice.in_use else "  ", Tone.GOOD),
            (name, Tone.STRONG if choice.in_use else ""),
            (f"  {inert(choice.detail, one_line=True)}" if choice.detail else "", Tone.MUTED),
        )
        return Option(line, id=choice.name)

    def on_mount(self) -> None:
        options = self.query_one("#choices", OptionList)
        options.highlighted = next(
            (index for index, choice in enumerate(self.choices) if choice.in_use), 0
        )
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
