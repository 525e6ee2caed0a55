"""Flux actions on every marked object (space marks rows in Apps, k9s' marks): one
confirmation listing the objects and naming the kube context, the actions run side by side,
and one summary screen with each object's outcome (ok, or failed with its one-line reason).

`FluxActions` hands a press over to `BulkActions` when the screen has marks
(`MarksObjects.marked_refs`); which objects a verb applies to is the same rule as for one
object (`flux_actions.applies`). Objects it does not apply to, that are suspended (for a
verb Flux refuses on them) or already busy with an action are named in the confirmation as
skipped, never silently dropped.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from textual.app import App

from tuiops.domain.actions import ActionOutcome, FluxVerb
from tuiops.domain.refs import ObjectRef
from tuiops.domain.text import inert
from tuiops.errors import TuiopsError
from tuiops.ui.flux_actions import FluxActions
from tuiops.ui.flux_verbs import VERBS, VerbOffer, applies, flux_target, outcome_notice, verdicts
from tuiops.ui.screens.bulk_summary import BulkResult, BulkSummaryScreen
from tuiops.ui.screens.confirm import ConfirmScreen
from tuiops.ui.state import ConsoleHost

if TYPE_CHECKING:
    from tuiops.ports import FluxControl


@runtime_checkable
class MarksObjects(Protocol):
    """A screen whose rows can be marked (Apps): the Flux keys act on the marked objects."""

    def marked_refs(self) -> tuple[ObjectRef, ...]: ...


def marked_refs(screen: object) -> tuple[ObjectRef, ...]:
    """The objects marked on `screen`; () when it has none or cannot mark."""
    return screen.marked_refs() if isinstance(screen, MarksObjects) else ()


def skip_reason(offer: VerbOffer, ref: ObjectRef, host: ConsoleHost) -> str:
    """Why `offer` leaves `ref` out of a bulk action; "" when it acts on it."""
    live = host.state.objects.get(ref)
    if live is None:
        return "not in the cluster"
    if not applies(offer, ref, host):
        if offer.helm_only and ref.kind != "HelmRelease":
            return "not a HelmRelease"
        return "already suspended" if live.suspended else "not suspended"
    if offer.refused_when_suspended and live.suspended:
        return "suspended: resume it first"
    return ""


def bulk_offered(offer: VerbOffer, refs: tuple[ObjectRef, ...], host: ConsoleHost) -> bool:
    """Whether the key of `offer` acts on the marked `refs`: it applies to one of them at
    least. `T` is suspend while any marked object runs, resume once all are suspended."""
    if not any(applies(offer, ref, host) for ref in refs):
        return False
    if offer.verb is FluxVerb.RESUME:
        suspend = VERBS[FluxVerb.SUSPEND]
        return not any(applies(suspend, ref, host) for ref in refs)
    return True


def offered(verb: VerbOffer, screen: object, host: ConsoleHost) -> bool:
    """Whether the key of `verb` acts on `screen`: on its marked objects when it has marks,
    else on its object. Read-only does not count: the press says why it is refused."""
    marked = marked_refs(screen)
    if marked:
        return bulk_offered(verb, marked, host)
    return flux_target(verb, screen, host) is not None


def palette_offers(screen: object, host: ConsoleHost) -> list[tuple[VerbOffer, str]]:
    """The verbs the command palette lists for `screen`, each with what it acts on (`3 marked
    objects`, or the object); none under `--read-only`, where each would only be refused."""
    if host.backend.read_only:
        return []
    marked = marked_refs(screen)
    ref = flux_target(VERBS[FluxVerb.RECONCILE], screen, host)
    what = f"{len(marked)} marked objects" if marked else str(ref)
    return [(verb, what) for verb in VERBS.values() if offered(verb, screen, host)]


def result_of(ref: ObjectRef, outcome: ActionOutcome | Exception) -> BulkResult:
    """One object's line in the summary, from the controller's verdict or the error."""
    if isinstance(outcome, Exception):
        text = str(outcome) or type(outcome).__name__
        if not isinstance(outcome, TuiopsError):
            text = f"{type(outcome).__name__}: {text}"
        return BulkResult(ref, "error", inert(text, one_line=True))
    message, severity = outcome_notice(outcome)
    return BulkResult(ref, severity, message)


class BulkActions:
    """The bulk half of the Flux actions, a part `FluxActions` owns."""

    @dataclass
    class Finished(FluxActions.Finished):
        """Every object of a bulk action has its verdict (or error). A `FluxActions.Finished`
        (`ref` the first object, no `outcome`), so the app routes it as every action's end."""

        context: str = ""
        results: tuple[BulkResult, ...] = ()

    def __init__(self, app: App[Any], host: ConsoleHost, running: dict[ObjectRef, str]) -> None:
        """Args:
        app: Where dialogs, notifications and workers go.
        host: The same app, as the console state it reads.
        running: Object → label of the action running on it, shared with `FluxActions`.
        """
        self._app = app
        self._host = host
        self._running = running

    def start(self, offer: VerbOffer, refs: tuple[ObjectRef, ...]) -> None:
        """Ask once for `offer` on the marked `refs`, listing what it acts on and skips."""
        targets: list[ObjectRef] = []
        skipped: list[str] = []
        for ref in refs:
            reason = skip_reason(offer, ref, self._host)
            if not reason and ref in self._running:
                reason = f"{self._running[ref]} still running"
            if reason:
                skipped.append(f"  - {ref} (skipped: {reason})")
            else:
                targets.append(ref)
        if not targets:
            self._app.notify(
                f"{offer.label}: none of the {len(refs)} marked objects can take it",
                severity="warning",
                markup=False,
                timeout=6,
            )
            return
        context = self._host.backend.label
        count = f"{len(targets)} marked object" + ("s" if len(targets) > 1 else "")
        question = f"{offer.label.capitalize()} {count}?"
        lines = [f"  • {ref}" for ref in targets] + skipped
        details = (offer.explanation, "runs, side by side: " + offer.command(targets[0]) + " …")
        self._app.push_screen(
            ConfirmScreen(question, details, verb=offer.label, context=context, objects=lines),
            partial(self._confirmed, offer, tuple(targets), context),
        )

    def _confirmed(
        self,
        offer: VerbOffer,
        refs: tuple[ObjectRef, ...],
        context: str,
        confirmed: bool | None,
    ) -> None:
        control = self._host.backend.control
        refs = tuple(ref for ref in refs if ref not in self._running)
        if not confirmed or not refs or control is None:
            return
        for ref in refs:
            self._running[ref] = offer.label
        self._app.notify(
            f"{offer.label} requested for {len(refs)} objects…", markup=False, timeout=3
        )
        self._app.run_worker(
            partial(self._wait_for_verdicts, offer, refs, control, context),
            thread=True,
            group="flux-actions",
            exit_on_error=False,
            description=f"Flux {offer.label} of {len(refs)} objects",
        )

    def _wait_for_verdicts(
        self,
        offer: VerbOffer,
        refs: tuple[ObjectRef, ...],
        control: FluxControl,
        context: str,
    ) -> None:
        """Run the action on every object at once (`verdicts`) and post one `Finished`.

        Raises:
            Exception: the first error that is not a TuiopsError (a bug), after `Finished`:
                the app's worker-failure handler reports it with its traceback.
        """
        results = verdicts(offer, control, refs)
        if results is None:
            return
        outcomes = tuple(result_of(ref, results[ref]) for ref in refs)
        message = self.Finished(offer, refs[0], None, context=context, results=outcomes)
        with contextlib.suppress(RuntimeError):  # the app's loop closed meanwhile
            self._app.post_message(message)
        for error in results.values():
            if isinstance(error, Exception) and not isinstance(error, TuiopsError):
                raise error

    def finished(self, message: Finished, refresh: Callable[[], None]) -> None:
        """Free the objects and show the summary (the app routes `Finished` here)."""
        for result in message.results:
            self._running.pop(result.ref, None)
        label = message.offer.label
        self._app.push_screen(BulkSummaryScreen(label, message.context, message.results))
        refresh()
