"""GitOps rollback of a HelmRelease: plan the one-line chart version edit, then write it,
commit it (and push it when asked and a remote exists). Blocking: run it in a worker.

The History screen calls `Backend.rollback.plan(release, chart_version)`, shows the plan's
`diff`, `warnings` and `message` in the confirmation, then `Backend.rollback.apply(plan)`.
"""

from __future__ import annotations

from pathlib import Path

from tuiops.domain.refs import ObjectRef
from tuiops.domain.rollback import RollbackPlan, RollbackResult
from tuiops.errors import TuiopsError
from tuiops.ports import GitRepository

# The rollback's repo editing (gitops/chart_version.py) is imported when a rollback is planned:
# every backend of a repo carries a ChartRollback, and the console's start does not need it.


class ReadOnlyRefused(TuiopsError):
    """A change was asked for in read-only mode."""


class ChartRollback:
    """Rollbacks of HelmRelease chart versions in one repo.

    Args:
        repo_root: The GitOps repo.
        git: Its git.
        read_only: Refuse every change (the confirmation is never the only guard).
    """

    def __init__(self, repo_root: Path, git: GitRepository, *, read_only: bool = False) -> None:
        self.repo_root = repo_root
        self._git = git
        self._read_only = read_only

    def plan(self, release: ObjectRef, chart_version: str) -> RollbackPlan:
        """The edit that sets `release` back to `chart_version`; nothing is written.

        Raises:
            RollbackRefused: it cannot be done by a safe one-line edit (the message says why:
                a `${VAR}` version, not a plain scalar, not in the repo, already there).
        """
        from tuiops.gitops.chart_version import plan_chart_rollback

        return plan_chart_rollback(self.repo_root, release, chart_version)

    def apply(self, plan: RollbackPlan, *, message: str = "", push: bool = False) -> RollbackResult:
        """Write the planned line, commit exactly that file, and push when `push` is set and
        a remote is configured. If the commit fails the file is put back as it was.

        Args:
            plan: From `plan`.
            message: The commit message (default: the plan's prefilled one).
            push: Push after the commit (a failed push keeps the commit and is reported).

        Raises:
            ReadOnlyRefused: read-only mode.
            RollbackRefused: the file changed since the plan, or has uncommitted changes.
            TuiopsError: git failed (one line: no identity, a hook, ...); nothing changed.
        """
        from tuiops.gitops.chart_version import RollbackRefused, restore, write_rollback

        if self._read_only:
            raise ReadOnlyRefused("read-only: the rollback was not written")
        if not self._git.is_clean([plan.file]):
            raise RollbackRefused(
                f"{plan.file} has uncommitted changes; commit or discard them first "
                "(the rollback commit would carry them)"
            )
        before = write_rollback(self.repo_root, plan)
        try:
            sha = self._git.commit([plan.file], message.strip() or plan.message)
        except TuiopsError:
            restore(self.repo_root, plan, before)
            raise
        if not push:
            return RollbackResult(plan, sha)
        try:
            if not self._git.remote_configured():
                return RollbackResult(plan, sha, push_error="no git remote configured")
            return RollbackResult(plan, sha, pushed=self._git.push())
        except TuiopsError as error:
            return RollbackResult(plan, sha, push_error=str(error))
