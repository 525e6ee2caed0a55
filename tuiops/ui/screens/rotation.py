"""A rotation as it runs, then its summary: each step live as it happens (save, commit, push,
the source, each Kustomization in dependency order to Ready or failure, the HelmReleases), the
workloads that consume the value and whether each picks it up, and the final word per object.
`r` offers a rollout restart of the workloads that will not pick the value up (confirmed
first); escape closes once the run is over.

The run is a blocking job (the save through the EnvFile, then `SecretRotation.run`) in a
thread worker; its `on_step` posts each `RotationStep` here as a `StepReported` message. No
value passes through this screen: steps and results name keys, files and objects only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from tuiops.domain.rotation import (
    Consumer,
    ObjectResult,
    RotationStep,
    RotationSummary,
    StepStatus,
)
from tuiops.domain.text import inert
from tuiops.ui.actions import ROTATION_ACTIONS, bindings
from tuiops.ui.screens.console_screen import ConsoleScreen
from tuiops.ui.tones import Tone, for_terminal

StepSink = Callable[[RotationStep], None]
RunJob = Callable[[StepSink], RotationSummary]
"""Blocking: the whole rotation (save, commit, push, reconcile, consumers), reporting steps."""
RestartJob = Callable[[tuple[Consumer, ...], StepSink], tuple[Consumer, ...]]
"""Blocking: rollout-restart the consumers that need it; every consumer, as it stands after."""

_BY_ID = {spec.id: spec for spec in ROTATION_ACTIONS}
SCREEN_ACTIONS = (_BY_ID["rotation.restart"], _BY_ID["rotation.close"])
MARKS = {
    StepStatus.RUNNING: ("►", Tone.ACCENT),
    StepStatus.OK: ("✔", Tone.GOOD),
    StepStatus.WARNING: ("⚠", Tone.WARN),
    StepStatus.FAILED: ("✗", Tone.BAD),
    StepStatus.SKIPPED: ("-", Tone.MUTED),
}
PHASE_WIDTH = 10
WORKER_GROUP = "rotation"


@dataclass(frozen=True, slots=True)
class RotationHeading:
    """What the rotation is of, for the title line."""

    keys: tuple[str, ...]
    file: str
    context: str


def step_line(step: RotationStep) -> Content:
    """`✔ reconcile  Kustomization/flux-system/x: reconciled`, in the status's tone."""
    mark, tone = MARKS[step.status]
    return Content.assemble(
        (f"{mark} ", tone),
        (step.phase.ljust(PHASE_WIDTH), Tone.MUTED),
        " ",
        inert(step.text, one_line=True),
    )


def consumer_lines(consumers: tuple[Consumer, ...]) -> list[Content]:
    """One line per workload (what it is, how it reads the value), then whether it picks the
    value up and why, indented."""
    lines = []
    for consumer in consumers:
        tone = Tone.WARN if consumer.needs_restart else Tone.GOOD
        lines.append(
            Content.assemble(
                ("⚠ " if consumer.needs_restart else "✔ ", tone),
                (inert(str(consumer.workload), one_line=True), Tone.STRONG),
                (f"  via {inert(consumer.via, one_line=True)}", Tone.MUTED),
            )
        )
        reason = f"    {consumer.pick_up.value}: {inert(consumer.reason, one_line=True)}"
        lines.append(Content.styled(reason, tone))
    return lines


def result_line(result: ObjectResult) -> Content:
    mark, tone = ("✔", Tone.GOOD) if result.ok else ("✗", Tone.BAD)
    return Content.assemble(
        (f"{mark} ", tone),
        (inert(result.what, one_line=True), Tone.STRONG),
        ": ",
        inert(result.text, one_line=True),
    )


def verdict_text(summary: RotationSummary) -> Content:
    """`rotation of KEY: succeeded` (or FAILED, naming how many objects failed), and the
    restart still to do."""
    keys = inert(", ".join(summary.keys), one_line=True)
    failed = [result for result in summary.results if not result.ok]
    if failed:
        count = len(failed)
        head = Content.styled(
            f"rotation of {keys}: FAILED ({count} object{'s' if count != 1 else ''})", Tone.BAD
        )
    else:
        head = Content.styled(f"rotation of {keys}: succeeded", Tone.GOOD)
    waiting = len(summary.to_restart)
    if waiting:
        plural = "s need" if waiting != 1 else " needs"
        head += Content.styled(f" · {waiting} workload{plural} a restart (r)", Tone.WARN)
    return head


class RotationScreen(ConsoleScreen):
    """Runs one rotation job and shows it; then offers the restart."""

    CSS_PATH = "rotation.tcss"
    BINDINGS = bindings(SCREEN_ACTIONS)

    @dataclass
    class StepReported(Message):
        """One step started or ended (posted from the worker's thread)."""

        step: RotationStep

    @dataclass
    class RotationEnded(Message):
        summary: RotationSummary

    @dataclass
    class RestartEnded(Message):
        consumers: tuple[Consumer, ...]

    def __init__(
        self, heading: RotationHeading, run: RunJob, restart: RestartJob | None = None
    ) -> None:
        """Args:
        heading: The keys, the file and the kube context, for the title.
        run: The rotation (blocking; started when the screen is mounted).
        restart: The rollout restart offered afterwards; None offers none.
        """
        super().__init__()
        self.heading = heading
        self._run = run
        self._restart = restart
        self.steps: dict[tuple[str, str], RotationStep] = {}
        """Steps by (phase, object): a running step is replaced by its outcome."""
        self.summary: RotationSummary | None = None
        self.running = False
        self._restart_results: list[ObjectResult] = []

    def compose(self) -> ComposeResult:
        heading = self.heading
        what = f"Rotation of {', '.join(heading.keys)} · {heading.file}"
        if heading.context:
            what += f" · context {heading.context}"
        yield Static(Content.styled(inert(what, one_line=True), Tone.STRONG), id="title")
        with VerticalScroll(id="rotation-body"):
            yield Static(id="steps")
            yield Static(id="consumers")
            yield Static(id="results")
        yield Static(Content.styled("running…", Tone.ACCENT), id="verdict")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.running = True
        self._draw()
        self.run_rotation()

    # -- the workers -------------------------------------------------------------------------

    def _post_step(self, step: RotationStep) -> None:
        self.post_message(self.StepReported(step))  # thread-safe

    @work(thread=True, exclusive=True, group=WORKER_GROUP, exit_on_error=False,
          description="rotation")  # fmt: skip
    def run_rotation(self) -> None:
        summary = self._run(self._post_step)
        self.post_message(self.RotationEnded(summary))

    @work(thread=True, exclusive=True, group=WORKER_GROUP, exit_on_error=False,
          description="rollout restart")  # fmt: skip
    def run_restart(self, consumers: tuple[Consumer, ...]) -> None:
        assert self._restart is not None
        done = self._restart(consumers, self._post_step)
        self.post_message(self.RestartEnded(done))

    @on(StepReported)
    def _step_reported(self, message: StepReported) -> None:
        step = message.step
        self.steps[(step.phase, str(step.ref) if step.ref is not None else "")] = step
        done = step.status in (StepStatus.OK, StepStatus.FAILED)
        if step.phase == "restart" and step.ref is not None and done:
            ok = step.status is StepStatus.OK
            text = step.text.removeprefix(f"{step.ref}: ")
            self._restart_results.append(ObjectResult(str(step.ref), ok, text))
        self._draw()

    @on(RotationEnded)
    def _rotation_ended(self, message: RotationEnded) -> None:
        self.running = False
        self.summary = message.summary
        self._draw()

    @on(RestartEnded)
    def _restart_ended(self, message: RestartEnded) -> None:
        self.running = False
        if self.summary is not None:
            results = (*self.summary.results, *self._restart_results)
            self.summary = replace(self.summary, consumers=message.consumers, results=results)
        self._restart_results = []
        self._draw()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A job that raised (refused, or a bug) ends the run; the app says why."""
        super().on_worker_state_changed(event)
        if event.worker.group != WORKER_GROUP or event.state is not WorkerState.ERROR:
            return
        self.running = False
        error = event.worker.error
        text = f"stopped: {type(error).__name__}: {error}" if error else "stopped"
        self.steps[("error", "")] = RotationStep("error", StepStatus.FAILED, text)
        self._draw()

    # -- drawing -----------------------------------------------------------------------------

    def _draw(self) -> None:
        no_color = self.app.no_color
        steps = [Content.styled("STEPS", Tone.HEADING)]
        steps += [step_line(step) for step in self.steps.values()]
        if len(steps) == 1:
            steps.append(Content.styled("starting…", Tone.MUTED))
        self.query_one("#steps", Static).update(for_terminal(Content("\n").join(steps), no_color))
        summary = self.summary
        consumers = self.query_one("#consumers", Static)
        results = self.query_one("#results", Static)
        verdict = self.query_one("#verdict", Static)
        if summary is None:
            consumers.display = results.display = False
            text = "running…" if self.running else "stopped (see the notification)"
            verdict.update(Content.styled(text, Tone.ACCENT if self.running else Tone.BAD))
            self.query_one("#rotation-body", VerticalScroll).scroll_end(animate=False)
            return
        consumers.display = results.display = True
        lines = [Content.styled("WORKLOADS", Tone.HEADING)]
        lines += consumer_lines(summary.consumers) or [
            Content.styled("none found that consume the changed value", Tone.MUTED)
        ]
        consumers.update(for_terminal(Content("\n").join(lines), no_color))
        lines = [Content.styled("SUMMARY", Tone.HEADING)]
        lines += [result_line(result) for result in summary.results]
        results.update(for_terminal(Content("\n").join(lines), no_color))
        shown = verdict_text(summary)
        if self.running:
            shown = Content.styled("restarting…", Tone.ACCENT)
        verdict.update(for_terminal(shown, no_color))
        self.query_one("#rotation-body", VerticalScroll).scroll_end(animate=False)

    # -- keys --------------------------------------------------------------------------------

    def action_restart(self) -> None:
        """Offer a rollout restart of the workloads that will not pick the value up."""
        summary = self.summary
        if self.running or summary is None:
            self.notify("the rotation is running; wait for it", severity="warning")
            return
        waiting = summary.to_restart
        if self._restart is None or not waiting:
            self.notify("no workload needs a restart")
            return
        from tuiops.ui.screens.confirm import ConfirmScreen

        count = len(waiting)
        question = f"Restart {count} workload{'s' if count != 1 else ''}?"
        details = [
            "kubectl rollout restart: sets kubectl.kubernetes.io/restartedAt on the pod "
            "template; the pods are replaced as the rollout strategy allows.",
        ]
        objects = [str(consumer.workload) for consumer in waiting]

        def answered(yes: bool | None) -> None:
            if yes and not self.running and self.summary is summary:
                self.running = True
                self._draw()
                self.run_restart(summary.consumers)

        screen = ConfirmScreen(
            question, details, verb="restart", context=self.heading.context, objects=objects
        )
        self.app.push_screen(screen, answered)

    def action_close(self) -> None:
        if self.running:
            self.notify("the rotation is running; it closes when it is done", severity="warning")
            return
        self.dismiss(None)
