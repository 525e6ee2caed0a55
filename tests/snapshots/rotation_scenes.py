"""The rotation and rollback scenes for the snapshot tests: the rotation dialog on the demo's
clusterenv (`n` on NEXTCLOUD_ADMIN_PWD: a generated value, masked, of a fixed length; the
objects that use the key; commit, no remote to push to, reconcile), a finished rotation's
screen replayed from fixed steps and a fixed summary (a live run's shas and times would change
every time), and the GitOps rollback's confirmation from radarr's History. Nothing is written:
the demo repo stays as it is for the other scenes."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input

from tests.pilot_waits import settle, wait_for, wait_for_screen
from tests.snapshots.env_scenes import _env
from tests.snapshots.scenes import Scene, _app, _loaded
from tests.ui.noting_app import to_key
from tuiops.domain.refs import ObjectRef
from tuiops.domain.rotation import (
    Consumer,
    ObjectResult,
    PickUp,
    RotationStep,
    RotationSummary,
    StepStatus,
)
from tuiops.ui.screens.history import HistoryScreen
from tuiops.ui.screens.rollback import RollbackConfirm, chart_version_of
from tuiops.ui.screens.rotation import RotationHeading, RotationScreen, StepSink
from tuiops.ui.screens.rotation_dialog import RotationDialog
from tuiops.ui.widgets.resource_table import ResourceTable

KEY = "NEXTCLOUD_ADMIN_PWD"
CLUSTERENV = "clusters/main/clusterenv.yaml"
SHA = "3f9c2a7d41e08b5c6a9f0e1d2c3b4a5968778695"
SOURCE = ObjectRef("GitRepository", "flux-system", "cluster")
KUSTOMIZATION = ObjectRef("Kustomization", "flux-system", "nextcloud")
RELEASE = ObjectRef("HelmRelease", "nextcloud", "nextcloud")
DEPLOYMENT = ObjectRef("Deployment", "nextcloud", "nextcloud")
CRON = ObjectRef("Deployment", "nextcloud", "nextcloud-cron")
RADARR = ObjectRef("HelmRelease", "radarr", "radarr")

_COMMITTED = f"committed {SHA[:12]}: chore(env): rotate {KEY}"
_REVISION = f"main@sha1:{SHA}"
STEPS = (
    RotationStep("save", StepStatus.RUNNING, f"saving {CLUSTERENV} through SOPS"),
    RotationStep("save", StepStatus.OK, f"saved {CLUSTERENV}: 1 change"),
    RotationStep("commit", StepStatus.RUNNING, f"git commit: chore(env): rotate {KEY}"),
    RotationStep("commit", StepStatus.OK, _COMMITTED),
    RotationStep("source", StepStatus.RUNNING, f"reconciling {SOURCE}", SOURCE),
    RotationStep("source", StepStatus.OK, f"{SOURCE}: reconciled: {_REVISION}", SOURCE),
    RotationStep("reconcile", StepStatus.RUNNING, f"reconciling {KUSTOMIZATION}", KUSTOMIZATION),
    RotationStep(
        "reconcile", StepStatus.OK, f"{KUSTOMIZATION}: reconciled: {_REVISION}", KUSTOMIZATION
    ),
    RotationStep("release", StepStatus.RUNNING, f"reconciling {RELEASE}", RELEASE),
    RotationStep("release", StepStatus.OK, f"{RELEASE}: reconciled: 36.3.0", RELEASE),
)
CONSUMERS = (
    Consumer(
        DEPLOYMENT,
        "HelmRelease nextcloud/nextcloud values",
        PickUp.RESTART_NEEDED,
        "running pods keep the old value until restarted",
    ),
    Consumer(
        CRON,
        "envFrom Secret/nextcloud-env",
        PickUp.RELOADER,
        "a reloader annotation restarts it",
    ),
)
SUMMARY = RotationSummary(
    keys=(KEY,),
    commit=SHA,
    results=(
        ObjectResult("save", True, f"saved {CLUSTERENV}: 1 change"),
        ObjectResult("commit", True, _COMMITTED),
        ObjectResult(str(SOURCE), True, f"reconciled: {_REVISION}"),
        ObjectResult(str(KUSTOMIZATION), True, f"reconciled: {_REVISION}"),
        ObjectResult(str(RELEASE), True, "reconciled: 36.3.0"),
    ),
    consumers=CONSUMERS,
)
"""A finished rotation: every object reconciled, one workload left to restart."""


def replay(on_step: StepSink) -> RotationSummary:
    """The rotation screen's job, without a cluster: the fixed steps, then the summary."""
    for step in STEPS:
        on_step(step)
    for consumer in CONSUMERS:
        status = StepStatus.WARNING if consumer.needs_restart else StepStatus.OK
        text = f"{consumer.workload} ({consumer.via}): {consumer.pick_up.value}: {consumer.reason}"
        on_step(RotationStep("consumer", status, text, consumer.workload))
    return SUMMARY


async def rotation_dialog(pilot: Pilot[None]) -> None:
    """n on NEXTCLOUD_ADMIN_PWD: the dialog with a 32-character value, masked."""
    screen = await _env(pilot)
    await to_key(pilot, screen, KEY)
    await pilot.press("n")
    dialog = await wait_for_screen(pilot, RotationDialog)
    await wait_for(pilot, lambda: dialog.preview is not None, what="the objects using the key")
    await wait_for(pilot, lambda: dialog.focused is not None, what="the value focused")
    for field in dialog.query(Input):
        field.cursor_blink = False
    await settle(pilot)


async def rotation_summary(pilot: Pilot[None]) -> None:
    """A finished rotation (fixed steps and summary) on the rotation screen."""
    await _loaded(pilot)
    heading = RotationHeading((KEY,), CLUSTERENV, "demo (simulated)")
    screen = RotationScreen(heading, replay)
    await pilot.app.push_screen(screen)
    await wait_for(pilot, lambda: screen.summary is not None, what="the replayed rotation")
    await settle(pilot)


async def rollback_confirm(pilot: Pilot[None]) -> None:
    """B on radarr's older revision in History: the rollback's confirmation."""
    await _loaded(pilot)
    _app(pilot).open_history(RADARR)
    screen = await wait_for_screen(pilot, HistoryScreen)
    await wait_for(pilot, lambda: bool(screen.revisions), what="radarr's Helm storage")
    await settle(pilot)
    newest = chart_version_of(screen.merged[0])
    older = next(row for row in screen.merged if chart_version_of(row) != newest)
    table = screen.query_one(ResourceTable)
    table.move_cursor(table.row_index(str(older.number)))
    await wait_for(pilot, lambda: table.cursor_key == str(older.number), what="the older row")
    await pilot.press("B")
    await wait_for_screen(pilot, RollbackConfirm)
    await settle(pilot)


ROTATION_SCENES = (
    Scene("rotation-dialog", rotation_dialog),
    Scene("rotation-summary", rotation_summary),
    Scene("rotation-rollback-confirm", rollback_confirm),
)
