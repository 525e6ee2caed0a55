"""Flux actions through the Kubernetes API, sending exactly what the flux CLI (v2.7.5) sends.

`FluxActions` reconciles, suspends and resumes the way `flux reconcile|suspend|resume` do
(docs/flux-api.md §4): a GET, a merge patch holding only the changed annotations
(`requestedAt`, plus `forceAt`/`resetAt` for a HelmRelease, all with one RFC3339Nano local
timestamp), then polling until `status.lastHandledReconcileAt` moves and the object settles.
It reports the controller's real answer, step by step, as an `ActionOutcome`; cluster errors
become failed outcomes, never exceptions.

Two deliberate differences from flux 2.7.5, both about when to stop waiting, never about what is
sent: a Stalled object, or one whose Ready=False judges this generation while it waits to retry,
ends the wait as a failure at once (flux 2.7.5 would sit out the whole timeout; later flux
fails fast on Stalled too); and a HelmRelease that attempted a chart it could not apply is a
failure even when Ready is True (fluxcd/flux2 #1760).

`FluxCli` (from `tuiops.adapters.flux_cli`, re-exported here) runs the `flux` binary for what
only it can do: diff, trace and check.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from tuiops.adapters.flux_cli import FluxCheck, FluxCli, FluxDiff
from tuiops.adapters.kube_api import JsonObject, KubeApi
from tuiops.domain.actions import (
    ActionOutcome,
    ActionStep,
    FluxVerb,
    StepKind,
    applied_revision,
    old_revision_note,
    reconcile_handled,
    resume_ready,
    rfc3339nano,
    source_to_reconcile,
    still_old_revision,
    success_message,
)
from tuiops.domain.decode import as_map
from tuiops.domain.decode_live import DecodeError, decode_live_object
from tuiops.domain.kinds import ApiKind, api_kind
from tuiops.domain.live import LiveObject
from tuiops.domain.refs import ObjectRef
from tuiops.domain.status import RECONCILING, find_condition
from tuiops.errors import ApiError, ClusterError

REQUESTED_AT = "reconcile.fluxcd.io/requestedAt"
FORCE_AT = "reconcile.fluxcd.io/forceAt"
RESET_AT = "reconcile.fluxcd.io/resetAt"
DEFAULT_NAMESPACE = "flux-system"
PARTIAL_METADATA = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json"
CONFLICT_DELAYS = (0.01, 0.05, 0.25, None)
"""client-go `retry.DefaultBackoff` (4 steps from 10 ms, factor 5); None: give up."""

# The `flux suspend|resume <humanKind>` words and the answering controller come from the one
# kinds table (`ApiKind.flux_word`, `ApiKind.controller`). Kinds flux reconciles with
# `reconcileWithSourceCommand` (the others use `reconcileCommand`, whose failure message
# quotes the Ready message):
_WITH_SOURCE_KINDS = frozenset({"Kustomization", "HelmRelease", "HelmChart"})


class _Failed(Exception):
    """Ends an action: the message becomes the ✗ line and the outcome's message."""


@dataclass
class _Run:
    """One action in progress: its steps, its deadline, and the object it is about."""

    deadline: float
    steps: list[ActionStep] = field(default_factory=list)
    live: LiveObject | None = None
    """The last state of the object the action was asked about."""

    def say(self, kind: StepKind, text: str) -> None:
        self.steps.append(ActionStep(kind, text))


def _api_kind(ref: ObjectRef) -> ApiKind:
    try:
        return api_kind(ref.kind)
    except KeyError:
        raise _Failed(f"tuiops cannot act on objects of kind {ref.kind}") from None


def _words(ref: ObjectRef) -> tuple[str, str]:
    """How flux names the kind (`source git`) and which controller answers it."""
    try:
        kind = api_kind(ref.kind)
    except KeyError:
        return ref.kind.lower(), "source-controller"
    return kind.flux_word or ref.kind.lower(), kind.controller or "source-controller"


def _duration(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}m{rest:g}s" if minutes else f"{rest:g}s"


def _is_static(raw: JsonObject) -> bool:
    """An OCI HelmRepository has no reconciler: flux answers "reconciliation not supported"."""
    return raw.get("kind") == "HelmRepository" and as_map(raw.get("spec")).get("type") == "oci"


class FluxActions:
    """Reconcile, suspend and resume Flux objects; each call blocks until the outcome is known
    (run it in a worker), and never raises for what the cluster answers.

    Args:
        api: The kube context to act on.
        poll_interval: Seconds between status reads while waiting (flux: 2 s).
        timeout: Seconds one action may take in all, source chain included (flux: 5 min).
        now: Clock for the annotation values; default the local wall clock with nanoseconds,
            as `time.Now()` in the flux CLI.
    """

    def __init__(
        self,
        api: KubeApi,
        *,
        poll_interval: float = 2.0,
        timeout: float = 300.0,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self._api = api
        self._poll = poll_interval
        self._timeout = timeout
        self._now = now

    # -- public actions ------------------------------------------------------------------

    def reconcile(
        self, ref: ObjectRef, *, with_source: bool = False, force: bool = False, reset: bool = False
    ) -> ActionOutcome:
        """`flux reconcile <kind> NAME [--with-source] [--force] [--reset]`.

        Args:
            ref: A Kustomization, HelmRelease or source; namespace defaults to flux-system.
            with_source: Reconcile the source chain first (Kustomization → its sourceRef;
                HelmRelease → HelmChart `<ns>-<name>` and its source, or its chartRef).
            force: HelmRelease only: one-off install/upgrade (`forceAt`).
            reset: HelmRelease only: clear the failure counters (`resetAt`).

        Returns:
            The outcome; a failed one for suspended objects, API errors and timeouts.

        Raises:
            ValueError: `force` or `reset` for a kind other than HelmRelease.
        """
        if (force or reset) and ref.kind != "HelmRelease":
            raise ValueError("--force and --reset apply to HelmReleases only")
        ref = self._namespaced(ref)
        run = _Run(time.monotonic() + self._timeout)
        try:
            self._reconcile(run, ref, with_source=with_source, force=force, reset=reset, top=True)
        except (_Failed, ClusterError, DecodeError) as error:
            return self._failed(FluxVerb.RECONCILE, ref, run, self._error_text(error))
        return self._finish(FluxVerb.RECONCILE, ref, run, "")

    def suspend(self, ref: ObjectRef) -> ActionOutcome:
        """`flux suspend <kind> NAME`: LIST by name, merge patch `{"spec":{"suspend":true}}`.

        Returns:
            The outcome. Nothing matching is a success with a `✗ … not found` step, as flux
            exits 0 then.
        """
        return self._toggle(FluxVerb.SUSPEND, self._namespaced(ref), wait=False)

    def resume(self, ref: ObjectRef, *, wait: bool = True) -> ActionOutcome:
        """`flux resume <kind> NAME`: patch `{"spec":{"suspend":null}}`, then (with `wait`) wait
        for the controller to reconcile the new generation.

        Returns:
            The outcome; a missing object is reported like `suspend` does.
        """
        return self._toggle(FluxVerb.RESUME, self._namespaced(ref), wait=wait)

    # -- reconcile -------------------------------------------------------------------------

    def _reconcile(
        self, run: _Run, ref: ObjectRef, *, with_source: bool, force: bool, reset: bool, top: bool
    ) -> LiveObject:
        kind = _api_kind(ref)
        raw = self._api.get(kind, ref.namespace, ref.name)
        live = decode_live_object(raw)
        if top:
            run.live = live
        if _is_static(raw):
            run.say(StepKind.SUCCESS, "reconciliation not supported by the object")
            return live
        if live.suspended:
            raise _Failed("resource is suspended")
        if ref.kind in _WITH_SOURCE_KINDS and with_source:
            try:
                source = source_to_reconcile(live)
            except ValueError as error:
                raise _Failed(str(error)) from None
            # A HelmRelease's HelmChart always brings its own source along (flux: force=true).
            self._reconcile(run, source, with_source=True, force=False, reset=False, top=False)
        last_handled = live.last_handled_reconcile_at
        run.say(StepKind.ACTION, f"annotating {ref.kind} {ref.name} in {ref.namespace} namespace")
        self._request_reconciliation(kind, ref, force=force, reset=reset)
        run.say(StepKind.SUCCESS, f"{ref.kind} annotated")
        run.say(StepKind.WAITING, f"waiting for {ref.kind} reconciliation")
        live, raw = self._wait(
            run, kind, ref, top, lambda obj: reconcile_handled(obj, last_handled)
        )
        ready = live.ready
        if ready is None:
            raise _Failed("status can't be determined")
        if not ready.is_true:
            quoted = ready.message if ref.kind in _WITH_SOURCE_KINDS else f"'{ready.message}'"
            raise _Failed(f"{ref.kind} reconciliation failed: {quoted}")
        run.say(StepKind.SUCCESS, success_message(live, static=_is_static(raw)))
        return live

    def _request_reconciliation(
        self, kind: ApiKind, ref: ObjectRef, *, force: bool, reset: bool
    ) -> None:
        """flux's `requestReconciliation`: metadata GET, then a merge patch of what changed."""
        path = kind.object_path(ref.namespace, ref.name)
        for delay in CONFLICT_DELAYS:
            partial = self._api.request_json("GET", path, accept=PARTIAL_METADATA)
            metadata = as_map(partial.get("metadata"))
            annotations = as_map(metadata.get("annotations"))
            stamp = self._timestamp()
            wanted = {REQUESTED_AT: stamp}
            if ref.kind == "HelmRelease":
                wanted.update({FORCE_AT: stamp} if force else {})
                wanted.update({RESET_AT: stamp} if reset else {})
            changed = {key: value for key, value in wanted.items() if annotations.get(key) != value}
            patch: JsonObject = {"metadata": {"annotations": changed}} if changed else {}
            try:
                self._api.merge_patch(kind, ref.namespace, ref.name, patch)
                return
            except ApiError as error:
                if error.code != 409 or delay is None:
                    raise
            time.sleep(delay)

    def _timestamp(self) -> str:
        if self._now is not None:
            moment = self._now()
            moment = moment if moment.tzinfo is not None else moment.astimezone()
            return rfc3339nano(moment, moment.microsecond * 1000)
        nanos = time.time_ns()
        moment = datetime.fromtimestamp(nanos // 1_000_000_000).astimezone()
        return rfc3339nano(moment, nanos % 1_000_000_000)

    # -- waiting ---------------------------------------------------------------------------

    def _wait(
        self,
        run: _Run,
        kind: ApiKind,
        ref: ObjectRef,
        top: bool,
        done: Callable[[LiveObject], bool],
    ) -> tuple[LiveObject, JsonObject]:
        """Poll GET (first at once, then every `poll_interval`) until `done` or the deadline."""
        while True:
            raw = self._api.get(kind, ref.namespace, ref.name)
            live = decode_live_object(raw)
            if top:
                run.live = live
            if done(live):
                return live, raw
            if live.suspended:
                raise _Failed(f"{ref.kind} {ref.namespace}/{ref.name} was suspended while waiting")
            remaining = run.deadline - time.monotonic()
            if remaining <= 0:
                raise _Failed(self._timeout_text(live))
            time.sleep(min(self._poll, remaining))

    def _timeout_text(self, live: LiveObject) -> str:
        ref = live.ref
        controller = _words(ref)[1]
        reconciling = find_condition(live.conditions, RECONCILING)
        if reconciling is not None and reconciling.is_true:
            why = f"{controller} is still reconciling it: {reconciling.message}"
        elif live.observed_generation not in (None, live.generation):
            why = f"{controller} has not reconciled generation {live.generation} yet"
        else:
            why = f"{controller} did not answer the request; is it running?"
        return (
            f"timed out after {_duration(self._timeout)} waiting for {ref.kind} "
            f"{ref.namespace}/{ref.name} reconciliation: {why}"
        )

    # -- suspend / resume ------------------------------------------------------------------

    def _toggle(self, action: FluxVerb, ref: ObjectRef, *, wait: bool) -> ActionOutcome:
        run = _Run(time.monotonic() + self._timeout)
        human = _words(ref)[0]
        verb, past = (
            ("suspending", "suspended") if action is FluxVerb.SUSPEND else ("resuming", "resumed")
        )
        done = f"{ref.kind} {ref.namespace}/{ref.name} {past}"
        try:
            kind = _api_kind(ref)
            items, _ = self._api.list_all(
                kind, namespace=ref.namespace, field_selector=f"metadata.name={ref.name}"
            )
            if not items:
                text = (
                    f"{ref.kind} {ref.name} not found in {ref.namespace} namespace"
                    if action is FluxVerb.SUSPEND
                    else f"{ref.kind} object '{ref.name}' not found in {ref.namespace} namespace"
                )
                run.say(StepKind.FAILURE, text)
                return ActionOutcome(action, ref, True, text, steps=tuple(run.steps))
            for item in items:
                run.live = decode_live_object(item)
                run.say(StepKind.ACTION, f"{verb} {human} {ref.name} in {ref.namespace} namespace")
                self._api.merge_patch(
                    kind, ref.namespace, ref.name, self._suspend_patch(action, item)
                )
                run.say(StepKind.SUCCESS, f"{human} {past}")
            if action is FluxVerb.RESUME and wait:
                run.say(StepKind.WAITING, f"waiting for {ref.kind} reconciliation")
                static = _is_static(items[0])
                live, _ = self._wait(run, kind, ref, True, lambda o: resume_ready(o, static=static))
                ready = live.ready
                if ready is not None and not ready.is_true and not static:
                    raise _Failed(f"{ref.kind} {ref.name} reconciliation failed: {ready.message}")
                run.say(StepKind.SUCCESS, f"{ref.kind} {ref.name} reconciliation completed")
                run.say(StepKind.SUCCESS, success_message(live, static=static))
                done = f"{done}: {success_message(live, static=static)}"
        except (_Failed, ClusterError, DecodeError) as error:
            text = self._error_text(error)
            if action is FluxVerb.SUSPEND and not isinstance(error, _Failed):
                text = (
                    f"failed suspending {ref.kind} {ref.name} in {ref.namespace} namespace: {text}"
                )
            return self._failed(
                action, ref, run, text, check_revisions=action is FluxVerb.RESUME and wait
            )
        return self._finish(
            action, ref, run, done, check_revisions=action is FluxVerb.RESUME and wait
        )

    @staticmethod
    def _suspend_patch(action: FluxVerb, item: JsonObject) -> JsonObject:
        """The JSON diff flux's `client.MergeFrom` computes: empty when nothing changes."""
        suspended = as_map(item.get("spec")).get("suspend") is True
        if action is FluxVerb.SUSPEND:
            return {} if suspended else {"spec": {"suspend": True}}
        return {"spec": {"suspend": None}} if suspended else {}

    # -- outcomes --------------------------------------------------------------------------

    @staticmethod
    def _namespaced(ref: ObjectRef) -> ObjectRef:
        return ref if ref.namespace else ObjectRef(ref.kind, DEFAULT_NAMESPACE, ref.name)

    @staticmethod
    def _error_text(error: Exception) -> str:
        return str(error) or type(error).__name__

    def _failed(
        self,
        action: FluxVerb,
        ref: ObjectRef,
        run: _Run,
        message: str,
        *,
        check_revisions: bool = True,
    ) -> ActionOutcome:
        run.say(StepKind.FAILURE, message)
        return self._finish(action, ref, run, message, failed=True, check_revisions=check_revisions)

    @staticmethod
    def _finish(
        action: FluxVerb,
        ref: ObjectRef,
        run: _Run,
        message: str,
        *,
        failed: bool = False,
        check_revisions: bool = True,
    ) -> ActionOutcome:
        live = run.live
        applied = applied_revision(live) if live is not None else ""
        attempted = live.last_attempted_revision if live is not None else ""
        old = check_revisions and still_old_revision(ref.kind, applied, attempted)
        if old:
            note = old_revision_note(ref.kind, applied, attempted)
            run.say(StepKind.WARNING, note)
            message = f"{message}; {note}" if failed else f"{ref.kind} reconciled, but {note}"
        elif not failed and not message:
            message = f"{ref.kind} {ref.namespace}/{ref.name} reconciled: {applied or 'ready'}"
        return ActionOutcome(
            action,
            ref,
            succeeded=not failed and not old,
            message=message,
            applied_revision=applied,
            attempted_revision=attempted,
            steps=tuple(run.steps),
            still_old_revision=old,
        )


__all__ = ["FluxActions", "FluxCheck", "FluxCli", "FluxDiff"]
