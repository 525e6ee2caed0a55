"""Command palette (ctrl+p): every global action from the key registry, the Flux actions that
apply to the object on screen or to the marked ones (named with them; none under
`--read-only`, where they are refused), and "open" for every Kustomization and HelmRelease,
so nothing needs a key to be remembered."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tuiops.ui.actions import GLOBAL_ACTIONS
from tuiops.ui.bulk_actions import palette_offers
from tuiops.ui.state import host_of

Command = tuple[str, str, Callable[[], object]]


class ConsoleCommands(Provider):
    """Actions and objects of the console."""

    def _actions(self) -> list[Command]:
        """Global actions, then the Flux actions that apply where the palette was opened."""
        app = self.app
        commands: list[Command] = [
            (spec.description, f"key {spec.keys} · {spec.id}", partial(app.run_action, spec.action))
            for spec in GLOBAL_ACTIONS
        ]
        host = host_of(app)
        # `self.screen` is the screen under the palette; the command runs once the palette
        # is gone, on that same screen, through the same check as the key.
        for verb, target in palette_offers(self.screen, host):
            spec = verb.spec
            commands.append(
                (
                    f"{spec.description}: {target}",
                    f"key {spec.keys} · {spec.id}",
                    partial(app.run_action, spec.action),
                )
            )
        return commands

    def _commands(self) -> list[Command]:
        commands = self._actions()
        host = host_of(self.app)
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
        for text, help_text, command in self._actions():
            yield DiscoveryHit(text, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_text, command in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), command, help=help_text)
