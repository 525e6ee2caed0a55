"""Env keeps its place in the navigation; its screen comes with its issue."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Static


class _Placeholder(Screen[None]):
    TEXT = ""

    def compose(self) -> ComposeResult:
        yield Static(self.TEXT, id="placeholder")
        yield Footer()


class EnvScreen(_Placeholder):
    """SOPS env editing (next issue); the CLI has it today: `tuiops env show`."""

    TEXT = (
        "Env: SOPS-decrypted clusterenv editing comes with its own issue.\n"
        "Today: `tuiops env show`, `env set KEY`, `env rotate KEY` on the command line."
    )
