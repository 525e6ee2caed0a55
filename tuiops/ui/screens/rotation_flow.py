"""`n` on an Env row, start to finish: the rotation dialog, the confirmation naming the kube
context, the file and the objects, then the rotation screen running the job (the value staged
and saved through the EnvFile, read back and verified; then commit, push, reconcile and the
consumers through `Backend.rotation`), each change recorded in the audit log.

Read-only is refused at the key (the Env screen), again when the dialog answers, and again in
the job (`Backend.refuse_if_read_only`, then the rotation service's own refusal). The value
goes from the dialog's answer into the EnvFile's staged edit and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from tuiops.domain.env_checks import EnvRow
from tuiops.domain.refs import ObjectRef
from tuiops.domain.rotation import (
    Consumer,
    ObjectResult,
    RotationStep,
    RotationSummary,
    StepStatus,
)
from tuiops.domain.text import inert
from tuiops.errors import TuiopsError
from tuiops.services.backend import Backend
from tuiops.services.console_state import EnvFile, RotationRequest
from tuiops.ui.screens.console_screen import ConsoleScreen
from tuiops.ui.screens.rotation import RotationHeading, RotationScreen, StepSink
from tuiops.ui.screens.rotation_dialog import RotationChoice, RotationDialog, RotationPreview


def variable_name(key: str) -> str:
    """The variable a row's key stands for: `stringData.TOKEN` → `TOKEN`, and a file of several
    documents' `KEY (document 2)` → `KEY`."""
    return key.split(" (document ", 1)[0].rsplit(".", 1)[-1]


def refusal(backend: Backend, file: EnvFile, row: EnvRow) -> str:
    """Why `row` cannot be rotated now (one line), or ""."""
    if backend.rotation is None or backend.git is None or backend.repo_root is None:
        return "rotation needs the GitOps repo's git: tuiops runs outside a repo"
    if file.edits:
        return "save or undo the staged edits first: a rotation commits the whole file"
    if row.staged is not None:
        return f"{row.key} is staged; save or undo it first"
    return ""


def start_rotation(
    screen: ConsoleScreen, file: EnvFile, row: EnvRow, refresh: Callable[[], None]
) -> None:
    """Open the rotation dialog for `row` of `file`; the rest follows from its answer.

    Args:
        screen: The Env screen (its app pushes the dialogs; its notices answer refusals).
        file: The open file.
        row: The row under the cursor.
        refresh: Redraws the Env screen's rows (called after the save).
    """
    backend = screen.host.backend
    problem = refusal(backend, file, row)
    if problem:
        screen.notify(inert(problem, one_line=True), severity="warning", markup=False)
        return
    assert backend.rotation is not None and backend.repo_root is not None
    rotation, git, root = backend.rotation, backend.git, backend.repo_root
    variable = variable_name(row.key)
    path = root / file.rel

    def preview() -> RotationPreview:
        targets = rotation.targets(root, (variable,), (path,))
        objects = [str(ref) for ref in targets.objects]
        objects += [f"{h.kind}/{h.namespace}/{h.name}" for h in targets.holders]
        objects += [str(workload) for workload, _owner in targets.templates]
        problem = ""
        try:
            remote = git is not None and git.remote_configured()
        except TuiopsError as error:
            remote, problem = False, str(error)
        return RotationPreview(tuple(dict.fromkeys(objects)), remote, problem)

    def chosen(choice: RotationChoice | None) -> None:
        if choice is not None and file is _open_file(screen) and not _read_only(screen):
            _confirm(screen, file, row.key, variable, choice, refresh)

    screen.app.push_screen(RotationDialog(row.key, file.rel, preview), chosen)


def _open_file(screen: ConsoleScreen) -> object:
    return getattr(screen, "file", None)


def _read_only(screen: ConsoleScreen) -> bool:
    backend = screen.host.backend
    if backend.read_only:
        line = f"read-only: rotating refused ({backend.read_only_reason})"
        screen.notify(inert(line, one_line=True), severity="warning", markup=False)
    return backend.read_only


def confirmation_lines(rel: str, choice: RotationChoice) -> list[str]:
    """What the rotation will do, for the confirmation (never the value)."""
    lines = [
        f"Saves {rel} through SOPS (only this value, lastmodified and mac change) and reads "
        "it back to check it.",
    ]
    if not choice.commit:
        lines.append("Not committed: Flux will not see the new value until it is.")
        return lines
    lines.append(f"git commit {rel}: {choice.message}")
    if choice.push:
        lines.append("git push")
    if choice.reconcile:
        lines.append(
            "Reconciles the source, then each object in dependency order, watched to Ready; "
            "then lists the workloads and whether they pick the value up."
        )
    return lines


def _confirm(
    screen: ConsoleScreen,
    file: EnvFile,
    key: str,
    variable: str,
    choice: RotationChoice,
    refresh: Callable[[], None],
) -> None:
    from tuiops.ui.screens.confirm import ConfirmScreen

    backend = screen.host.backend
    objects = [f"file {file.rel}"]
    if choice.reconcile:
        objects += [f"reconcile {name}" for name in choice.objects]
    question = f"Rotate {key} in {file.rel}?"
    details = confirmation_lines(file.rel, choice)
    context = backend.label or "no context"

    def answered(yes: bool | None) -> None:
        if not yes or file is not _open_file(screen) or _read_only(screen):
            return
        try:
            file.stage_set(key, choice.value)
        except TuiopsError as error:
            screen.notify(inert(str(error), one_line=True), severity="warning", markup=False)
            return
        refresh()
        heading = RotationHeading((variable,), file.rel, backend.label)
        job = rotation_job(screen, file, key, variable, choice, refresh)
        screen.app.push_screen(RotationScreen(heading, job, restart_job(backend)))

    screen.app.push_screen(
        ConfirmScreen(question, details, verb="rotate", context=context, objects=objects),
        answered,
    )


def _record(
    backend: Backend,
    on_step: StepSink,
    action: str,
    objects: Sequence[ObjectRef | str],
    ok: bool,
    text: str,
) -> None:
    """Record a change in the audit log; a log that cannot be written is a warning step."""
    try:
        backend.record(action, objects, "ok" if ok else "failed", text)
    except (TuiopsError, ValueError) as error:
        on_step(RotationStep("audit", StepStatus.WARNING, str(error)))


def rotation_job(
    screen: ConsoleScreen,
    file: EnvFile,
    key: str,
    variable: str,
    choice: RotationChoice,
    refresh: Callable[[], None],
) -> Callable[[StepSink], RotationSummary]:
    """The blocking job the rotation screen runs: save (verified), then the rotation."""
    backend = screen.host.backend
    app = screen.app
    commit, message = choice.commit, choice.message
    push, reconcile = choice.push, choice.reconcile  # the value stays in the staged edit only

    def run(on_step: StepSink) -> RotationSummary:
        keys = (variable,)
        named = (f"{file.rel}:{key}",)
        try:
            backend.refuse_if_read_only("env save", named)
        except TuiopsError as error:
            file.unstage(key)
            app.call_from_thread(refresh)
            on_step(RotationStep("save", StepStatus.FAILED, str(error)))
            return RotationSummary(keys, "", (ObjectResult("save", False, str(error)),))
        on_step(RotationStep("save", StepStatus.RUNNING, f"saving {file.rel} through SOPS"))
        try:
            outcome = file.save()
            saved, text = outcome.saved, outcome.message
        except TuiopsError as error:
            saved, text = False, str(error)
        finally:
            app.call_from_thread(refresh)
        _record(backend, on_step, "env save", named, saved, text)
        on_step(RotationStep("save", StepStatus.OK if saved else StepStatus.FAILED, text))
        saved_result = ObjectResult("save", saved, text)
        if not saved:
            return RotationSummary(keys, "", (saved_result,))
        if not commit:
            return RotationSummary(keys, "", (saved_result,))
        assert backend.rotation is not None and backend.repo_root is not None
        request = RotationRequest(
            repo_root=backend.repo_root,
            files=(backend.repo_root / file.rel,),
            keys=keys,
            context=backend.label,
            commit=True,
            push=push,
            reconcile=reconcile,
            message=message,
        )
        summary = backend.rotation.run(request, on_step)
        for result in summary.results:
            if result.what in ("commit", "push"):
                _record(backend, on_step, f"git {result.what}", (file.rel,), result.ok, result.text)
        return replace(summary, results=(saved_result, *summary.results))

    return run


def restart_job(
    backend: Backend,
) -> Callable[[tuple[Consumer, ...], StepSink], tuple[Consumer, ...]]:
    """The rollout restart the rotation screen offers (the service refuses it read-only)."""

    def restart(consumers: tuple[Consumer, ...], on_step: StepSink) -> tuple[Consumer, ...]:
        assert backend.rotation is not None
        waiting = [consumer.workload for consumer in consumers if consumer.needs_restart]
        try:
            backend.refuse_if_read_only("rollout restart", waiting)
            done = backend.rotation.restart(consumers, on_step)
        except TuiopsError as error:
            on_step(RotationStep("restart", StepStatus.FAILED, str(error)))
            return consumers
        restarted = [c.workload for c in done if c.workload in waiting and not c.needs_restart]
        ok = len(restarted) == len(waiting)
        text = f"{len(restarted)} of {len(waiting)} restarted"
        _record(backend, on_step, "rollout restart", waiting, ok, text)
        return done

    return restart
