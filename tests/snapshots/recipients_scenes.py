"""The Recipients screen's scenes for the snapshot tests, on the deterministic degraded demo
whose `.sops.yaml` also names the test recipient `age-test-2` (its key kept in the repo's
age.agekey beside the demo key): the dry run, the update's confirmation, and the files updated
with the Secret's confirmation on top. Each scene gets its own demo repo (the last one writes)."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from tests.pilot_waits import settle, wait_for, wait_for_screen
from tests.snapshots.scenes import Scene, _loaded
from tests.sops.strategies import KEY_FILE_2, recipient
from tuiops.ui.screens.confirm import ConfirmScreen
from tuiops.ui.screens.env import EnvScreen
from tuiops.ui.screens.recipients import RecipientsScreen

OLD = "age1gk9avkw4yfhkcqs9ajfngkq95654e5q8k5nhsp3wmcaaz800lu3qnldkcm"


def add_test_recipient(repo: Path) -> None:
    """Every rule also names age-test-2, whose key the user keeps in age.agekey."""
    config = repo / ".sops.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace(f"age: {OLD}", f"age: {OLD},{recipient(2)}"), encoding="utf-8")
    key = KEY_FILE_2.read_text(encoding="ascii").strip().splitlines()[-1]
    with (repo / "age.agekey").open("a", encoding="ascii") as keys:
        keys.write(key + "\n")


async def _recipients(pilot: Pilot[None]) -> RecipientsScreen:
    await _loaded(pilot)
    await pilot.press("4")
    await wait_for_screen(pilot, EnvScreen)
    await settle(pilot)
    await pilot.press("K")
    screen = await wait_for_screen(pilot, RecipientsScreen)
    await wait_for(pilot, lambda: screen.plan is not None, what="the dry run")
    await settle(pilot)
    return screen


async def recipients_plan(pilot: Pilot[None]) -> None:
    """K on Env: the three files, their recipients now and wanted, and the key on offer."""
    await _recipients(pilot)


async def recipients_confirm(pilot: Pilot[None]) -> None:
    """u: the confirmation naming the context and the files."""
    await _recipients(pilot)
    await pilot.press("u")
    await wait_for_screen(pilot, ConfirmScreen)
    await settle(pilot)


async def recipients_updated(pilot: Pilot[None]) -> None:
    """u, y: every file updated, and the Secret's confirmation offered on top."""
    screen = await _recipients(pilot)
    await pilot.press("u")
    first = await wait_for_screen(pilot, ConfirmScreen)
    await pilot.press("y")
    await wait_for(
        pilot,
        lambda: isinstance(pilot.app.screen, ConfirmScreen) and pilot.app.screen is not first,
        what="the Secret's confirmation",
    )
    assert len(screen.results) == 3
    await settle(pilot)


RECIPIENTS_SCENES = (
    Scene("recipients-plan", recipients_plan),
    Scene("recipients-confirm", recipients_confirm),
    Scene("recipients-updated", recipients_updated),
)
