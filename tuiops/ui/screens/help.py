"""`?`: every key, from the one registry in `actions.py` (with the user's remaps applied)."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tuiops.ui.actions import (
    APPS_ACTIONS,
    CONFIRM_ACTIONS,
    DETAIL_ACTIONS,
    FLUX_ACTIONS,
    GLOBAL_ACTIONS,
    HELP_ACTIONS,
    HISTORY_ACTIONS,
    bindings,
    key_label,
)


class HelpScreen(ModalScreen[None]):
    """A table of keys per screen; escape or ? closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen VerticalScroll { width: 72; max-height: 90%; border: round $primary;
                                background: $surface; padding: 0 1; }
    """
    BINDINGS = bindings(HELP_ACTIONS)

    def compose(self) -> ComposeResult:
        keymap = getattr(self.app, "_keymap", {}) or {}
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        table.add_column(style="dim")
        for title, specs in (
            ("everywhere", GLOBAL_ACTIONS),
            ("flux (asks first)", FLUX_ACTIONS),
            ("apps", APPS_ACTIONS),
            ("detail", DETAIL_ACTIONS),
            ("history", HISTORY_ACTIONS),
            ("confirmation", CONFIRM_ACTIONS),
        ):
            table.add_row(title.upper(), "", "")
            for spec in specs:
                table.add_row(key_label(keymap.get(spec.id, spec.keys)), spec.description, spec.id)
        with VerticalScroll():
            yield Static(table)
