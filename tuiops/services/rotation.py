"""A secret rotation end to end, after the env editor saved the new value: commit the SOPS
file, push it (when asked and a remote exists), reconcile the source and then the affected
Kustomizations in dependency order (each watched to Ready or failure by `FluxControl`), the
HelmReleases whose values use the variable, then find the workloads that consume the value and
whether each picks it up, restart those that will not (when asked), and sum up per object.

Blocking and Textual-free: run `SecretRotation.run` in a thread worker and post each
`RotationStep` its `on_step` callback receives. No value ever passes through here: the keys
and the file are all it knows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tuiops.domain.actions import ActionOutcome
from tuiops.domain.refs import ObjectRef
from tuiops.domain.rotation import (
    Consumer,
    ObjectResult,
    PickUp,
    RotationStep,
    RotationSummary,
    RotationTargets,
    StepStatus,
    WorkloadSpec,
    commit_message,
    judge,
)
from tuiops.errors import TuiopsError
from tuiops.ports import FluxControl, GitRepository, WorkloadControl
from tuiops.services.rotation_targets import rotation_targets

OnStep = Callable[[RotationStep], None]


class RotationRefused(TuiopsError):
    """The rotation cannot start (read-only, nothing to do); one line."""


@dataclass(frozen=True, slots=True)
class RotationRequest:
    """What to do after the value was saved."""

    repo_root: Path
    files: tuple[Path, ...]
    """The SOPS file(s) that changed."""
    keys: tuple[str, ...]
    """The changed keys (variable names); never values."""
    context: str = ""
    """The kube context, for messages."""
    commit: bool = True
    push: bool = False
    """Push after the commit when a remote is configured (the user agreed)."""
    reconcile: bool = True
    restart: bool = False
    """Restart the consumers that will not pick the value up (the user agreed)."""
    message: str = ""
    """The commit message (default `chore(env): rotate KEY`)."""


# -- the run ---------------------------------------------------------------------------------


class _Run:
    """One rotation in progress: says each step and keeps the per-object results."""

    def __init__(self, on_step: OnStep) -> None:
        self._on_step = on_step
        self.results: list[ObjectResult] = []

    def say(self, phase: str, status: StepStatus, text: str, ref: ObjectRef | None = None) -> None:
        self._on_step(RotationStep(phase, status, text, ref))

    def result(self, what: str, ok: bool, text: str) -> None:
        self.results.append(ObjectResult(what, ok, text))

    def outcome(self, phase: str, outcome: ActionOutcome) -> bool:
        ref = outcome.ref
        status = StepStatus.OK if outcome.succeeded else StepStatus.FAILED
        self.say(phase, status, f"{ref}: {outcome.message}", ref)
        self.result(str(ref), outcome.succeeded, outcome.message)
        return outcome.succeeded


class SecretRotation:
    """Commit, push, reconcile and follow-up of a changed SOPS value.

    Args:
        git: The repo's git.
        control: Flux actions (None offline: the run stops after the commit and push).
        workloads: Workload reads and restarts (None offline).
        read_only: Refuse every change.
    """

    def __init__(
        self,
        git: GitRepository,
        control: FluxControl | None,
        workloads: WorkloadControl | None,
        *,
        read_only: bool = False,
    ) -> None:
        self._git = git
        self._control = control
        self._workloads = workloads
        self._read_only = read_only

    @property
    def read_only(self) -> bool:
        """Every change is refused (`--read-only` or config.toml for this context)."""
        return self._read_only

    def targets(
        self, repo_root: Path, keys: Sequence[str], files: Sequence[Path] = ()
    ) -> RotationTargets:
        """What the keys reach (the objects to show before saving); reads the repo only."""
        from tuiops.gitops.loader import load_repo  # not on the console's way to its first frame

        return rotation_targets(load_repo(repo_root), repo_root, keys, files)

    def run(self, request: RotationRequest, on_step: OnStep) -> RotationSummary:
        """Run the rotation, calling `on_step` as each step starts and ends.

        Returns:
            The summary; failures are in it, never raised (but see Raises).

        Raises:
            RotationRefused: read-only, or no keys.
        """
        if self._read_only:
            raise RotationRefused("read-only: the rotation was not committed or reconciled")
        if not request.keys:
            raise RotationRefused("no keys changed: nothing to rotate")
        run = _Run(on_step)
        sha = self._commit(run, request)
        if sha is None or not self._push(run, request):
            return RotationSummary(request.keys, sha or "", tuple(run.results))
        if not request.reconcile:
            return RotationSummary(request.keys, sha, tuple(run.results))
        if self._control is None:
            run.say("source", StepStatus.FAILED, "offline: nothing can be reconciled")
            run.result("reconcile", False, "offline")
            return RotationSummary(request.keys, sha, tuple(run.results))
        targets = self.targets(request.repo_root, request.keys, request.files)
        before = self._generations(run, targets)
        for source in targets.sources:
            run.say("source", StepStatus.RUNNING, f"reconciling {source}", source)
            if not run.outcome("source", self._control.reconcile(source)):
                return RotationSummary(request.keys, sha, tuple(run.results))
        if not targets.kustomizations:
            run.say("reconcile", StepStatus.WARNING, "no Kustomization uses the changed keys")
        failed: set[ObjectRef] = set()
        for ref in targets.kustomizations:
            run.say("reconcile", StepStatus.RUNNING, f"reconciling {ref}", ref)
            if not run.outcome("reconcile", self._control.reconcile(ref)):
                failed.add(ref)
        for release, owner in targets.helm_releases:
            if owner in failed:
                run.say("release", StepStatus.SKIPPED, f"{release}: {owner} failed", release)
                run.result(str(release), False, f"not reconciled: {owner} failed")
                continue
            run.say("release", StepStatus.RUNNING, f"reconciling {release}", release)
            run.outcome("release", self._control.reconcile(release))
        consumers = self._consumers(run, targets, before)
        if request.restart:
            consumers = self._restart(run, consumers)
        return RotationSummary(request.keys, sha, tuple(run.results), tuple(consumers))

    def restart(self, consumers: Iterable[Consumer], on_step: OnStep) -> tuple[Consumer, ...]:
        """Rollout-restart the consumers that will not pick the value up (the offer made
        after `run`); returns every consumer with its new standing."""
        if self._read_only:
            raise RotationRefused("read-only: nothing was restarted")
        return tuple(self._restart(_Run(on_step), list(consumers)))

    # -- steps ---------------------------------------------------------------------------

    def _commit(self, run: _Run, request: RotationRequest) -> str | None:
        if not request.commit:
            run.say("commit", StepStatus.SKIPPED, "not committed (not asked)")
            try:
                return self._git.head()
            except TuiopsError as error:
                run.say("commit", StepStatus.FAILED, str(error))
                run.result("commit", False, str(error))
                return None
        message = request.message.strip() or commit_message(request.keys)
        run.say("commit", StepStatus.RUNNING, f"git commit: {message}")
        try:
            if self._git.is_clean(request.files):
                sha = self._git.head()
                text = f"already committed at {sha[:12]}"
                run.say("commit", StepStatus.OK, text)
            else:
                sha = self._git.commit(request.files, message)
                text = f"committed {sha[:12]}: {message}"
                run.say("commit", StepStatus.OK, text)
        except TuiopsError as error:
            run.say("commit", StepStatus.FAILED, str(error))
            run.result("commit", False, str(error))
            return None
        run.result("commit", True, text)
        return sha

    def _push(self, run: _Run, request: RotationRequest) -> bool:
        try:
            remote = self._git.remote_configured()
        except TuiopsError as error:
            run.say("push", StepStatus.FAILED, str(error))
            run.result("push", False, str(error))
            return False
        if not request.push:
            if remote:
                run.say(
                    "push",
                    StepStatus.WARNING,
                    "not pushed: Flux fetches the remote, so it sees the new value after a push",
                )
            return True
        if not remote:
            run.say("push", StepStatus.SKIPPED, "no git remote configured: nothing to push")
            return True
        run.say("push", StepStatus.RUNNING, "git push")
        try:
            text = self._git.push()
        except TuiopsError as error:
            run.say("push", StepStatus.FAILED, str(error))
            run.result("push", False, str(error))
            return False
        run.say("push", StepStatus.OK, text)
        run.result("push", True, text)
        return True

    def _generations(self, run: _Run, targets: RotationTargets) -> dict[ObjectRef, int]:
        """Each candidate consumer's generation before the reconcile (to see what rolled)."""
        found: dict[ObjectRef, int] = {}
        for spec, _, _, _ in self._candidates(run, targets, quiet=True):
            found[spec.ref] = spec.generation
        return found

    def _candidates(
        self, run: _Run, targets: RotationTargets, *, quiet: bool = False
    ) -> list[tuple[WorkloadSpec, str, tuple[str, str] | None, bool]]:
        """(workload, via, source, through helm values) of every workload that may consume
        the value."""
        if self._workloads is None:
            return []
        found: list[tuple[WorkloadSpec, str, tuple[str, str] | None, bool]] = []
        for release, _ in targets.helm_releases:
            try:
                specs = self._workloads.release_workloads(release)
            except TuiopsError as error:
                if not quiet:
                    run.say("consumer", StepStatus.WARNING, f"{release}: {error}", release)
                continue
            found.extend(
                (s, f"{release.kind} {release.namespaced_name} values", None, True) for s in specs
            )
        namespaces: dict[str, tuple[WorkloadSpec, ...]] = {}
        for holder in targets.holders:
            if holder.namespace not in namespaces:
                try:
                    namespaces[holder.namespace] = self._workloads.namespace_workloads(
                        holder.namespace
                    )
                except TuiopsError as error:
                    namespaces[holder.namespace] = ()
                    if not quiet:
                        run.say("consumer", StepStatus.WARNING, f"{holder.namespace}: {error}")
            for spec in namespaces[holder.namespace]:
                hows = sorted(h for h, k, n in spec.reads if (k, n) == (holder.kind, holder.name))
                if hows:
                    via = f"{'+'.join(hows)} {holder.kind}/{holder.name}"
                    found.append((spec, via, (holder.kind, holder.name), False))
        for workload, _ in targets.templates:
            try:
                found.append((self._workloads.workload(workload), "pod template", None, False))
            except TuiopsError:
                continue
        unique: dict[ObjectRef, tuple[WorkloadSpec, str, tuple[str, str] | None, bool]] = {}
        for item in found:
            unique.setdefault(item[0].ref, item)
        return list(unique.values())

    def _consumers(
        self,
        run: _Run,
        targets: RotationTargets,
        before: dict[ObjectRef, int],
    ) -> list[Consumer]:
        consumers = []
        for spec, via, source, helm_values in self._candidates(run, targets):
            if via == "pod template":
                consumer = Consumer(
                    spec.ref,
                    via,
                    PickUp.ROLLED,
                    "the value is in its pod template: applied, it rolls",
                )
            else:
                consumer = judge(
                    spec,
                    via,
                    generation_before=before.get(spec.ref),
                    source=source,
                    helm_values=helm_values,
                )
            status = StepStatus.WARNING if consumer.needs_restart else StepStatus.OK
            run.say(
                "consumer",
                status,
                f"{spec.ref} ({via}): {consumer.pick_up.value}: {consumer.reason}",
                spec.ref,
            )
            consumers.append(consumer)
        if not consumers and (targets.helm_releases or targets.holders):
            run.say("consumer", StepStatus.OK, "no running workload consumes the changed keys")
        return consumers

    def _restart(self, run: _Run, consumers: list[Consumer]) -> list[Consumer]:
        done = []
        for consumer in consumers:
            if not consumer.needs_restart:
                done.append(consumer)
                continue
            ref = consumer.workload
            if self._workloads is None:
                run.say("restart", StepStatus.FAILED, f"{ref}: offline", ref)
                run.result(str(ref), False, "not restarted: offline")
                done.append(consumer)
                continue
            run.say("restart", StepStatus.RUNNING, f"kubectl rollout restart {ref}", ref)
            try:
                stamp = self._workloads.restart(ref)
            except TuiopsError as error:
                run.say("restart", StepStatus.FAILED, f"{ref}: {error}", ref)
                run.result(str(ref), False, f"restart failed: {error}")
                done.append(consumer)
                continue
            text = f"restarted (restartedAt {stamp})"
            run.say("restart", StepStatus.OK, f"{ref}: {text}", ref)
            run.result(str(ref), True, text)
            done.append(Consumer(ref, consumer.via, PickUp.RESTARTED, text))
        return done
