"""Secret rotation from the Env screen, end to end, against the simulator and a temporary git
repo: `n` on a key, the dialog (a generated or typed value, masked; the objects that use the
key; commit, push, reconcile), the confirmation naming context, file and objects, then the
rotation screen: the save, the commit, the source and the Kustomizations reconciled to Ready,
the consuming workloads, the offered rollout restart and the summary per object. A reconcile
that fails is reported per object; read-only refuses at the key and in the code path; a
sentinel typed into the dialog is nowhere unencrypted: not on disk, in git's objects, in a
notification, in the audit log or in Textual's log."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import textual.constants
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Static

from tests.git_repos import example_git_repo, git, isolated_env
from tests.pilot_waits import settle, wait_for, wait_for_screen
from tests.sops.test_no_plaintext_on_disk import scan
from tests.test_cli_env_rotate import every_git_object
from tests.ui.noting_app import NotingApp, open_env, to_key
from tuiops import wiring
from tuiops.domain.refs import ObjectRef
from tuiops.domain.rotation import PickUp, RotationStep, StepStatus
from tuiops.domain.status import ConditionStatus
from tuiops.services.audit import AuditLog, audit_path
from tuiops.services.backend import Backend
from tuiops.sim.session import Simulation, start_simulation
from tuiops.ui.screens.confirm import ConfirmScreen
from tuiops.ui.screens.env import EnvScreen
from tuiops.ui.screens.rotation import RotationHeading, RotationScreen
from tuiops.ui.screens.rotation_dialog import RotationChoice, RotationDialog
from tuiops.ui.screens.rotation_flow import rotation_job

KEY = "NEXTCLOUD_ADMIN_PWD"
CLUSTERENV = "clusters/main/clusterenv.yaml"
NEXTCLOUD_KS = "Kustomization/flux-system/nextcloud"
NEXTCLOUD_HR = "HelmRelease/nextcloud/nextcloud"
NEXTCLOUD_DEPLOY = ObjectRef("Deployment", "nextcloud", "nextcloud")
SOURCE = "GitRepository/flux-system/cluster"
CONTEXT = "tuiops-sim"


@dataclass
class Setup:
    repo: Path
    sim: Simulation
    env: dict[str, str]


@contextmanager
def simulated_git_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Setup]:
    """The example repo as a git repository served by the simulator; git sees only the repo's
    own config (and identity), and the audit log goes to the test's state folder."""
    env = isolated_env(tmp_path / "home")
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    env = {k: v for k, v in env.items() if not k.startswith("SOPS_")}
    for name in list(os.environ):
        if name not in env:
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    repo = example_git_repo(tmp_path / "repo", env)
    sim = start_simulation(repo=repo, workdir=tmp_path / "sim", controller_delay=0.05)
    try:
        yield Setup(repo, sim, env)
    finally:
        sim.stop()


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Setup]:
    with simulated_git_repo(tmp_path, monkeypatch) as running:
        yield running


def backend_of(setup: Setup, *, read_only: bool = False) -> Backend:
    return wiring.cluster_backend(
        setup.repo,
        kubeconfig=str(setup.sim.kubeconfig),
        talosctl=str(setup.sim.talosctl),
        label=CONTEXT,
        read_only=read_only,
        action_poll=0.05,
        action_timeout=60.0,
    )


Flow = Callable[[NotingApp, Pilot[None], EnvScreen], Awaitable[None]]


def run_env(setup: Setup, flow: Flow, *, read_only: bool = False) -> NotingApp:
    """The console on the simulator, live; Env (4) open on clusterenv; then `flow`."""

    async def main() -> NotingApp:
        app = NotingApp(backend_of(setup, read_only=read_only))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: app.state.connection == "live", 60, "a live console")
            screen = await open_env(pilot)
            await flow(app, pilot, screen)
        return app

    return asyncio.run(main())


async def open_dialog(pilot: Pilot[None], screen: EnvScreen) -> RotationDialog:
    await to_key(pilot, screen, KEY)
    await pilot.press("n")
    dialog = await wait_for_screen(pilot, RotationDialog)
    await wait_for(pilot, lambda: dialog.preview is not None, 30, "the objects using the key")
    return dialog


async def rotate(pilot: Pilot[None], dialog: RotationDialog) -> RotationScreen:
    """ctrl+s in the dialog, y in the confirmation; the rotation screen once it is done."""
    await pilot.press("ctrl+s")
    confirm = await wait_for_screen(pilot, ConfirmScreen)
    assert confirm.context == CONTEXT
    assert confirm.question == f"Rotate {KEY} in {CLUSTERENV}?"
    assert f"file {CLUSTERENV}" in confirm.objects
    assert f"reconcile {NEXTCLOUD_KS}" in confirm.objects
    await pilot.press("y")
    rotation = await wait_for_screen(pilot, RotationScreen)
    await wait_for(pilot, lambda: rotation.summary is not None, 120, "the rotation's end")
    await settle(pilot)
    return rotation


def screen_text(screen: object) -> str:
    from textual.screen import Screen

    assert isinstance(screen, Screen)
    return "\n".join(str(static.render()) for static in screen.query(Static))


def head(setup: Setup) -> str:
    return git(setup.repo, "rev-parse", "HEAD", env=setup.env).strip()


def test_rotate_end_to_end_commits_reconciles_and_restarts(setup: Setup) -> None:
    before = head(setup)
    seen: list[list[RotationStep]] = []

    async def flow(app: NotingApp, pilot: Pilot[None], screen: EnvScreen) -> None:
        dialog = await open_dialog(pilot, screen)
        assert dialog.preview is not None
        assert NEXTCLOUD_KS in dialog.preview.objects
        assert NEXTCLOUD_HR in dialog.preview.objects
        value = dialog.query_one("#value", Input)
        assert value.password and len(value.value) == 32  # generated, masked
        assert dialog.query_one("#message", Input).value == f"chore(env): rotate {KEY}"
        assert not dialog.query_one("#push", Checkbox).display  # no remote: not offered
        assert dialog.query_one("#reconcile", Checkbox).value
        assert value.value not in screen_text(dialog)
        rotation = await rotate(pilot, dialog)
        summary = rotation.summary
        assert summary is not None
        assert summary.succeeded, summary.results
        results = {result.what: result for result in summary.results}
        assert results["save"].text == f"saved {CLUSTERENV}: 1 change"
        assert results["commit"].text.startswith("committed ")
        assert results[SOURCE].ok and results[NEXTCLOUD_KS].ok and results[NEXTCLOUD_HR].ok
        # The steps came in order: save, commit, the source before the Kustomization.
        phases = [step.phase for step in rotation.steps.values()]
        assert phases[:2] == ["save", "commit"]
        order = [str(step.ref) for step in rotation.steps.values() if step.ref is not None]
        assert order.index(SOURCE) < order.index(NEXTCLOUD_KS) < order.index(NEXTCLOUD_HR)
        seen.append(list(rotation.steps.values()))
        consumer = next(c for c in summary.consumers if c.workload == NEXTCLOUD_DEPLOY)
        assert consumer.pick_up is PickUp.RESTART_NEEDED
        text = screen_text(rotation)
        assert f"rotation of {KEY}: succeeded" in text
        assert "1 workload needs a restart (r)" in text
        assert f"✔ {NEXTCLOUD_KS}" in text
        # Ready at the new commit in the console's own picture as well.
        ks = ObjectRef("Kustomization", "flux-system", "nextcloud")

        def applied() -> bool:
            live = app.state.objects.get(ks)
            return (
                live is not None
                and live.last_applied_revision.endswith(summary.commit)
                and any(
                    c.type == "Ready" and c.status is ConditionStatus.TRUE for c in live.conditions
                )
            )

        await wait_for(pilot, applied, 30, "nextcloud Ready at the rotation's commit")
        # The offered restart, confirmed.
        await pilot.press("r")
        confirm = await wait_for_screen(pilot, ConfirmScreen)
        assert confirm.objects == (str(NEXTCLOUD_DEPLOY),) and confirm.context == CONTEXT
        await pilot.press("y")
        await wait_for_screen(pilot, RotationScreen)

        def restarted() -> bool:
            done = rotation.summary
            return done is not None and not done.to_restart and not rotation.running

        await wait_for(pilot, restarted, 60, "the restart")
        await settle(pilot)
        assert rotation.summary is not None and rotation.summary.complete
        assert f"✔ {NEXTCLOUD_DEPLOY}: restarted" in screen_text(rotation)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="back on Env")
        assert screen.file is not None and not screen.file.edits

    run_env(setup, flow)
    # One commit of exactly the SOPS file, with the key in its message.
    assert git(setup.repo, "rev-parse", "HEAD~1", env=setup.env).strip() == before
    message = git(setup.repo, "log", "-1", "--format=%B", env=setup.env).strip()
    assert message == f"chore(env): rotate {KEY}"
    changed = git(setup.repo, "show", "--name-only", "--format=", "HEAD", env=setup.env).split()
    assert changed == [CLUSTERENV]
    assert git(setup.repo, "status", "--porcelain", env=setup.env) == ""
    # The audit log: the save, the commit, each reconcile, the restart.
    entries = list(AuditLog(audit_path()).entries())
    actions = [(entry.action, entry.outcome.value) for entry in entries]
    assert ("env save", "ok") in actions and ("git commit", "ok") in actions
    assert ("rollout restart", "ok") in actions
    reconciled = {
        obj for entry in entries if entry.action == "flux reconcile" for obj in entry.objects
    }
    assert {SOURCE, NEXTCLOUD_KS, NEXTCLOUD_HR} <= reconciled
    assert all(step.status is not StepStatus.FAILED for step in seen[0])


def test_a_failing_reconcile_is_reported_per_object(setup: Setup) -> None:
    assert setup.sim.controllers is not None
    setup.sim.controllers.fail(NEXTCLOUD_KS, "Secret/nextcloud/creds dry-run failed: boom")

    async def flow(app: NotingApp, pilot: Pilot[None], screen: EnvScreen) -> None:
        rotation = await rotate(pilot, await open_dialog(pilot, screen))
        summary = rotation.summary
        assert summary is not None and not summary.succeeded
        results = {result.what: result for result in summary.results}
        assert results["save"].ok and results["commit"].ok and results[SOURCE].ok
        assert not results[NEXTCLOUD_KS].ok and "boom" in results[NEXTCLOUD_KS].text
        assert not results[NEXTCLOUD_HR].ok
        assert results[NEXTCLOUD_HR].text == f"not reconciled: {NEXTCLOUD_KS} failed"
        text = screen_text(rotation)
        assert f"rotation of {KEY}: FAILED (2 objects)" in text
        assert f"✗ {NEXTCLOUD_KS}: " in text and f"✗ {NEXTCLOUD_HR}: not reconciled" in text
        assert f"✔ {SOURCE}: " in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="back on Env")

    run_env(setup, flow)
    message = git(setup.repo, "log", "-1", "--format=%B", env=setup.env).strip()
    assert message == f"chore(env): rotate {KEY}"  # the commit stays; the failure is Flux's


def test_read_only_refuses_the_rotation_at_the_key_and_in_the_code_path(setup: Setup) -> None:
    before = (setup.repo / CLUSTERENV).read_bytes()
    commit = head(setup)

    async def flow(app: NotingApp, pilot: Pilot[None], screen: EnvScreen) -> None:
        await to_key(pilot, screen, KEY)
        count = len(app.notes)
        await pilot.press("n")
        await wait_for(pilot, lambda: len(app.notes) > count, what="the refusal")
        assert app.notes[-1] == (
            "warning",
            f"read-only: rotating a key of {CLUSTERENV} refused (tuiops runs with --read-only)",
        )
        assert app.screen is screen  # no dialog
        # The job refuses too, as a bug reaching it would find: nothing saved or committed.
        file = screen.file
        assert file is not None
        file.stage_set(KEY, "not-saved-value")
        choice = RotationChoice("not-saved-value", message="chore(env): rotate it")
        job = rotation_job(screen, file, KEY, KEY, choice, lambda: None)
        rotation = RotationScreen(RotationHeading((KEY,), CLUSTERENV, CONTEXT), job, None)
        await app.push_screen(rotation)
        await wait_for(pilot, lambda: rotation.summary is not None, 30, "the refused job")
        assert rotation.summary is not None and not rotation.summary.succeeded
        save = rotation.summary.results[0]
        assert save.what == "save" and save.text.startswith("read-only (--read-only): env save")
        assert not file.edits  # unstaged again
        await settle(pilot)

    run_env(setup, flow, read_only=True)
    assert (setup.repo / CLUSTERENV).read_bytes() == before
    assert head(setup) == commit
    refused = [e for e in AuditLog(audit_path()).entries() if e.action == "env save"]
    assert [e.outcome.value for e in refused] == ["refused"]


def test_a_sentinel_typed_into_the_dialog_is_nowhere_unencrypted(
    tmp_path: Path, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "textual.log"
    monkeypatch.setattr(textual.constants, "LOG_FILE", str(log))
    sentinel = "tuiops-rotation-sentinel-5e2f8a"

    async def flow(app: NotingApp, pilot: Pilot[None], screen: EnvScreen) -> None:
        dialog = await open_dialog(pilot, screen)
        field = dialog.query_one("#value", Input)
        field.value = ""
        await pilot.press(*sentinel)
        assert field.value == sentinel and field.password
        assert sentinel not in screen_text(dialog)
        await pilot.press("ctrl+t")  # revealed on screen: drawn, never logged
        await wait_for(pilot, lambda: not field.password)
        rotation = await rotate(pilot, dialog)
        assert rotation.summary is not None and rotation.summary.succeeded
        assert sentinel not in screen_text(rotation)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="back on Env")
        await to_key(pilot, screen, KEY)
        await pilot.press("v")  # the Env row shows it when revealed: drawn, never logged
        await settle(pilot)
        assert all(sentinel not in message for _severity, message in app.notes)

    run_env(setup, flow)
    assert log.exists() and log.stat().st_size > 0  # the log was written, and is scanned
    assert scan([tmp_path], sentinel) == []
    assert sentinel.encode() not in every_git_object(setup.repo, setup.env)
    assert sentinel not in audit_path().read_text(encoding="utf-8")
