"""Flux actions on the object the current screen shows, app-wide: reconcile, reconcile with
source, suspend, resume, and for HelmReleases force (one-off upgrade) and reset (failure
counters). `TuiopsApp` inherits them from `FluxActionsApp`.

Which action applies is decided in one place (`flux_target`), used by `check_action` (footer
and keys), by the command palette and by the action itself: an action is hidden when there is
no object, no cluster (offline), no live object, or the kind or suspended state does not fit.
Under `--read-only` the keys are greyed out in the footer (docs/conventions.md item 8; the
status bar shows the read-only badge) and one chosen from the palette says `read-only: …`
instead of acting (k9s' read-only silently leaves its Flux plugins working).

Each action runs in a thread worker (the adapter blocks until the controller answers, up to its
timeout) and ends as one notification with the controller's verdict. Actions on different
objects run side by side; a second one on the same object is refused until the first ends.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual import work
from textual.app import App
from textual.notifications import SeverityLevel
from textual.worker import get_current_worker

from tuiops.domain.actions import FAILURE, ActionOutcome
from tuiops.domain.refs import ObjectRef
from tuiops.domain.text import inert
from tuiops.ui.actions import FLUX_ACTIONS, ActionSpec, bindings
from tuiops.ui.screens.confirm import ConfirmScreen
from tuiops.ui.state import ConsoleHost, ShowsObject, host_of

if TYPE_CHECKING:
    from tuiops.ports import FluxControl

ACTIONABLE_KINDS = frozenset({"Kustomization", "HelmRelease"})
"""What the console lists and `FluxActions` reconciles with its source."""
CANCEL_POLL = 0.1
"""Seconds between checks, while an action waits, of whether the app is closing."""


@dataclass(frozen=True, slots=True)
class FluxVerb:
    """One Flux action as the console offers it."""

    name: str
    """The action's parameter: `flux('<name>')`; also the suffix of its registry id."""
    label: str
    """Lower-case words for messages: `reconcile with source`."""
    flux_args: str
    """What follows `flux` for the same action, `{kind}`, `{name}` and `{ns}` filled in."""
    question: str = ""
    """The confirmation's question, `{ref}` filled in; dangerous verbs only."""
    explanation: str = ""
    """What will happen, one line for the confirmation."""
    helm_only: bool = False
    """Offered for HelmReleases only (`--force`, `--reset`)."""
    for_suspended: bool | None = None
    """True: offered only for a suspended object (resume); False: only for one that is not
    (suspend); None: either."""
    refused_when_suspended: bool = True
    """The controller refuses it on a suspended object (`resource is suspended`): the press
    says so instead of starting anything."""

    @property
    def spec(self) -> ActionSpec:
        return SPECS[self.name]

    def command(self, ref: ObjectRef) -> str:
        """The flux CLI command this action amounts to."""
        kind = ref.kind.lower()
        return "flux " + self.flux_args.format(kind=kind, name=ref.name, ns=ref.namespace)

    def run(self, control: FluxControl, ref: ObjectRef) -> ActionOutcome:
        """Blocking: the action through the port, until the controller answers."""
        if self.name == "suspend":
            return control.suspend(ref)
        if self.name == "resume":
            return control.resume(ref)
        return control.reconcile(
            ref,
            with_source=self.name == "reconcile_source",
            force=self.name == "force",
            reset=self.name == "reset",
        )


SPECS = {spec.id.removeprefix("flux."): spec for spec in FLUX_ACTIONS}
# Every action asks first and names the flux command it amounts to (docs/conventions.md
# item 8), a plain reconcile too: k9s and flux9s run it at once, but on a release stuck
# mid-upgrade a reconcile retries the upgrade, which is worth one look at what will run.
# `y` or enter confirms.
VERBS = {
    verb.name: verb
    for verb in (
        FluxVerb(
            "reconcile",
            "reconcile",
            "reconcile {kind} {name} -n {ns}",
            "Reconcile {ref}?",
            "Flux reconciles it now instead of at its next interval (it applies the source "
            "revision it already has; reconcile.fluxcd.io/requestedAt).",
        ),
        FluxVerb(
            "reconcile_source",
            "reconcile with source",
            "reconcile {kind} {name} -n {ns} --with-source",
            "Reconcile {ref} with its source?",
            "Flux fetches its source (Git, OCI or Helm repository) first, then reconciles it "
            "with whatever revision that brings.",
        ),
        FluxVerb(
            "suspend",
            "suspend",
            "suspend {kind} {name} -n {ns}",
            "Suspend {ref}?",
            "Flux stops reconciling it: changes in Git are not applied and drift is not "
            "corrected until it is resumed (spec.suspend: true).",
            for_suspended=False,
            refused_when_suspended=False,
        ),
        FluxVerb(
            "resume",
            "resume",
            "resume {kind} {name} -n {ns}",
            "Resume {ref}?",
            "Flux reconciles it again at once and tuiops waits until it is Ready; a "
            "HelmRelease upgrades if its chart or values changed while it was suspended.",
            for_suspended=True,
            refused_when_suspended=False,
        ),
        FluxVerb(
            "force",
            "force upgrade",
            "reconcile {kind} {name} -n {ns} --force",
            "Force a one-off Helm upgrade of {ref}?",
            "Force: helm-controller runs a Helm install/upgrade now, even when the chart "
            "and values did not change (reconcile.fluxcd.io/forceAt).",
            helm_only=True,
        ),
        FluxVerb(
            "reset",
            "reset failures",
            "reconcile {kind} {name} -n {ns} --reset",
            "Reset the Helm failure counts of {ref}?",
            "Reset: helm-controller clears the install/upgrade failure counts, so a release "
            "stuck at 'retries exhausted' is tried again (reconcile.fluxcd.io/resetAt).",
            helm_only=True,
        ),
    )
}


def flux_target(verb: FluxVerb, screen: object, host: ConsoleHost) -> ObjectRef | None:
    """The object `verb` would act on from `screen`, or None when it does not apply there.

    A verb the controller would refuse only because the object is suspended (reconcile, force,
    reset) still applies: the press then says so instead of doing nothing silently.

    Args:
        verb: The action.
        screen: The screen the user looks at (the palette passes the one it was opened on).
        host: The app, for the backend and the live objects.
    """
    if host.backend.control is None or not isinstance(screen, ShowsObject):
        return None
    ref = screen.selected_ref()
    if ref is None or ref.kind not in ACTIONABLE_KINDS:
        return None
    if verb.helm_only and ref.kind != "HelmRelease":
        return None
    live = host.state.objects.get(ref)
    if live is None:  # only in the repo (not applied) or gone: nothing to act on
        return None
    if verb.for_suspended is not None and verb.for_suspended != live.suspended:
        return None
    return ref


def outcome_notice(outcome: ActionOutcome) -> tuple[str, SeverityLevel]:
    """The notification text and severity of a finished action.

    An error when the controller reported a failure, a warning when the only problem is that
    the old revision still runs (fluxcd/flux2 #1760), otherwise information. The text is the
    outcome's one line, made inert: it quotes cluster messages.
    """
    message = inert(outcome.message, one_line=True) or outcome.action
    failed = any(step.symbol == FAILURE for step in outcome.steps)
    if failed or (not outcome.succeeded and not outcome.still_old_revision):
        return message, "error"
    if outcome.still_old_revision:
        return message, "warning"
    return message, "information"


class FluxActionsApp(App[None]):
    """The Flux actions of the console, as an App base class (the worker decorator and
    `check_action` need the App). Bindings come from `FLUX_ACTIONS`."""

    BINDINGS = bindings(FLUX_ACTIONS)

    def __init__(self) -> None:
        super().__init__()
        self._flux_running: dict[ObjectRef, str] = {}
        """Object → label of the action running on it."""
        self._flux_offered: tuple[bool, ...] = ()
        """Which verbs applied when bindings were last refreshed."""

    def _flux_screen(self) -> object:
        try:
            return self.screen
        except Exception:  # no screen yet (startup) or the stack is being torn down
            return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide Flux actions that do not apply to the current screen's object; grey them out
        (None: shown, not runnable) under `--read-only`."""
        if action != "flux":
            return super().check_action(action, parameters)
        verb = VERBS.get(str(parameters[0])) if parameters else None
        if verb is None or flux_target(verb, self._flux_screen(), host_of(self)) is None:
            return False
        return None if host_of(self).backend.read_only else True

    def refresh_flux_bindings(self) -> None:
        """Refresh the footer when what the Flux keys offer changed (the object under the
        cursor, its suspended state, the connection); cheap when nothing did."""
        screen, host = self._flux_screen(), host_of(self)
        offered = tuple(flux_target(verb, screen, host) is not None for verb in VERBS.values())
        if offered != self._flux_offered:
            self._flux_offered = offered
            self.refresh_bindings()

    def on_resource_table_highlighted(self) -> None:
        """Cursor moves bubble up from the tables: the object under the cursor changed."""
        self.refresh_flux_bindings()

    def action_flux(self, name: str) -> None:
        """Start `name` on the current screen's object: refuse (read-only, busy, suspended),
        ask (dangerous verbs), or run it."""
        verb = VERBS[name]
        host = host_of(self)
        ref = flux_target(verb, self._flux_screen(), host)
        if ref is None:  # check_action hides it; a palette command can outlive its screen
            return
        if host.backend.read_only:
            self.notify(
                f"read-only: {verb.label} of {ref} refused (tuiops runs with --read-only)",
                severity="warning",
                markup=False,
            )
            return
        if ref in self._flux_running:
            self.notify(
                f"{self._flux_running[ref]} of {ref} is still running; its result will follow",
                severity="warning",
                markup=False,
            )
            return
        live = host.state.objects.get(ref)
        if verb.refused_when_suspended and live is not None and live.suspended:
            self.notify(
                f"{ref} is suspended: resume it first (Flux refuses a {verb.label} meanwhile)",
                severity="warning",
                markup=False,
            )
            return
        if not verb.spec.dangerous:
            self._start_flux(verb, ref)
            return
        question = verb.question.format(ref=ref)
        details = (verb.explanation, f"runs: {verb.command(ref)}")
        self.push_screen(
            ConfirmScreen(question, details, verb=verb.label),
            partial(self._flux_confirmed, verb, ref),
        )

    def _flux_confirmed(self, verb: FluxVerb, ref: ObjectRef, confirmed: bool | None) -> None:
        if confirmed and ref not in self._flux_running:
            self._start_flux(verb, ref)

    def _start_flux(self, verb: FluxVerb, ref: ObjectRef) -> None:
        control = host_of(self).backend.control
        if control is None:
            return
        self._flux_running[ref] = verb.label
        self.notify(f"{verb.label} requested for {ref}…", markup=False)
        self._run_flux(verb, ref, control)

    @work(thread=True, group="flux-actions", exit_on_error=False, description="Flux action")
    def _run_flux(self, verb: FluxVerb, ref: ObjectRef, control: FluxControl) -> None:
        """Run the blocking action and post its outcome back to the app.

        The call itself runs in a daemon thread this worker waits on: a worker thread belongs
        to asyncio's executor, which the interpreter joins at exit, so quitting while an action
        waits for its controller (up to 5 minutes) would otherwise hang. What was sent stays
        sent; only the wait for the verdict is given up.
        """
        worker = get_current_worker()
        result: list[ActionOutcome | Exception] = []
        finished = threading.Event()

        def call() -> None:
            try:
                result.append(verb.run(control, ref))
            except Exception as error:  # a bug or a ValueError: still one notification
                result.append(error)
            finally:
                finished.set()

        threading.Thread(target=call, name=f"flux {verb.name} {ref}", daemon=True).start()
        while not finished.wait(CANCEL_POLL):
            if worker.is_cancelled:
                return
        with contextlib.suppress(RuntimeError):  # the app stopped meanwhile
            self.call_from_thread(self._flux_finished, verb, ref, result[0])

    def _flux_finished(
        self, verb: FluxVerb, ref: ObjectRef, result: ActionOutcome | Exception
    ) -> None:
        self._flux_running.pop(ref, None)
        title = inert(f"{verb.label}: {ref}", one_line=True)
        if isinstance(result, Exception):
            message = inert(str(result) or type(result).__name__, one_line=True)
            self.notify(message, title=title, severity="error", markup=False, timeout=10)
            return
        message, severity = outcome_notice(result)
        timeout = 5 if severity == "information" else 10
        self.notify(message, title=title, severity=severity, markup=False, timeout=timeout)
        self.refresh_flux_bindings()
