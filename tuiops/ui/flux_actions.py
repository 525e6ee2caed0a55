"""Flux actions on the object the current screen shows, app-wide: reconcile, reconcile with
source, suspend, resume, and for HelmReleases force (one-off upgrade) and reset (failure
counters). `TuiopsApp` owns one `FluxActions` part and routes its `flux(...)` bindings to it.

Which action applies is decided in one place (`flux_target`), used by `check_action` (footer
and keys), by the command palette and by the action itself: an action is hidden when there is
no object, no cluster (offline), no live object, or the kind or suspended state does not fit.
Under `--read-only` a press says in one line why nothing happens (`read-only: reconcile of …
refused`) and the palette leaves the actions out; the status bar shows the read-only badge.
The keys stay live for that: a binding whose `check_action` is falsy (greyed out) never
reaches the action, so it could not explain itself (k9s' read-only silently leaves its Flux
plugins working).

Each action runs in a thread worker (the adapter blocks until the controller answers, up to its
timeout) and ends as one `FluxActions.Finished` message, shown as one notification with the
controller's verdict. Actions on different
objects run side by side; a second one on the same object is refused until the first ends.
On a screen with marked rows the keys act on every marked object (`bulk_actions.py`).
Notifications are short-lived (`NOTICE_SECONDS`) and sit in a corner (`app.tcss`).
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.worker import get_current_worker

from tuiops.domain.actions import ActionOutcome, ActionStep, FluxVerb, StepKind
from tuiops.domain.kinds import is_applier
from tuiops.domain.refs import ObjectRef
from tuiops.domain.text import inert
from tuiops.errors import TuiopsError
from tuiops.ui.actions import FLUX_ACTIONS, ActionSpec
from tuiops.ui.screens.confirm import ConfirmScreen
from tuiops.ui.state import ConsoleHost, ShowsObject

if TYPE_CHECKING:
    from tuiops.ports import FluxControl

CANCEL_POLL = 0.1
"""Seconds between checks, while an action waits, of whether the app is closing."""
NOTICE_SECONDS: dict[SeverityLevel, float] = {"information": 3, "warning": 6, "error": 8}
"""How long a notification of each severity stays: long enough to read, short enough not to
hide the table."""


@dataclass(frozen=True, slots=True)
class VerbOffer:
    """How the console offers one Flux verb: words, the equivalent flux command, when."""

    verb: FluxVerb
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
        return SPECS[self.verb]

    def command(self, ref: ObjectRef) -> str:
        """The flux CLI command this action amounts to."""
        kind = ref.kind.lower()
        return "flux " + self.flux_args.format(kind=kind, name=ref.name, ns=ref.namespace)

    def run(self, control: FluxControl, ref: ObjectRef) -> ActionOutcome:
        """Blocking: the action through the port, until the controller answers."""
        if self.verb is FluxVerb.SUSPEND:
            return control.suspend(ref)
        if self.verb is FluxVerb.RESUME:
            return control.resume(ref)
        return control.reconcile(
            ref,
            with_source=self.verb is FluxVerb.RECONCILE_SOURCE,
            force=self.verb is FluxVerb.FORCE,
            reset=self.verb is FluxVerb.RESET,
        )


SPECS = {FluxVerb(spec.id.removeprefix("flux.")): spec for spec in FLUX_ACTIONS}
# Every action asks first and names the flux command it amounts to (docs/conventions.md
# item 8), a plain reconcile too: k9s and flux9s run it at once, but on a release stuck
# mid-upgrade a reconcile retries the upgrade, which is worth one look at what will run.
# `y` or enter confirms.
VERBS = {
    offer.verb: offer
    for offer in (
        VerbOffer(
            FluxVerb.RECONCILE,
            "reconcile",
            "reconcile {kind} {name} -n {ns}",
            "Reconcile {ref}?",
            "Flux reconciles it now instead of at its next interval (it applies the source "
            "revision it already has; reconcile.fluxcd.io/requestedAt).",
        ),
        VerbOffer(
            FluxVerb.RECONCILE_SOURCE,
            "reconcile with source",
            "reconcile {kind} {name} -n {ns} --with-source",
            "Reconcile {ref} with its source?",
            "Flux fetches its source (Git, OCI or Helm repository) first, then reconciles it "
            "with whatever revision that brings.",
        ),
        VerbOffer(
            FluxVerb.SUSPEND,
            "suspend",
            "suspend {kind} {name} -n {ns}",
            "Suspend {ref}?",
            "Flux stops reconciling it: changes in Git are not applied and drift is not "
            "corrected until it is resumed (spec.suspend: true).",
            for_suspended=False,
            refused_when_suspended=False,
        ),
        VerbOffer(
            FluxVerb.RESUME,
            "resume",
            "resume {kind} {name} -n {ns}",
            "Resume {ref}?",
            "Flux reconciles it again at once and tuiops waits until it is Ready; a "
            "HelmRelease upgrades if its chart or values changed while it was suspended.",
            for_suspended=True,
            refused_when_suspended=False,
        ),
        VerbOffer(
            FluxVerb.FORCE,
            "force upgrade",
            "reconcile {kind} {name} -n {ns} --force",
            "Force a one-off Helm upgrade of {ref}?",
            "Force: helm-controller runs a Helm install/upgrade now, even when the chart "
            "and values did not change (reconcile.fluxcd.io/forceAt).",
            helm_only=True,
        ),
        VerbOffer(
            FluxVerb.RESET,
            "reset failures",
            "reconcile {kind} {name} -n {ns} --reset",
            "Reset the Helm failure counts of {ref}?",
            "Reset: helm-controller clears the install/upgrade failure counts, so a release "
            "stuck at 'retries exhausted' is tried again (reconcile.fluxcd.io/resetAt).",
            helm_only=True,
        ),
    )
}


def flux_target(verb: VerbOffer, screen: object, host: ConsoleHost) -> ObjectRef | None:
    """The object `verb` would act on from `screen`, or None when it does not apply there.

    A verb the controller would refuse only because the object is suspended (reconcile, force,
    reset) still applies: the press then says so instead of doing nothing silently.

    Args:
        verb: The action.
        screen: The screen the user looks at (the palette passes the one it was opened on).
        host: The app, for the backend and the live objects.
    """
    if not isinstance(screen, ShowsObject):
        return None
    ref = screen.selected_ref()
    return ref if ref is not None and applies(verb, ref, host) else None


def applies(verb: VerbOffer, ref: ObjectRef, host: ConsoleHost) -> bool:
    """Whether `verb` applies to `ref`: connected, a live Flux applier of the right kind and
    suspended state. Read-only does not count here: the press says why it is refused.

    Args:
        verb: The action.
        ref: The object.
        host: The app, for the backend and the live objects.
    """
    if host.backend.control is None or not is_applier(ref.kind):
        return False
    if verb.helm_only and ref.kind != "HelmRelease":
        return False
    live = host.state.objects.get(ref)
    if live is None:  # only in the repo (not applied) or gone: nothing to act on
        return False
    return verb.for_suspended is None or verb.for_suspended == live.suspended


STEP_GLYPH = {
    StepKind.ACTION: "►",
    StepKind.SUCCESS: "✔",
    StepKind.WAITING: "◎",
    StepKind.FAILURE: "✗",
    StepKind.WARNING: "⚠️",
}
"""The flux CLI's marks for each kind of step."""


def step_line(step: ActionStep) -> str:
    """A step as the flux CLI prints it (`✔ Kustomization annotated`)."""
    return f"{STEP_GLYPH[step.kind]} {step.text}"


def outcome_notice(outcome: ActionOutcome) -> tuple[str, SeverityLevel]:
    """The notification text and severity of a finished action.

    An error when the controller reported a failure, a warning when the only problem is that
    the old revision still runs (fluxcd/flux2 #1760), otherwise information. The text is the
    outcome's one line, made inert: it quotes cluster messages.
    """
    message = inert(outcome.message, one_line=True) or outcome.action.value
    failed = any(step.kind is StepKind.FAILURE for step in outcome.steps)
    if failed or (not outcome.succeeded and not outcome.still_old_revision):
        return message, "error"
    if outcome.still_old_revision:
        return message, "warning"
    return message, "information"


class FluxActions:
    """The Flux actions of the console: a part the app owns and routes `flux(...)` bindings
    to (`check`, `start`), not a base class."""

    @dataclass
    class Finished(Message):
        """An action ended: with the controller's verdict, or with a one-line error."""

        offer: VerbOffer
        ref: ObjectRef
        outcome: ActionOutcome | None
        error: str = ""
        """Why there is no outcome (a TuiopsError's text); empty for a bug, which the app's
        worker-failure handler reports with its traceback."""

    def __init__(self, app: App[Any], host: ConsoleHost) -> None:
        """Args:
        app: Where notifications, dialogs and workers go.
        host: The same app, as the console state it reads.
        """
        self._app = app
        self._host = host
        self._running: dict[ObjectRef, str] = {}
        """Object → label of the action running on it."""
        self._offered: tuple[bool, ...] = ()
        """Which verbs applied when bindings were last refreshed."""
        from tuiops.ui.bulk_actions import BulkActions  # it builds on this module

        self._bulk = BulkActions(app, host, self._running)

    def _screen(self) -> object:
        try:
            return self._app.screen
        except Exception:  # no screen yet (startup) or the stack is being torn down
            return None

    def check(self, parameters: tuple[object, ...]) -> bool | None:
        """`check_action` for `flux(name)`: hidden where it does not apply (to the object
        under the cursor, or to any marked one). Under `--read-only` too it is live, so that
        the press says why it is refused."""
        from tuiops.ui.bulk_actions import offered

        offer = _offer(parameters[0] if parameters else None)
        return offer is not None and offered(offer, self._screen(), self._host)

    def refresh_bindings(self) -> None:
        """Refresh the footer when what the Flux keys offer changed (the object under the
        cursor, the marks, a suspended state, the connection); cheap when nothing did."""
        from tuiops.ui.bulk_actions import offered

        screen = self._screen()
        offers = tuple(offered(offer, screen, self._host) for offer in VERBS.values())
        if offers != self._offered:
            self._offered = offers
            self._app.refresh_bindings()

    def start(self, name: str) -> None:
        """Start verb `name` on the current screen's object: refuse (read-only, busy,
        suspended), ask (dangerous verbs), or run it."""
        from tuiops.ui.bulk_actions import marked_refs, offered

        offer = _offer(name)
        screen = self._screen()
        if offer is None or not offered(offer, screen, self._host):  # hidden by check; a palette
            return  # command can outlive its screen
        notify = partial(
            self._app.notify, severity="warning", markup=False, timeout=NOTICE_SECONDS["warning"]
        )
        marked = marked_refs(screen)
        ref = flux_target(offer, screen, self._host)
        if self._host.backend.read_only:
            what = f"{len(marked)} marked objects" if marked else str(ref)
            notify(f"read-only: {offer.label} of {what} refused (tuiops runs with --read-only)")
            return
        if marked:
            self._bulk.start(offer, marked)
            return
        if ref is None:
            return
        if ref in self._running:
            notify(f"{self._running[ref]} of {ref} is still running; its result will follow")
            return
        live = self._host.state.objects.get(ref)
        if offer.refused_when_suspended and live is not None and live.suspended:
            notify(f"{ref} is suspended: resume it first (Flux refuses a {offer.label} meanwhile)")
            return
        if not offer.spec.dangerous:
            self._run(offer, ref)
            return
        question = offer.question.format(ref=ref)
        details = (offer.explanation, f"runs: {offer.command(ref)}")
        context = self._host.backend.label
        self._app.push_screen(
            ConfirmScreen(question, details, verb=offer.label, context=context),
            partial(self._confirmed, offer, ref),
        )

    def _confirmed(self, offer: VerbOffer, ref: ObjectRef, confirmed: bool | None) -> None:
        if confirmed and ref not in self._running:
            self._run(offer, ref)

    def _run(self, offer: VerbOffer, ref: ObjectRef) -> None:
        control = self._host.backend.control
        if control is None:
            return
        self._running[ref] = offer.label
        self._app.notify(
            f"{offer.label} requested for {ref}…",
            markup=False,
            timeout=NOTICE_SECONDS["information"],
        )
        self._app.run_worker(
            partial(self._wait_for_verdict, offer, ref, control),
            thread=True,
            group="flux-actions",
            exit_on_error=False,
            description=f"Flux {offer.label} of {ref}",
        )

    def _wait_for_verdict(self, offer: VerbOffer, ref: ObjectRef, control: FluxControl) -> None:
        """Run the blocking action and post its outcome to the app as `Finished`.

        The call itself runs in a daemon thread this worker waits on: a worker thread belongs
        to asyncio's executor, which the interpreter joins at exit, so quitting while an action
        waits for its controller (up to 5 minutes) would otherwise hang. What was sent stays
        sent; only the wait for the verdict is given up.

        Raises:
            Exception: whatever the adapter raised that is not a TuiopsError (a bug), after
                `Finished` frees the object: the app's worker-failure handler reports it.
        """
        worker = get_current_worker()
        result: list[ActionOutcome | Exception] = []
        finished = threading.Event()

        def call() -> None:
            try:
                result.append(offer.run(control, ref))
            except Exception as error:  # handed to the worker, which re-raises bugs
                result.append(error)
            finally:
                finished.set()

        threading.Thread(target=call, name=f"flux {offer.verb.value} {ref}", daemon=True).start()
        while not finished.wait(CANCEL_POLL):
            if worker.is_cancelled:
                return
        outcome = result[0]
        error = "" if not isinstance(outcome, Exception) else str(outcome) or type(outcome).__name__
        message = self.Finished(
            offer,
            ref,
            outcome if isinstance(outcome, ActionOutcome) else None,
            error if isinstance(outcome, TuiopsError) else "",
        )
        with contextlib.suppress(RuntimeError):  # the app's loop closed meanwhile
            self._app.post_message(message)
        if isinstance(outcome, Exception) and not isinstance(outcome, TuiopsError):
            raise outcome

    def finished(self, message: Finished) -> None:
        """Show an action's verdict (the app routes `Finished` here)."""
        from tuiops.ui.bulk_actions import BulkActions

        if isinstance(message, BulkActions.Finished):
            self._bulk.finished(message, self.refresh_bindings)
            return
        offer, ref = message.offer, message.ref
        self._running.pop(ref, None)
        title = inert(f"{offer.label}: {ref}", one_line=True)
        if message.outcome is None:
            if message.error:  # a bug is reported by the worker-failure handler instead
                text = inert(message.error, one_line=True)
                timeout = NOTICE_SECONDS["error"]
                self._app.notify(text, title=title, severity="error", markup=False, timeout=timeout)
            return
        text, severity = outcome_notice(message.outcome)
        timeout = NOTICE_SECONDS[severity]
        self._app.notify(text, title=title, severity=severity, markup=False, timeout=timeout)
        self.refresh_bindings()


def _offer(name: object) -> VerbOffer | None:
    try:
        return VERBS[FluxVerb(name)]
    except ValueError:
        return None
