"""The Flux verbs the console offers (`VerbOffer`, `VERBS`), the one rule of which object a verb
applies to (`applies`, `flux_target`), how an outcome is told (`outcome_notice`,
`step_line`), and `verdicts`, which runs a verb on objects from a worker. `FluxActions`
(`flux_actions.py`) and the bulk actions (`bulk_actions.py`) build on it; no Textual widget
state here."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.notifications import SeverityLevel
from textual.worker import get_current_worker

from tuiops.domain.actions import ActionOutcome, ActionStep, FluxVerb, StepKind
from tuiops.domain.kinds import api_kind, is_applier, is_source
from tuiops.domain.refs import ObjectRef
from tuiops.domain.text import inert
from tuiops.ui.actions import FLUX_ACTIONS, ActionSpec
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
        try:  # `source git` for a GitRepository, as flux names it
            kind = api_kind(ref.kind).flux_word or ref.kind.lower()
        except KeyError:
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


SOURCE_VERBS = frozenset({FluxVerb.RECONCILE, FluxVerb.SUSPEND, FluxVerb.RESUME})
"""What `flux` does to a source (`flux reconcile|suspend|resume source git NAME`)."""


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
    if host.backend.control is None:
        return False
    if not is_applier(ref.kind) and not (is_source(ref.kind) and verb.verb in SOURCE_VERBS):
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


def verdicts(
    offer: VerbOffer, control: FluxControl, refs: tuple[ObjectRef, ...]
) -> dict[ObjectRef, ActionOutcome | Exception] | None:
    """From a worker: run `offer` on every object at once; each one's outcome or error, or
    None when the worker was cancelled (the app is closing).

    Each call runs in a daemon thread the worker waits on: a worker thread belongs to asyncio's
    executor, which the interpreter joins at exit, so quitting while an action waits for its
    controller (up to 5 minutes) would otherwise hang. What was sent stays sent; only the wait
    for the verdict is given up.
    """
    worker = get_current_worker()
    results: dict[ObjectRef, ActionOutcome | Exception] = {}
    done = [threading.Event() for _ref in refs]

    def call(ref: ObjectRef, finished: threading.Event) -> None:
        try:
            results[ref] = offer.run(control, ref)
        except Exception as error:  # handed to the worker, which re-raises bugs
            results[ref] = error
        finally:
            finished.set()

    for ref, finished in zip(refs, done, strict=True):
        name = f"flux {offer.verb.value} {ref}"
        threading.Thread(target=call, args=(ref, finished), name=name, daemon=True).start()
    for finished in done:
        while not finished.wait(CANCEL_POLL):
            if worker.is_cancelled:
                return None
    return results
