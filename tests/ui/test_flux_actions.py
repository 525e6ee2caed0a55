"""Pilot tests of the app-wide Flux actions against the simulator through the real adapters
(`FluxActions` on the feed's KubeApi): resume and suspend ask first and change the store,
cancel changes nothing, reconcile asks and sets `requestedAt`, force/reset only for
HelmReleases, one action per object at a time, the palette offers what applies. Plus the
confirmation at 80x24 and the pure notification rules. Read-only and calm notifications are
in tests/ui/test_read_only.py, marks and bulk actions in tests/ui/test_marks_bulk.py.

Objects are picked through screens that implement `ShowsObject`: the History screen (a
HelmRelease) and, for a Kustomization, a minimal screen defined here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.app import ComposeResult
from textual.command import CommandPalette
from textual.notifications import SeverityLevel
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

from tests.pilot_waits import settle, wait_for, wait_for_screen
from tests.snapshots.scenes import LIVE_OBJECTS
from tuiops.domain.actions import ActionOutcome, ActionStep, FluxVerb, StepKind
from tuiops.domain.refs import ObjectRef
from tuiops.services.backend import Backend
from tuiops.sim.apiserver.resources import type_for_kind
from tuiops.sim.example_repo import EXAMPLE_REPO
from tuiops.sim.session import Simulation, start_simulation
from tuiops.ui.actions import ALL_ACTIONS, FLUX_ACTIONS
from tuiops.ui.app import TuiopsApp
from tuiops.ui.commands import ConsoleCommands
from tuiops.ui.flux_verbs import SPECS, VERBS, outcome_notice
from tuiops.ui.screens.confirm import ConfirmScreen
from tuiops.ui.screens.detail import DetailScreen
from tuiops.ui.screens.history import HistoryScreen
from tuiops.ui.state import ShowsObject
from tuiops.wiring import cluster_backend

PLEX = ObjectRef("HelmRelease", "plex", "plex")  # suspended in the degraded scenario
CILIUM = ObjectRef("HelmRelease", "kube-system", "cilium")
GPU = ObjectRef("HelmRelease", "kube-system", "intel-gpu-plugin")
NFD = ObjectRef("HelmRelease", "kube-system", "node-feature-discovery")
CILIUM_KS = ObjectRef("Kustomization", "flux-system", "cilium")
REQUESTED_AT = "reconcile.fluxcd.io/requestedAt"
FORCE_AT = "reconcile.fluxcd.io/forceAt"

Note = tuple[SeverityLevel, str, str]
"""severity, title, message of one notification."""


class RecordingApp(TuiopsApp):
    """The console, noting every notification it shows."""

    def __init__(self, backend: Backend, keymap_file: Path) -> None:
        super().__init__(backend, keymap_file=keymap_file)
        self.notes: list[Note] = []

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        self.notes.append((severity, title, message))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def messages(self) -> list[str]:
        return [message for _severity, _title, message in self.notes]

    def result_for(self, verb: str, ref: ObjectRef) -> Note | None:
        """The finished-action notification of `verb` on `ref`, if it came."""
        return next((note for note in self.notes if note[1] == f"{verb}: {ref}"), None)


class PickedObject(Screen[None]):
    """A screen showing one object, as the Detail screen does (`ShowsObject`)."""

    def __init__(self, ref: ObjectRef) -> None:
        super().__init__()
        self.ref = ref

    def compose(self) -> ComposeResult:
        yield Static(str(self.ref))

    def selected_ref(self) -> ObjectRef | None:
        return self.ref


Flow = Callable[[RecordingApp, Pilot[None], Simulation], Awaitable[None]]


def _run(
    flow: Flow,
    tmp_path: Path,
    *,
    controllers: bool,
    read_only: bool = False,
    timeout: float = 10.0,
) -> None:
    async def main() -> None:
        with start_simulation(
            "degraded",
            controllers=controllers,
            controller_delay=0.05,
            frozen_clock=True,
            workdir=tmp_path / "sim",
        ) as simulation:
            backend = cluster_backend(
                EXAMPLE_REPO,
                kubeconfig=str(simulation.kubeconfig),
                read_only=read_only,
                action_poll=0.05,
                action_timeout=timeout,
            )
            app = RecordingApp(backend, keymap_file=tmp_path / "none.toml")
            async with app.run_test(size=(120, 40)) as pilot:
                await wait_for(
                    pilot, lambda: len(app.state.objects) == LIVE_OBJECTS, what="the live objects"
                )
                await flow(app, pilot, simulation)

    asyncio.run(main())


def raw(simulation: Simulation, ref: ObjectRef) -> dict[str, Any]:
    obj = simulation.cluster.store.get(type_for_kind(ref.kind), ref.namespace, ref.name)
    assert obj is not None, ref
    return obj


def annotations_of(simulation: Simulation, ref: ObjectRef) -> dict[str, str]:
    return dict(raw(simulation, ref)["metadata"].get("annotations") or {})


def suspended_in_store(simulation: Simulation, ref: ObjectRef) -> bool:
    return raw(simulation, ref).get("spec", {}).get("suspend") is True


def offered(app: TuiopsApp, verb: str | FluxVerb) -> bool:
    name = verb.value if isinstance(verb, FluxVerb) else verb
    return bool(app.check_action("flux", (name,)))


def dialog_text(app: TuiopsApp) -> str:
    parts = []
    for static in app.screen.query(Static):
        content = static.content
        parts.append(content.plain if isinstance(content, Text) else str(content))
    return "\n".join(parts)


async def show(app: TuiopsApp, pilot: Pilot[None], ref: ObjectRef) -> None:
    """Open the History screen of a HelmRelease: the object the Flux keys act on."""
    app.open_history(ref)
    screen = await wait_for_screen(pilot, HistoryScreen)
    assert isinstance(screen, ShowsObject)
    assert screen.selected_ref() == ref


async def answered(app: RecordingApp, pilot: Pilot[None], notes_before: int, what: str) -> None:
    """Wait for the notification a key press (or its confirmation) answers with."""
    await wait_for(pilot, lambda: len(app.notes) > notes_before, what=what)


# -- against the simulator --------------------------------------------------------------------


def test_resume_asks_then_changes_the_store(tmp_path: Path) -> None:
    async def flow(app: RecordingApp, pilot: Pilot[None], simulation: Simulation) -> None:
        await show(app, pilot, PLEX)
        assert suspended_in_store(simulation, PLEX)
        # Suspended: T offers resume (and not suspend), in the footer too.
        assert offered(app, "resume") and not offered(app, "suspend")
        assert app.screen.active_bindings["T"].binding.action == "flux('resume')"
        await pilot.press("T")
        await wait_for_screen(pilot, ConfirmScreen)
        text = dialog_text(app)
        assert "Resume HelmRelease/plex/plex?" in text
        assert "runs: flux resume helmrelease plex -n plex" in text
        assert suspended_in_store(simulation, PLEX)  # nothing happens before the answer
        await pilot.press("y")
        await wait_for_screen(pilot, HistoryScreen)
        await answered(app, pilot, 0, "the resume request notice")
        assert "resume requested for HelmRelease/plex/plex…" in app.messages()
        await wait_for(pilot, lambda: not suspended_in_store(simulation, PLEX))
        await wait_for(pilot, lambda: app.result_for("resume", PLEX) is not None)
        severity, _title, message = app.result_for("resume", PLEX) or ("", "", "")
        assert severity == "information", message
        assert "HelmRelease plex/plex resumed" in message
        # The live view follows, and T now offers suspend.
        await wait_for(pilot, lambda: not app.state.objects[PLEX].suspended)
        assert offered(app, "suspend") and not offered(app, "resume")
        assert app.screen.active_bindings["T"].binding.action == "flux('suspend')"

    _run(flow, tmp_path, controllers=True)


def test_suspend_cancelled_changes_nothing_confirmed_suspends(tmp_path: Path) -> None:
    async def flow(app: RecordingApp, pilot: Pilot[None], simulation: Simulation) -> None:
        await show(app, pilot, CILIUM)
        before = raw(simulation, CILIUM)
        assert not suspended_in_store(simulation, CILIUM)
        for cancel in ("n", "escape"):
            await pilot.press("T")
            await wait_for_screen(pilot, ConfirmScreen)
            assert "Suspend HelmRelease/kube-system/cilium?" in dialog_text(app)
            await pilot.press(cancel)
            await wait_for_screen(pilot, HistoryScreen)
            await settle(pilot)  # the answer was handled (no action runs to wait for)
        assert raw(simulation, CILIUM) == before
        assert not any("requested" in message for message in app.messages())

        await pilot.press("T")
        await wait_for_screen(pilot, ConfirmScreen)
        await pilot.press("enter")
        await answered(app, pilot, 0, "the suspend request notice")
        assert "suspend requested for HelmRelease/kube-system/cilium…" in app.messages()
        await wait_for(pilot, lambda: suspended_in_store(simulation, CILIUM))
        await wait_for(pilot, lambda: app.result_for("suspend", CILIUM) is not None)
        assert app.result_for("suspend", CILIUM) == (
            "information",
            "suspend: HelmRelease/kube-system/cilium",
            "HelmRelease kube-system/cilium suspended",
        )
        await wait_for(pilot, lambda: app.state.objects[CILIUM].suspended)
        assert offered(app, "resume") and not offered(app, "suspend")
        # A suspended object is not reconciled: the press explains, nothing is sent.
        notes = len(app.notes)
        await pilot.press("R")
        await answered(app, pilot, notes, "the answer to R on a suspended object")
        assert app.notes[-1][0] == "warning"
        assert app.notes[-1][2].startswith("HelmRelease/kube-system/cilium is suspended")
        assert REQUESTED_AT not in annotations_of(simulation, CILIUM)

    _run(flow, tmp_path, controllers=False)


def test_reconcile_asks_then_sets_requested_at(tmp_path: Path) -> None:
    async def flow(app: RecordingApp, pilot: Pilot[None], simulation: Simulation) -> None:
        await show(app, pilot, CILIUM)
        assert REQUESTED_AT not in annotations_of(simulation, CILIUM)
        await pilot.press("R")
        await wait_for_screen(pilot, ConfirmScreen)
        text = dialog_text(app)
        assert "Reconcile HelmRelease/kube-system/cilium?" in text
        assert "runs: flux reconcile helmrelease cilium -n kube-system" in text
        assert app.notes == [] and REQUESTED_AT not in annotations_of(simulation, CILIUM)
        await pilot.press("y")
        await wait_for_screen(pilot, HistoryScreen)
        await answered(app, pilot, 0, "the reconcile request notice")
        assert app.notes[0] == (
            "information",
            "",
            "reconcile requested for HelmRelease/kube-system/cilium…",
        )
        await wait_for(pilot, lambda: REQUESTED_AT in annotations_of(simulation, CILIUM))
        await wait_for(pilot, lambda: app.result_for("reconcile", CILIUM) is not None)
        severity, _title, message = app.result_for("reconcile", CILIUM) or ("", "", "")
        assert severity == "information", message
        assert message.startswith("HelmRelease kube-system/cilium reconciled")
        handled = raw(simulation, CILIUM)["status"]["lastHandledReconcileAt"]
        assert handled == annotations_of(simulation, CILIUM)[REQUESTED_AT]

    _run(flow, tmp_path, controllers=True)


def test_one_action_per_object_several_objects_at_once(tmp_path: Path) -> None:
    cilium_requested = "reconcile requested for HelmRelease/kube-system/cilium…"
    gpu_requested = "reconcile requested for HelmRelease/kube-system/intel-gpu-plugin…"

    async def flow(app: RecordingApp, pilot: Pilot[None], simulation: Simulation) -> None:
        # No controllers: each reconcile waits until its (3 s) timeout, then fails.
        await show(app, pilot, CILIUM)
        await pilot.press("R")
        await wait_for_screen(pilot, ConfirmScreen)
        await pilot.press("y")
        await wait_for_screen(pilot, HistoryScreen)
        await answered(app, pilot, 0, "the reconcile request notice")
        await pilot.press("R")  # refused before asking: no dialog opens
        await answered(app, pilot, 1, "the answer to the second R")
        assert isinstance(app.screen, HistoryScreen)
        assert app.messages() == [
            cilium_requested,
            "reconcile of HelmRelease/kube-system/cilium is still running; its result will follow",
        ]
        app.pop_screen()
        await show(app, pilot, GPU)
        await pilot.press("R")
        await wait_for_screen(pilot, ConfirmScreen)
        await pilot.press("y")
        await answered(app, pilot, 2, "the reconcile request notice of the second object")
        assert app.result_for("reconcile", CILIUM) is None  # both run now
        assert app.messages()[2:] == [gpu_requested]
        await wait_for(pilot, lambda: app.result_for("reconcile", CILIUM) is not None)
        await wait_for(pilot, lambda: app.result_for("reconcile", GPU) is not None)
        for ref in (CILIUM, GPU):
            severity, _title, message = app.result_for("reconcile", ref) or ("", "", "")
            assert severity == "error"
            assert message.startswith(f"timed out after 3s waiting for HelmRelease {ref.namespace}")
        # Once finished, the object takes a new action.
        await pilot.press("R")
        await wait_for_screen(pilot, ConfirmScreen)
        notes = len(app.notes)
        await pilot.press("y")
        await answered(app, pilot, notes, "the new reconcile request notice")
        assert app.messages()[-1] == gpu_requested

    _run(flow, tmp_path, controllers=False, timeout=3.0)


def test_force_and_reset_only_for_helm_releases(tmp_path: Path) -> None:
    async def flow(app: RecordingApp, pilot: Pilot[None], simulation: Simulation) -> None:
        await app.push_screen(PickedObject(CILIUM_KS))
        await wait_for_screen(pilot, PickedObject)
        assert offered(app, "reconcile") and offered(app, "reconcile_source")
        assert not offered(app, "force") and not offered(app, "reset")
        keys = app.screen.active_bindings
        assert "R" in keys and "F" not in keys and "X" not in keys
        palette = [text for text, _h, _c in ConsoleCommands(app.screen)._actions()]
        assert "Reconcile: Kustomization/flux-system/cilium" in palette
        assert not any(text.startswith(("Force", "Reset")) for text in palette)
        await pilot.press("F", "X")
        await settle(pilot)  # both presses were handled: no dialog, no action running
        assert isinstance(app.screen, PickedObject) and app.notes == []

        app.pop_screen()
        await show(app, pilot, NFD)
        assert offered(app, "force") and offered(app, "reset")
        await pilot.press("X")
        await wait_for_screen(pilot, ConfirmScreen)
        assert "Reset the Helm failure counts of HelmRelease/kube-system/node-" in dialog_text(app)
        assert "retries exhausted" in dialog_text(app)
        await pilot.press("n")
        await wait_for_screen(pilot, HistoryScreen)
        await pilot.press("F")
        await wait_for_screen(pilot, ConfirmScreen)
        text = dialog_text(app)
        question = "Force a one-off Helm upgrade of HelmRelease/kube-system/node-feature-discovery?"
        assert question in text
        assert "reconcile.fluxcd.io/forceAt" in text
        command = "flux reconcile helmrelease node-feature-discovery -n kube-system --force"
        assert f"runs: {command}" in text
        await pilot.press("y")
        await wait_for(pilot, lambda: FORCE_AT in annotations_of(simulation, NFD))
        sent = annotations_of(simulation, NFD)
        assert sent[FORCE_AT] == sent[REQUESTED_AT]
        assert "reconcile.fluxcd.io/resetAt" not in sent
        # While the force runs, another action on the same release is refused before asking.
        notes = len(app.notes)
        await pilot.press("X")
        await answered(app, pilot, notes, "the answer to X while the force runs")
        assert isinstance(app.screen, HistoryScreen)
        assert app.messages()[-1] == (
            "force upgrade of HelmRelease/kube-system/node-feature-discovery is still running; "
            "its result will follow"
        )

    _run(flow, tmp_path, controllers=False, timeout=3.0)


def test_palette_offers_what_applies_and_runs_it(tmp_path: Path) -> None:
    async def flow(app: RecordingApp, pilot: Pilot[None], simulation: Simulation) -> None:
        await show(app, pilot, PLEX)
        palette = [text for text, _h, _c in ConsoleCommands(app.screen)._actions()]
        assert [text for text in palette if "plex" in text] == [
            "Reconcile: HelmRelease/plex/plex",
            "Reconcile with source: HelmRelease/plex/plex",
            "Resume: HelmRelease/plex/plex",
            "Force Helm upgrade: HelmRelease/plex/plex",
            "Reset Helm failures: HelmRelease/plex/plex",
        ]
        await pilot.press("ctrl+p")
        await wait_for_screen(pilot, CommandPalette)
        await pilot.press(*"resume: helmrelease/plex")
        await settle(pilot)  # the palette's search (a worker) has listed its hits
        await pilot.press("enter")
        await wait_for_screen(pilot, ConfirmScreen)
        assert "Resume HelmRelease/plex/plex?" in dialog_text(app)
        await pilot.press("n")
        await wait_for_screen(pilot, HistoryScreen)
        await settle(pilot)  # the answer was handled (no action runs to wait for)
        assert suspended_in_store(simulation, PLEX)

    _run(flow, tmp_path, controllers=False)


def test_detail_screen_acts_on_its_object_once_it_shows_one(tmp_path: Path) -> None:
    async def flow(app: RecordingApp, pilot: Pilot[None], _simulation: Simulation) -> None:
        app.open_detail(PLEX)
        await wait_for_screen(pilot, DetailScreen)
        assert isinstance(app.screen, ShowsObject) and app.screen.selected_ref() == PLEX
        assert offered(app, "resume") and not offered(app, "suspend")

    _run(flow, tmp_path, controllers=False)


# -- without a cluster ------------------------------------------------------------------------


def test_offline_offers_no_flux_action(tmp_path: Path) -> None:
    async def main() -> None:
        app = TuiopsApp(Backend(None, offline_reason="offline: test"), keymap_file=tmp_path / "x")
        async with app.run_test(size=(80, 24)) as pilot:
            await app.push_screen(PickedObject(PLEX))
            await wait_for_screen(pilot, PickedObject)
            assert not any(offered(app, verb) for verb in VERBS)
            assert not set("RWTFX") & set(app.screen.active_bindings)

    asyncio.run(main())


def test_confirmation_fits_80x24_and_answers(tmp_path: Path) -> None:
    verb = VERBS[FluxVerb.FORCE]
    ref = ObjectRef("HelmRelease", "a-rather-long-namespace-name", "a-release-with-a-long-name")
    answers: list[bool | None] = []

    async def main() -> None:
        app = TuiopsApp(Backend(None, offline_reason="offline: test"), keymap_file=tmp_path / "x")
        async with app.run_test(size=(80, 24)) as pilot:
            rounds = (("y", True), ("enter", True), ("n", False), ("escape", False))
            for asked, (key, expected) in enumerate(rounds, start=1):
                question = verb.question.format(ref=ref)
                details = (verb.explanation, f"runs: {verb.command(ref)}")
                app.push_screen(ConfirmScreen(question, details, verb=verb.label), answers.append)
                await wait_for_screen(pilot, ConfirmScreen)
                await settle(pilot)  # laid out: the regions below are measured
                dialog = app.screen.query_one("#dialog")
                hint = app.screen.query_one("#keys", Static)
                assert dialog.region.x >= 0 and dialog.region.right <= 80
                assert hint.region.bottom <= 24 and hint.region.height >= 1
                assert str(hint.content) == "y / enter: force upgrade    n / esc / q: cancel"

                def given(count: int = asked) -> bool:
                    return len(answers) == count

                await pilot.press(key)
                await wait_for(pilot, given, what=f"the answer to {key}")
                assert answers[-1] is expected, key
            # Names come from the cluster: shown as typed, never as markup or escapes.
            app.push_screen(ConfirmScreen("Suspend \x1b]0;pwned\x07[b]x[/b]?", ("\x1b[2Jgone",)))
            await wait_for_screen(pilot, ConfirmScreen)
            shown = "Suspend \\x1b]0;pwned\\x07[b]x[/b]?\n\\x1b[2Jgone\n"
            assert dialog_text(app).startswith(shown)

    asyncio.run(main())


def test_outcome_text_is_made_inert() -> None:
    ref = ObjectRef("HelmRelease", "ns", "x")
    outcome = ActionOutcome(
        FluxVerb.RECONCILE, ref, False, "failed: [bold red]x[/] \x1b]0;pwned\x07\x1b[2Jdone\nnext"
    )
    message, _severity = outcome_notice(outcome)
    shown = "failed: [bold red]x[/] \\x1b]0;pwned\\x07\\x1b[2Jdone next"
    assert message == shown  # shown with markup=False


# -- pure rules -------------------------------------------------------------------------------


def _outcome(succeeded: bool, *, old: bool = False, failed_step: bool = False) -> ActionOutcome:
    step = ActionStep(StepKind.FAILURE if failed_step else StepKind.SUCCESS, "x")
    ref = ObjectRef("HelmRelease", "ns", "x")
    return ActionOutcome(
        FluxVerb.RECONCILE, ref, succeeded, "msg", steps=(step,), still_old_revision=old
    )


@pytest.mark.parametrize(
    ("outcome", "severity"),
    [
        (_outcome(True), "information"),
        (_outcome(False, failed_step=True), "error"),
        (_outcome(False), "error"),
        (_outcome(False, old=True), "warning"),  # ready, but the old chart still runs
        (_outcome(False, old=True, failed_step=True), "error"),  # the upgrade failed outright
    ],
)
def test_outcome_severity(outcome: ActionOutcome, severity: str) -> None:
    assert outcome_notice(outcome) == ("msg", severity)


def test_registry_and_verbs_agree() -> None:
    assert set(VERBS) == set(SPECS)
    for name, verb in VERBS.items():
        spec = SPECS[name]
        assert spec.action == f"flux('{name.value}')"
        # Every Flux action asks (docs/conventions.md item 8), with a question and an explanation.
        assert spec.dangerous and verb.question and verb.explanation, name
    # An id names one binding (a screen may reuse it, as Detail and History share `back`):
    # two different bindings under one id could not be remapped apart.
    by_id: dict[str, set[object]] = {}
    for spec in ALL_ACTIONS:
        by_id.setdefault(spec.id, set()).add(spec)
    assert all(len(specs) == 1 for specs in by_id.values()), by_id
    # Flux keys clash with no other key, except suspend/resume sharing T on purpose.
    flux_keys = {spec.keys for spec in FLUX_ACTIONS}
    others = {
        key for spec in ALL_ACTIONS if spec not in FLUX_ACTIONS for key in spec.keys.split(",")
    }
    assert flux_keys == {"R", "W", "T", "F", "X"} and not flux_keys & others
