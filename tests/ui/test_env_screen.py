"""Pilot tests of the Env screen on a copy of the example repo (offline backend): a value edited
through the masked input, reviewed (masked, then revealed) and saved after the confirmation
naming context and file, which the real sops then reads, with the same diff `sops set` gives;
a save refused after an outside change, with the reload offered; `--read-only` refusing every
edit in one line; and a sentinel secret set through the UI found nowhere unencrypted on disk or
in Textual's log."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
import textual.constants
from textual.pilot import Pilot
from textual.widgets import Input, Static

from tests.pilot_waits import settle, wait_for, wait_for_screen
from tests.services.test_env_session import CLUSTERENV, assert_same_diff_as_sops_set, sops
from tests.sops.test_no_plaintext_on_disk import scan
from tests.ui.noting_app import NotingApp, open_env, to_key
from tuiops.domain.env_checks import MASK
from tuiops.services.audit import AuditLog
from tuiops.services.backend import Backend
from tuiops.sim.example_repo import copy_example
from tuiops.ui.screens.confirm import ConfirmScreen
from tuiops.ui.screens.env import EnvScreen
from tuiops.ui.screens.env_dialogs import AddKeyDialog, ReviewDialog, ValueDialog

CONTEXT = "homelab-test"


class EnvApp(NotingApp):
    """The console on an offline backend, noting every notification."""

    def __init__(self, repo: Path, *, read_only: bool = False) -> None:
        backend = Backend(
            repo,
            offline_reason="offline (--offline)",
            label=CONTEXT,
            audit=AuditLog(context=CONTEXT),
        )
        super().__init__(backend if not read_only else _read_only(backend))


def _read_only(backend: Backend) -> Backend:
    return Backend(backend.repo_root, offline_reason=backend.offline_reason, read_only=True,
                   label=backend.label, audit=backend.audit)  # fmt: skip


Flow = Callable[[EnvApp, Pilot[None], EnvScreen], Awaitable[None]]


def run_env(repo: Path, flow: Flow, *, read_only: bool = False) -> EnvApp:
    """Open Env (key 4) on `repo`, wait until clusterenv is decrypted, run `flow`."""

    async def main() -> EnvApp:
        app = EnvApp(repo, read_only=read_only)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await open_env(pilot)
            await flow(app, pilot, screen)
        return app

    return asyncio.run(main())


async def type_value(pilot: Pilot[None], value: str) -> None:
    """In the open ValueDialog: replace what is there with `value`, press enter."""
    dialog = await wait_for_screen(pilot, ValueDialog)
    field = dialog.query_one(Input)
    assert field.password  # masked while typed
    field.value = ""
    await pilot.press(*value, "enter")


def dialog_text(screen: object) -> str:
    from textual.screen import Screen

    assert isinstance(screen, Screen)
    return "\n".join(str(static.render()) for static in screen.query(Static))


def audit_lines() -> list[str]:
    """The session's audit log (conftest puts XDG_STATE_HOME in a temp dir)."""
    path = Path(os.environ["XDG_STATE_HOME"]) / "tuiops" / "audit.jsonl"
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "repo")


def test_edit_review_save_is_what_sops_set_gives(repo: Path) -> None:
    original = (repo / CLUSTERENV).read_text(encoding="utf-8")

    async def flow(app: EnvApp, pilot: Pilot[None], screen: EnvScreen) -> None:
        await to_key(pilot, screen, "PLEX_IP")
        await pilot.press("e")
        await type_value(pilot, "192.168.10.240")
        await wait_for(pilot, lambda: screen.file is not None and bool(screen.file.edits))
        await pilot.press("s")
        review = await wait_for_screen(pilot, ReviewDialog)
        masked = dialog_text(review)
        assert f"~ PLEX_IP: {MASK} → {MASK} (changed)" in masked
        assert "192.168.10.240" not in masked
        await pilot.press("v")  # reveal
        await wait_for(pilot, lambda: "192.168.10.240" in dialog_text(review))
        await pilot.press("v")  # and mask again
        await wait_for(pilot, lambda: "192.168.10.240" not in dialog_text(review))
        await pilot.press("y")
        confirm = await wait_for_screen(pilot, ConfirmScreen)
        assert confirm.context == CONTEXT and CLUSTERENV in confirm.question
        await pilot.press("y")
        await wait_for(pilot, lambda: f"saved {CLUSTERENV}: 1 change" in dict(app.notes).values())
        await settle(pilot)
        assert screen.file is not None and screen.file.edits == ()

    audited = len(audit_lines())
    run_env(repo, flow)
    assert sops(repo, "-d", "--extract", '["PLEX_IP"]', CLUSTERENV) == "192.168.10.240"
    saves = [json.loads(line) for line in audit_lines()[audited:]]
    assert [(e["action"], e["objects"], e["outcome"]) for e in saves] == [
        ("env save", [f"{CLUSTERENV}:PLEX_IP"], "ok")
    ]
    assert "192.168.10.240" not in "".join(audit_lines())
    assert_same_diff_as_sops_set(repo, original, CLUSTERENV, "PLEX_IP", "192.168.10.240")


def test_a_save_after_an_outside_change_is_refused_and_reload_offered(repo: Path) -> None:
    path = repo / CLUSTERENV
    outside = path.read_text(encoding="utf-8") + "# changed outside tuiops\n"

    async def flow(app: EnvApp, pilot: Pilot[None], screen: EnvScreen) -> None:
        await to_key(pilot, screen, "PLEX_IP")
        await pilot.press("e")
        await type_value(pilot, "192.168.10.241")
        await wait_for(pilot, lambda: screen.file is not None and bool(screen.file.edits))
        path.write_text(outside, encoding="utf-8")
        await pilot.press("s")
        await wait_for_screen(pilot, ReviewDialog)
        await pilot.press("y")
        await wait_for_screen(pilot, ConfirmScreen)
        await pilot.press("y")
        offer = await wait_for_screen(pilot, ConfirmScreen)
        await wait_for(pilot, lambda: "changed on disk" in offer.question)
        refused = f"{CLUSTERENV} changed on disk since it was read; nothing written (reload)"
        assert ("warning", refused) in app.notes
        assert path.read_text(encoding="utf-8") == outside
        await pilot.press("y")  # reload
        await wait_for(pilot, lambda: screen.file is not None and not screen.file.edits)
        await settle(pilot)

    run_env(repo, flow)
    assert path.read_text(encoding="utf-8") == outside


def test_read_only_refuses_every_edit_in_one_line(repo: Path) -> None:
    before = (repo / CLUSTERENV).read_bytes()

    async def flow(app: EnvApp, pilot: Pilot[None], screen: EnvScreen) -> None:
        await to_key(pilot, screen, "PLEX_IP")
        words = {"e": "editing", "E": "editing", "a": "adding a key to"}
        words |= {"d": "deleting a key of", "s": "saving", "enter": "editing"}
        for key, verb in words.items():
            count = len(app.notes)
            await pilot.press(key)

            def answered(count: int = count) -> bool:
                return len(app.notes) > count

            await wait_for(pilot, answered, what=f"the answer to {key}")
            assert app.notes[-1] == (
                "warning",
                f"read-only: {verb} {CLUSTERENV} refused (tuiops runs with --read-only)",
            )
            assert app.screen is screen, key  # no dialog opened
        # The code path refuses too, not only the keys: a save asked for directly.
        assert screen.file is not None
        screen.file.stage_set("PLEX_IP", "192.168.10.242")  # as a bug could
        count = len(app.notes)
        screen.save()
        await wait_for(pilot, lambda: len(app.notes) > count, what="the save's refusal")
        assert app.notes[-1][1].startswith("read-only: saving")
        await settle(pilot)
        assert "read-only: view only" in str(screen.query_one("#env-summary", Static).render())

    run_env(repo, flow, read_only=True)
    assert (repo / CLUSTERENV).read_bytes() == before


def test_a_sentinel_secret_set_through_the_ui_is_nowhere_unencrypted(
    tmp_path: Path, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "textual.log"
    monkeypatch.setattr(textual.constants, "LOG_FILE", str(log))
    sentinel = "tuiops-sentinel-7c1d9e4b"

    async def flow(app: EnvApp, pilot: Pilot[None], screen: EnvScreen) -> None:
        await pilot.press("a")
        dialog = await wait_for_screen(pilot, AddKeyDialog)
        assert dialog.query_one("#value", Input).password  # masked while typed
        await pilot.press(*"SENTINEL_TOKEN", "enter", *sentinel, "enter")
        await wait_for(pilot, lambda: app.screen is screen, what="the add dialog closed")
        await to_key(pilot, screen, "SENTINEL_TOKEN")
        await pilot.press("v")  # revealed on screen: drawn, never logged
        await pilot.press("s")
        await wait_for_screen(pilot, ReviewDialog)
        await pilot.press("v", "y")
        await wait_for_screen(pilot, ConfirmScreen)
        await pilot.press("y")
        await wait_for(pilot, lambda: any(m.startswith("saved ") for _s, m in app.notes))
        await settle(pilot)
        assert all(sentinel not in message for _severity, message in app.notes)

    run_env(repo, flow)
    assert sops(repo, "-d", "--extract", '["SENTINEL_TOKEN"]', CLUSTERENV) == sentinel
    assert log.exists() and log.stat().st_size > 0  # the log was written, and is scanned
    assert scan([tmp_path], sentinel) == []
    assert audit_lines() and all(sentinel not in line for line in audit_lines())
