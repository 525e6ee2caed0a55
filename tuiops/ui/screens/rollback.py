"""GitOps rollback from History (`B` on a revision row): the repo's chart version set back to
that revision's, as a one-line edit committed to the repo (a plain `helm rollback` would be
undone by Flux at its next reconcile).

The plan is read in a worker (`Backend.rollback.plan`), shown in a confirmation with the
one-line diff, the file, the kube context and the warnings, then applied in a worker
(`Backend.rollback.apply`); the result is one notice. Read-only is refused at the key, when
the confirmation answers, and in the apply path (`Backend.refuse_if_read_only`, then the
rollback service's own refusal). Every attempt is recorded in the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from textual.content import Content
from textual.widgets import Static

from tuiops.domain.refs import ObjectRef
from tuiops.domain.rollback import RollbackPlan
from tuiops.domain.text import inert
from tuiops.errors import TuiopsError
from tuiops.services.backend import Backend
from tuiops.ui.screens.confirm import ConfirmScreen
from tuiops.ui.screens.console_screen import ConsoleScreen
from tuiops.ui.tones import Tone

WORKER_GROUP = "rollback"
DIFF_TONES = (("+++", Tone.STRONG), ("---", Tone.STRONG), ("@@", Tone.ACCENT))


class HasChartVersions(Protocol):
    """A History row: Helm storage's and/or Flux's view of one revision."""

    @property
    def number(self) -> int: ...

    @property
    def helm(self) -> _Versioned | None: ...

    @property
    def flux(self) -> _Versioned | None: ...


class _Versioned(Protocol):
    @property
    def chart_version(self) -> str: ...


def diff_line(line: str) -> Content:
    """One line of the plan's diff in its tone (`-` removed, `+` added, headers strong)."""
    tone = next((tone for prefix, tone in DIFF_TONES if line.startswith(prefix)), None)
    if tone is None:
        tone = {"+": Tone.ADDED, "-": Tone.REMOVED}.get(line[:1])
    text = inert(line.replace("\n", " ")).replace("\t", "    ")  # indentation kept
    return Content.styled(text, tone) if tone else Content(text)


class RollbackConfirm(ConfirmScreen):
    """The confirmation of a GitOps rollback: the question, the diff (one line changes), the
    kube context, the file and the commit message, and the warnings."""

    def __init__(self, plan: RollbackPlan, context: str) -> None:
        question = (
            f"Roll {plan.release} back to chart {plan.new_version} (from {plan.old_version})?"
        )
        details: Sequence[str] = (
            f"file: {plan.file} (line {plan.line}, {plan.field} of {plan.target})",
            f"commit: {plan.message}",
            *plan.warnings,
        )
        super().__init__(
            question,
            details,
            verb="commit rollback",
            context=context,
            objects=plan.diff.splitlines(),
        )
        self.plan = plan

    def on_mount(self) -> None:
        """The diff lines in their tones, the warnings in WARN (ConfirmScreen draws them
        plain)."""
        for number, line in enumerate(self.objects):
            self.query_one(f"#object-{number}", Static).update(diff_line(line))
        for number, line in enumerate(self.details):
            if line in self.plan.warnings:
                shown = Content.styled(inert(line, one_line=True), Tone.WARN)
                self.query_one(f"#detail-{number}", Static).update(shown)


def chart_version_of(row: HasChartVersions) -> str:
    """The chart version a History row was deployed with ("" when neither side knows)."""
    for side in (row.helm, row.flux):
        if side is not None and side.chart_version:
            return side.chart_version
    return ""


def _refused(screen: ConsoleScreen, release: ObjectRef) -> bool:
    backend = screen.host.backend
    if backend.read_only:
        line = f"read-only: GitOps rollback of {release} refused ({backend.read_only_reason})"
        screen.notify(inert(line, one_line=True), severity="warning", markup=False)
        return True
    if backend.rollback is None:
        line = "GitOps rollback needs the repo: tuiops runs outside a GitOps repo"
        screen.notify(line, severity="warning", markup=False)
        return True
    return False


def start_rollback(screen: ConsoleScreen, release: ObjectRef, row: HasChartVersions | None) -> None:
    """Plan the rollback of `release` to `row`'s chart version in a worker, then confirm.

    Args:
        screen: The History screen (it owns the workers; its notices answer).
        release: The HelmRelease shown.
        row: The revision under the cursor (None: no row, nothing happens).
    """
    if row is None or _refused(screen, release):
        return
    version = chart_version_of(row)
    if not version:
        screen.notify(f"revision {row.number}: its chart version is unknown", severity="warning")
        return
    rollback = screen.host.backend.rollback
    assert rollback is not None
    app = screen.app

    def plan() -> None:
        planned = rollback.plan(release, version)  # RollbackRefused: the app says why
        app.call_from_thread(_confirm, screen, planned)

    screen.run_worker(
        plan,
        thread=True,
        exclusive=True,
        group=WORKER_GROUP,
        exit_on_error=False,
        description="planning the GitOps rollback",
    )


def _confirm(screen: ConsoleScreen, plan: RollbackPlan) -> None:
    backend = screen.host.backend

    def answered(yes: bool | None) -> None:
        if yes and not _refused(screen, plan.release):
            apply_rollback(screen, plan)

    screen.app.push_screen(RollbackConfirm(plan, backend.label or "no context"), answered)


def apply_rollback(screen: ConsoleScreen, plan: RollbackPlan) -> None:
    """Write and commit the planned line in a worker; one notice says what happened."""
    backend = screen.host.backend
    app = screen.app
    objects = (plan.release, plan.file)

    def apply() -> None:
        backend.refuse_if_read_only("gitops rollback", objects)  # ReadOnly: the app says it
        assert backend.rollback is not None
        try:
            result = backend.rollback.apply(plan)
        except TuiopsError as error:
            _record(backend, objects, "failed", str(error))
            raise
        problem = _record(backend, objects, "ok", result.summary)
        line = inert(result.summary + problem, one_line=True)
        app.call_from_thread(screen.notify, line, markup=False)

    screen.run_worker(
        apply,
        thread=True,
        exclusive=True,
        group=WORKER_GROUP,
        exit_on_error=False,
        description="GitOps rollback",
    )


def _record(backend: Backend, objects: Sequence[ObjectRef | str], outcome: str, text: str) -> str:
    """Record the attempt in the audit log; "" or why the log could not be written."""
    try:
        backend.record("gitops rollback", objects, outcome, text)
    except (TuiopsError, ValueError) as error:
        return f"; audit log: {error}"
    return ""
