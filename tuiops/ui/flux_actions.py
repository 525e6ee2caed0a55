"""Flux actions on the object the current screen shows, app-wide: reconcile, reconcile with
source, suspend, resume, and for HelmReleases force (one-off upgrade) and reset (failure
counters). `TuiopsApp` owns one `FluxActions` part and routes its `flux(...)` bindings to it.

The verbs, and the one rule of which object a verb applies to (`applies`, `flux_target`), live
in `flux_verbs.py` (re-exported here); the rule serves `check_action` (footer and keys), the
command palette and the action itself: an action is hidden when there is no object, no
cluster (offline), no live object, or the kind or suspended state does not fit.
Under `--read-only` a press says in one line why nothing happens (`read-only: reconcile of …
refused`) and the palette leaves the actions out; the status bar shows the read-only badge.
The keys stay live for that: a binding whose `check_action` is falsy (greyed out) never
reaches the action, so it could not explain itself (k9s' read-only silently leaves its Flux
plugins working).

Each action runs in a thread worker (the adapter blocks until the controller answers, up to its
timeout) and ends as one `FluxActions.Finished` message, shown as one notification with the
controller's verdict. Actions on different objects run side by side; a second one on the same
object is refused until the first ends. On a screen with marked rows the keys act on every
marked object (`bulk_actions.py`). Notifications are short-lived (`NOTICE_SECONDS`) and sit
in a corner (`app.tcss`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.message import Message

from tuiops.domain.actions import ActionOutcome, FluxVerb
from tuiops.domain.refs import ObjectRef
from tuiops.domain.text import inert
from tuiops.errors import TuiopsError
from tuiops.ui.flux_verbs import (
    NOTICE_SECONDS,
    VERBS,
    VerbOffer,
    flux_target,
    outcome_notice,
    verdicts,
)
from tuiops.ui.screens.confirm import ConfirmScreen
from tuiops.ui.state import ConsoleHost

if TYPE_CHECKING:
    from tuiops.ports import FluxControl


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
        if screen is None:  # a snapshot timer that fired while the app shuts down
            return
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
            notify(self._refused(offer, marked or ((ref,) if ref is not None else ())))
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

    def _refused(self, offer: VerbOffer, refs: Sequence[ObjectRef]) -> str:
        """The one-line refusal of a read-only backend, recorded in the audit log as well
        (the guarded control would record it too, but it is never reached from here)."""
        backend = self._host.backend
        what = f"{len(refs)} marked objects" if len(refs) > 1 else ", ".join(map(str, refs))
        text = f"read-only: {offer.label} of {what} refused ({backend.read_only_why})"
        try:
            backend.record(f"flux {offer.label}", refs, "refused", text)
        except (TuiopsError, ValueError) as error:  # the log could not be written
            text += f"; not in the audit log: {error}"
        return text

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

        Raises:
            Exception: whatever the adapter raised that is not a TuiopsError (a bug), after
                `Finished` frees the object: the app's worker-failure handler reports it.
        """
        results = verdicts(offer, control, (ref,))
        if results is None:
            return
        outcome = results[ref]
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
