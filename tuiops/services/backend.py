"""The bundle of port implementations a console session runs on (live cluster, simulator, or
none), built by `wiring.py`; the UI sees only this and the services.

Read-only mode lives here, in the code path, not in the screens: a Backend's `control` is
always a `GuardedControl`, which on a read-only backend refuses every action (a failed outcome,
recorded as `refused`) without ever calling the adapter, whatever the UI or a script asks. Every
action attempt is recorded in the audit log (`services/audit.py`) with its outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from tuiops.errors import TuiopsError

if TYPE_CHECKING:  # the console's first frame does not pay for every port's domain types
    from tuiops.domain.actions import ActionOutcome, FluxVerb
    from tuiops.domain.kube_contexts import KubeContextEntry
    from tuiops.domain.refs import ObjectRef
    from tuiops.ports import (
        AgeKeySecret,
        FluxControl,
        FluxFeed,
        GitRepository,
        LogReader,
        ObjectDetails,
        TalosReader,
        WorkloadControl,
    )
    from tuiops.services.audit import AuditLog, AuditObject
    from tuiops.services.rollback import ChartRollback
    from tuiops.services.rotation import SecretRotation


class ReadOnly(TuiopsError):
    """A change was asked of a read-only backend; the message names the change and why the
    backend is read-only (`--read-only`, or the config file and context)."""


def refusal_text(action: str, what: str, reason: str) -> str:
    """`read-only (REASON): ACTION of WHAT refused`, the one line every refusal says."""
    return f"read-only ({reason}): {action} of {what} refused"


def _record(
    audit: AuditLog | None, action: str, objects: Sequence[AuditObject], outcome: str, message: str
) -> str:
    """Record one attempt; returns "" or, when the log cannot be written, why not."""
    if audit is None:
        return ""
    from tuiops.services.audit import AuditError

    try:
        audit.record(action, objects, outcome, message)
    except AuditError as error:
        return str(error)
    return ""


class GuardedControl:
    """The `FluxControl` a Backend hands out: refuses everything when read-only, and records
    every attempt (ok, failed, refused) in the audit log.

    Args:
        inner: The adapter that acts (never called when `refusal` is set).
        refusal: Why the backend is read-only ("" when it is writable).
        audit: Where attempts are recorded; None records nothing (bare test backends).
    """

    def __init__(
        self, inner: FluxControl, *, refusal: str = "", audit: AuditLog | None = None
    ) -> None:
        self.inner = inner
        self.refusal = refusal
        self.audit = audit

    def reconcile(
        self, ref: ObjectRef, *, with_source: bool = False, force: bool = False, reset: bool = False
    ) -> ActionOutcome:
        from tuiops.domain.actions import FluxVerb

        flags = [
            flag
            for flag, on in (("--with-source", with_source), ("--force", force), ("--reset", reset))
            if on
        ]
        return self._run(
            FluxVerb.RECONCILE,
            " ".join(["flux reconcile", *flags]),
            ref,
            lambda: self.inner.reconcile(ref, with_source=with_source, force=force, reset=reset),
        )

    def suspend(self, ref: ObjectRef) -> ActionOutcome:
        from tuiops.domain.actions import FluxVerb

        return self._run(FluxVerb.SUSPEND, "flux suspend", ref, lambda: self.inner.suspend(ref))

    def resume(self, ref: ObjectRef, *, wait: bool = True) -> ActionOutcome:
        from tuiops.domain.actions import FluxVerb

        return self._run(
            FluxVerb.RESUME, "flux resume", ref, lambda: self.inner.resume(ref, wait=wait)
        )

    def _run(
        self, verb: FluxVerb, action: str, ref: ObjectRef, act: Callable[[], ActionOutcome]
    ) -> ActionOutcome:
        from tuiops.domain.actions import ActionOutcome, ActionStep, StepKind
        from tuiops.services.audit import Outcome

        if self.refusal:
            text = refusal_text(action, str(ref), self.refusal)
            problem = _record(self.audit, action, (ref,), Outcome.REFUSED, text)
            steps: tuple[ActionStep, ...] = (ActionStep(StepKind.FAILURE, text),)
            if problem:
                steps += (ActionStep(StepKind.WARNING, problem),)
            return ActionOutcome(verb, ref, False, text, steps=steps)
        try:
            outcome = act()
        except Exception as error:  # recorded, then the caller sees it as before
            text = str(error) or type(error).__name__
            _record(self.audit, action, (ref,), Outcome.FAILED, text)
            raise
        result = Outcome.OK if outcome.succeeded else Outcome.FAILED
        problem = _record(self.audit, action, (outcome.ref,), result, outcome.message)
        if problem:  # the action happened: say the log missed it, do not hide the verdict
            return replace(outcome, steps=(*outcome.steps, ActionStep(StepKind.WARNING, problem)))
        return outcome


@dataclass(frozen=True)
class Backend:
    """What one console session talks to."""

    repo_root: Path | None
    """The GitOps repo; None when tuiops was started outside one."""
    flux: FluxFeed | None = None
    """None when offline (no kubeconfig, or `--offline`)."""
    details: ObjectDetails | None = None
    talos: TalosReader | None = None
    logs: LogReader | None = None
    """Controller and pod logs; None when offline."""
    control: FluxControl | None = None
    """Reconcile/suspend/resume; None when offline. Always a `GuardedControl` (wrapped on
    construction): on a read-only backend it refuses every action."""
    offline_reason: str = ""
    """Why there is no cluster, shown in the status bar and on the Layers screen."""
    read_only: bool = False
    label: str = ""
    """Kube context (and `demo` in the demo), for the status bar."""
    contexts: Callable[[], tuple[KubeContextEntry, ...]] | None = None
    """Blocking: the kubeconfig's contexts (`:ctx` lists them); None without a kubeconfig.
    Raises NoKubeconfig when the files cannot be read."""
    switch_context: Callable[[str], Backend] | None = None
    """Blocking: a backend on another context of the same kubeconfig, with the same options;
    None without a kubeconfig. Raises NoKubeconfig for a context it cannot use."""
    read_only_reason: str = ""
    """Why `read_only` is set: `--read-only`, or the config file line (for refusals)."""
    audit: AuditLog | None = None
    """Where changes are recorded (its entries name this backend's kube context); None
    records nothing (backends built bare in tests). Wiring always sets it."""
    git: GitRepository | None = None
    """The GitOps repo's git; None outside a repo."""
    rollback: ChartRollback | None = None
    """GitOps rollback of a HelmRelease's chart version (History): `plan(release, version)`,
    then `apply(plan, push=...)`; blocking, run both in a worker. None outside a repo."""
    rotation: SecretRotation | None = None
    """After an env save: commit, push, reconcile the affected objects, list the consumers
    (`targets(repo, keys)`, `run(request, on_step)`, `restart(consumers, on_step)`); blocking,
    run in a thread worker. None outside a repo."""
    workloads: WorkloadControl | None = None
    """Live workloads and their rollout restart (the rotation's consumers), on the feed's
    kube context; None offline."""
    age_secret: AgeKeySecret | None = None
    """The Flux namespace's `sops-age` Secret (recipient rotation); None when offline. Not
    guarded itself: `services/recipients.py` refuses and records every write."""

    @property
    def read_only_why(self) -> str:
        """Why changes are refused, as a notice says it: `tuiops runs with --read-only`, or the
        config file's line for this context."""
        reason = self.read_only_reason
        return "tuiops runs with --read-only" if reason in ("", "--read-only") else reason

    def __post_init__(self) -> None:
        if self.read_only and not self.read_only_reason:
            object.__setattr__(self, "read_only_reason", "--read-only")
        if not self.read_only and self.read_only_reason:
            object.__setattr__(self, "read_only", True)
        control = self.control
        if control is None:
            return
        inner = control.inner if isinstance(control, GuardedControl) else control
        refusal = self.read_only_reason if self.read_only else ""
        object.__setattr__(
            self, "control", GuardedControl(inner, refusal=refusal, audit=self.audit)
        )

    def refuse_if_read_only(self, action: str, objects: Sequence[AuditObject]) -> None:
        """The guard for changes made outside `control` (an env save, a git commit or push):
        call it first, where the change is made.

        Args:
            action: What would run (`env save`, `git commit`).
            objects: The files, keys (`FILE:KEY`) or objects it would change; never values.

        Raises:
            ReadOnly: the backend is read-only; the attempt is recorded as `refused`.
        """
        if not self.read_only:
            return
        from tuiops.services.audit import Outcome, object_name

        what = ", ".join(object_name(item) for item in objects) or "nothing"
        text = refusal_text(action, what, self.read_only_reason)
        _record(self.audit, action, objects, Outcome.REFUSED, text)
        raise ReadOnly(text)

    def record(
        self, action: str, objects: Sequence[AuditObject], outcome: str, message: str = ""
    ) -> None:
        """Record a change made outside `control` (`ok` or `failed`) in the audit log.

        Raises:
            AuditError: the log could not be written (say so; the change itself happened).
            ValueError: an object is not a short one-line name.
        """
        if self.audit is not None:
            self.audit.record(action, objects, outcome, message)
