"""The console that notes every notification it shows, and the Env screen helpers the Env,
rotation and recipients pilot tests share."""

from __future__ import annotations

from textual.notifications import SeverityLevel
from textual.pilot import Pilot

from tests.pilot_waits import settle, wait_for, wait_for_screen
from tuiops.services.backend import Backend
from tuiops.ui.app import TuiopsApp
from tuiops.ui.screens.env import EnvScreen
from tuiops.ui.widgets.resource_table import ResourceTable

CLUSTERENV = "clusters/main/clusterenv.yaml"


class NotingApp(TuiopsApp):
    """The console, noting (severity, message) of every notification."""

    def __init__(self, backend: Backend) -> None:
        super().__init__(backend)
        self.notes: list[tuple[str, str]] = []

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        self.notes.append((severity, message))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)


async def open_env(pilot: Pilot[None]) -> EnvScreen:
    """Env (key 4), once clusterenv.yaml is decrypted and drawn."""
    await pilot.press("4")
    screen = await wait_for_screen(pilot, EnvScreen)
    await wait_for(
        pilot,
        lambda: screen.file is not None and screen.file.rel == CLUSTERENV,
        what="clusterenv decrypted",
    )
    await settle(pilot)
    return screen


async def to_key(pilot: Pilot[None], screen: EnvScreen, key: str) -> None:
    """The key table's cursor on `key`."""
    table = screen.query_one("#env-keys", ResourceTable)
    table.focus()
    table.move_cursor(table.row_index(key))
    await wait_for(pilot, lambda: table.cursor_key == key, what=f"the cursor on {key}")
