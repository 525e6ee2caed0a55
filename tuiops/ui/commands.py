"""Command palette (ctrl+p): every global action from the key registry, and "open" for every
Kustomization and HelmRelease, so nothing needs a key to be remembered."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tuiops.ui.actions import GLOBAL_ACTIONS
from tuiops.ui.state import host_of


class ConsoleCommands(Provider):
    """Actions and objects of the console."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = self.app
        commands: list[tuple[str, str, Callable[[], object]]] = [
            (
                f"{spec.description}",
                f"key {spec.keys} · {spec.id}",
                partial(app.run_action, spec.action),
            )
            for spec in GLOBAL_ACTIONS
        ]
        host = host_of(app)
        for row in host.state.rows:
            commands.append(
                (
                    f"open {row.ref}",
                    f"{row.health.value} · layer {row.layer or '-'}",
                    partial(host.open_detail, row.ref),
                )
            )
        return commands

    async def discover(self) -> Hits:
        for text, help_text, command in self._commands()[: len(GLOBAL_ACTIONS)]:
            yield DiscoveryHit(text, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_text, command in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), command, help=help_text)
