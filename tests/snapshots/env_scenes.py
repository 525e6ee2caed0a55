"""The Env screen's scenes for the snapshot tests: the screen on the demo's clusterenv (values
masked, one revealed), and its dialogs (a value, a multi-line value, a new key, the review, the
save's confirmation), each reached by real keys. Nothing is saved: the demo repo stays as it
is for the other scenes."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from tests.pilot_waits import settle, wait_for, wait_for_screen
from tests.snapshots.scenes import Scene, _loaded
from tests.ui.noting_app import open_env, to_key
from tuiops.ui.screens.confirm import ConfirmScreen
from tuiops.ui.screens.env import EnvScreen
from tuiops.ui.screens.env_dialogs import AddKeyDialog, ReviewDialog, TextDialog, ValueDialog

CLUSTERENV = "clusters/main/clusterenv.yaml"


async def _env(pilot: Pilot[None]) -> EnvScreen:
    await _loaded(pilot)
    return await open_env(pilot)


async def env_screen(pilot: Pilot[None]) -> None:
    """clusterenv with every value masked but PLEX_IP's (v), and one edit staged."""
    screen = await _env(pilot)
    assert screen.file is not None
    screen.file.stage_set("NAS_IP", "192.168.10.6")
    await to_key(pilot, screen, "PLEX_IP")
    await pilot.press("v")
    await settle(pilot)


async def _no_blink(pilot: Pilot[None]) -> None:
    """The dialog's field focused (its cursor drawn), and no blinking from then on."""
    screen = pilot.app.screen
    await wait_for(pilot, lambda: screen.focused is not None, what="the dialog's field focused")
    for field in screen.query(Input):
        field.cursor_blink = False
    for area in screen.query(TextArea):
        area.cursor_blink = False
    await settle(pilot)


async def env_value(pilot: Pilot[None]) -> None:
    """e on PLEX_IP: the masked input, holding the old value."""
    screen = await _env(pilot)
    await to_key(pilot, screen, "PLEX_IP")
    await pilot.press("e")
    await wait_for_screen(pilot, ValueDialog)
    await _no_blink(pilot)


async def env_text(pilot: Pilot[None]) -> None:
    """E on S3URL: the value in a text area."""
    screen = await _env(pilot)
    await to_key(pilot, screen, "S3URL")
    await pilot.press("E")
    await wait_for_screen(pilot, TextDialog)
    await _no_blink(pilot)


async def env_add(pilot: Pilot[None]) -> None:
    """a: a new key, its value masked."""
    await _env(pilot)
    await pilot.press("a")
    await wait_for_screen(pilot, AddKeyDialog)
    await pilot.press(*"NEW_APP_IP", "enter", *"10.0.0.1")
    await _no_blink(pilot)


async def _staged(pilot: Pilot[None]) -> EnvScreen:
    """Three edits staged: a LoadBalancer IP shared with another key (an error), a deleted
    key manifests use (a warning), an added key."""
    screen = await _env(pilot)
    file = screen.file
    assert file is not None
    file.stage_set("NAS_IP", "192.168.10.6")
    file.stage_delete("TZ")
    file.stage_add("NEW_TOKEN", "demo-not-a-secret")
    screen._show_rows()
    await settle(pilot)
    return screen


async def env_review(pilot: Pilot[None]) -> None:
    """s with three edits staged and one error: the masked diff and the checks."""
    screen = await _staged(pilot)
    assert screen.file is not None
    screen.file.stage_set("PLEX_IP", "192.168.10.206")
    await pilot.press("s")
    await wait_for_screen(pilot, ReviewDialog)
    await settle(pilot)


async def env_confirm(pilot: Pilot[None]) -> None:
    """s, then y: the save's confirmation naming the context and the file."""
    await _staged(pilot)
    await pilot.press("s")
    await wait_for_screen(pilot, ReviewDialog)
    await pilot.press("y")
    await wait_for_screen(pilot, ConfirmScreen)
    await settle(pilot)


ENV_SCENES = (
    Scene("env-screen", env_screen),
    Scene("env-value", env_value),
    Scene("env-text", env_text),
    Scene("env-add", env_add),
    Scene("env-review", env_review),
    Scene("env-confirm", env_confirm),
)
