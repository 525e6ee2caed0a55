"""A GitOps rollback of a HelmRelease: the repo's chart version set back to an earlier one,
as a one-line edit of the file that pins it, committed with a prefilled message.

Pure: the plan is computed in `tuiops.gitops.chart_version`, applied by
`tuiops.services.rollback`.
"""

from __future__ import annotations

from dataclasses import dataclass

from tuiops.domain.refs import ObjectRef

ROLLBACK_WARNING = (
    "Only the chart version goes back: the HelmRelease's values stay as the repo has them now, "
    "so what newer values changed is not reverted. A plain `helm rollback` would be undone by "
    "Flux at its next reconcile, because the repo still asks for the newer chart; this changes "
    "the repo instead."
)
"""What the confirmation must say before a GitOps rollback."""


def rollback_message(release: ObjectRef, old: str, new: str) -> str:
    """The prefilled commit message: `rollback(<ns>/<name>): chart <old> -> <new>`."""
    return f"rollback({release.namespaced_name}): chart {old} -> {new}"


@dataclass(frozen=True, slots=True)
class RollbackPlan:
    """The one-line edit that sets a HelmRelease's chart version back."""

    release: ObjectRef
    """The HelmRelease rolled back."""
    target: ObjectRef
    """The object whose file line changes: the HelmRelease (`spec.chart.spec.version`), or
    the OCIRepository (`spec.ref.tag`) or HelmChart (`spec.version`) of its `chartRef`."""
    field: str
    """The changed field's path, e.g. `spec.chart.spec.version`."""
    file: str
    """POSIX path relative to the repo root."""
    line: int
    """1-based line number of the edited line."""
    old_line: str
    """The line as it is (without its line ending)."""
    new_line: str
    """The line as it will be: the same text with only the value replaced."""
    old_version: str
    new_version: str
    message: str
    """The prefilled commit message."""
    file_sha256: str
    """The file's content hash when planned; applying refuses if it changed since."""
    warnings: tuple[str, ...] = (ROLLBACK_WARNING,)
    """Shown with the confirmation: always `ROLLBACK_WARNING`, plus e.g. that an
    OCIRepository is shared with other HelmReleases."""

    @property
    def diff(self) -> str:
        """The change as a unified-diff hunk, for the confirmation dialog."""
        return (
            f"--- a/{self.file}\n+++ b/{self.file}\n"
            f"@@ -{self.line} +{self.line} @@\n-{self.old_line}\n+{self.new_line}\n"
        )


@dataclass(frozen=True, slots=True)
class RollbackResult:
    """A rollback committed (and maybe pushed)."""

    plan: RollbackPlan
    commit: str
    """The new commit's sha."""
    pushed: str = ""
    """Where it was pushed (`pushed to origin/main`); empty when not pushed."""
    push_error: str = ""
    """Why the push failed (the commit stays); empty when it did not fail."""

    @property
    def summary(self) -> str:
        """One line for a status bar."""
        text = f"committed {self.commit[:12]}: {self.plan.message}"
        if self.pushed:
            text += f"; {self.pushed}"
        elif self.push_error:
            text += f"; not pushed: {self.push_error}"
        else:
            text += "; not pushed (Flux reads the remote: push, then reconcile the source)"
        return text
