"""The revisions of one HelmRelease: Helm storage (what `helm history` shows, read in a worker)
merged with Flux's `status.history` digest, newest first, and a values diff between any two.

Without a cluster only the Flux history in the console state (if any) is shown, with a clear
message. The Helm storage read comes back as a `RevisionsRead` message: a TuiopsError as the
line saying why, anything else (a bug) as an "unexpected error" line, handed on to the app's
failure handler. All release text is made inert; colours are `Tone`s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState, get_current_worker

from tuiops.domain.age import age_of
from tuiops.domain.helm import ReleaseRevision, ReleaseStatus, values_diff
from tuiops.domain.live import LiveObject, ReleaseHistoryEntry
from tuiops.domain.refs import ObjectRef
from tuiops.domain.text import inert
from tuiops.errors import TuiopsError
from tuiops.services.console_state import ConsoleState
from tuiops.ui.actions import HISTORY_ACTIONS, bindings
from tuiops.ui.column_layout import Column
from tuiops.ui.screens.console_screen import ConsoleScreen
from tuiops.ui.tables import cluster_text, measured_columns
from tuiops.ui.tones import Tone, for_terminal
from tuiops.ui.widgets.resource_table import ResourceTable

COLUMNS: tuple[Column, ...] = (
    Column("Revision", 8),
    Column("Chart", 16, 40),
    Column("App version", 11, 20, priority=1),
    Column("Status", 8, 16),
    Column("Deployed", 8),
    Column("Deployed at", 19, priority=2),
    Column("Description", 16, 60, priority=3),
    Column("Flux", 12, 22, priority=4),
)
"""Revision, chart, status and how long ago it was deployed always show; the app version, the
exact time, the description and Flux's digest as room allows. Each is at most as wide as its
widest cell (`measured_columns`), and laid out from the table's width (`ResourceTable`)."""
STATUS_TONE = {
    ReleaseStatus.DEPLOYED: Tone.GOOD,
    ReleaseStatus.FAILED: Tone.BAD,
    ReleaseStatus.SUPERSEDED: Tone.MUTED,
    ReleaseStatus.UNINSTALLED: Tone.MUTED,
}
"""Release statuses with a tone of their own; the rest (pending-*, uninstalling, unknown)
are under way or unclear: WARN."""
DIFF_TONES = (
    ("+++", Tone.STRONG),
    ("---", Tone.STRONG),
    ("@@", Tone.ACCENT),
    ("+", Tone.ADDED),
    ("-", Tone.REMOVED),
)
DIFF_HINT = "space: mark a revision · enter: values diff with the marked (or previous) revision"
WORKER_GROUP = "history"


@dataclass(frozen=True, slots=True)
class MergedRevision:
    """One release revision as Helm storage and/or Flux's status.history know it."""

    number: int
    helm: ReleaseRevision | None
    flux: ReleaseHistoryEntry | None


def merge_history(
    helm: tuple[ReleaseRevision, ...], flux: tuple[ReleaseHistoryEntry, ...]
) -> tuple[MergedRevision, ...]:
    """Both histories joined on the revision number, newest first.

    Args:
        helm: Helm storage revisions (any order).
        flux: `status.history` entries (any order).

    Returns:
        One entry per revision number either side knows.
    """
    by_helm = {rev.revision: rev for rev in helm}
    by_flux = {entry.version: entry for entry in flux}
    numbers = sorted(by_helm.keys() | by_flux.keys(), reverse=True)
    return tuple(MergedRevision(n, by_helm.get(n), by_flux.get(n)) for n in numbers)


def revision_cells(item: MergedRevision, marked: bool, now: datetime) -> tuple[Content, ...]:
    """The table cells of one revision (`COLUMNS`); Helm storage wins where both know a field.
    `Deployed` is the age at `now` (the console's clock), `Deployed at` the time as written."""
    helm, flux = item.helm, item.flux
    if helm is not None:
        chart, app_version = helm.chart, helm.app_version
        status, deployed, description = helm.status, helm.last_deployed, helm.description
    elif flux is not None:
        chart = f"{flux.chart_name}-{flux.chart_version}"
        app_version, status, deployed = flux.app_version, flux.status, flux.last_deployed
        description = "(not in Helm storage)"
    else:  # pragma: no cover - merge_history never yields this
        raise ValueError(item)
    flux_cell = (
        cluster_text(f"{flux.status.value} {flux.digest.removeprefix('sha256:')[:12]}")
        if flux is not None
        else Content.styled("-", Tone.MUTED)
    )
    number = f"{'●' if marked else ' '} {item.number}"
    return (
        Content.styled(number, Tone.STRONG) if marked else Content(number),
        cluster_text(chart, limit=40),
        cluster_text(app_version or "-", limit=20),
        Content.styled(status.value, STATUS_TONE.get(status, Tone.WARN)),
        Content(age_of(deployed, now) or "-"),
        cluster_text(deployed[:19].replace("T", " ") or "-"),
        cluster_text(description or "-", limit=60),
        flux_cell,
    )


def diff_text(old: ReleaseRevision, new: ReleaseRevision) -> Content:
    """The values diff of two revisions as inert lines, each in its tone."""
    lines = values_diff(old, new)
    parts: list[str | Content | tuple[str, str]] = [
        (f"values v{old.revision} → v{new.revision}", Tone.STRONG)
    ]
    if not lines:
        parts.append(("\n  values are equal", Tone.MUTED))
    for line in lines:
        tone = next((tone for prefix, tone in DIFF_TONES if line.startswith(prefix)), None)
        shown = inert(line)  # keeps the indentation cluster_text would fold
        parts += ["\n", (shown, tone) if tone else shown]
    return Content.assemble(*parts)


class HistoryScreen(ConsoleScreen):
    """Helm and Flux history of one HelmRelease with a values diff panel."""

    BINDINGS = bindings(HISTORY_ACTIONS)
    CSS_PATH = "history.tcss"

    @dataclass
    class RevisionsRead(Message):
        """Helm storage's revisions of the release, or why they could not be read."""

        revisions: tuple[ReleaseRevision, ...] | str

    def __init__(self, ref: ObjectRef) -> None:
        super().__init__()
        self.ref = ref
        self.marked: int | None = None
        self.revisions: tuple[ReleaseRevision, ...] = ()
        self.merged: tuple[MergedRevision, ...] = ()
        self._status = Content.styled("loading Helm storage…", Tone.MUTED)
        self._requested = False

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        yield ResourceTable(id="revisions")
        with VerticalScroll(id="diff-panel"):
            yield Static(Content.styled(DIFF_HINT, Tone.MUTED), id="diff")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ResourceTable).focus()

    def watch_state(self, state: ConsoleState | None) -> None:
        if state is None:
            return
        live = state.objects.get(self.ref)
        if not self._requested:
            backend = self.host.backend
            if backend.details is None:
                reason = backend.offline_reason or "no cluster connection"
                self._status = Content.styled(f"Helm storage unavailable: {reason}", Tone.WARN)
                self._requested = True
            elif live is not None:
                self._requested = True
                self.load_revisions(live)
            elif state.objects:
                self._status = Content.styled(state.absence(self.ref.kind), Tone.WARN)
        self._rebuild(live)

    def _live(self) -> LiveObject | None:
        return self.state.objects.get(self.ref) if self.state is not None else None

    def _rebuild(self, live: LiveObject | None) -> None:
        """Refill the table; the cursor stays on its revision (rows are keyed by number)."""
        self.merged = merge_history(self.revisions, live.history if live else ())
        title = Content.assemble(("History ", Tone.STRONG), cluster_text(str(self.ref)), "  ")
        shown = for_terminal(title + self._status, self.app.no_color)
        self.query_one("#title", Static).update(shown)
        merged, marked = self.merged, self.marked
        now = self.host.now()  # one instant per update: ages do not tick on their own
        cells = [revision_cells(item, item.number == marked, now) for item in merged]
        table = self.query_one(ResourceTable)
        table.set_layout(measured_columns(COLUMNS, cells))
        table.sync([str(item.number) for item in merged], lambda index: cells[index])

    @work(
        thread=True,
        exclusive=True,
        group=WORKER_GROUP,
        exit_on_error=False,
        description="reading Helm storage",
    )
    def load_revisions(self, live: LiveObject) -> None:
        """Read the release's Helm storage revisions (blocking); they come back as
        `RevisionsRead`.

        Raises:
            Exception: anything but a TuiopsError (a bug), for the app's failure handler.
        """
        details = self.host.backend.details
        if details is None:
            return
        result: tuple[ReleaseRevision, ...] | str
        try:
            result = details.revisions(live)
        except TuiopsError as error:
            result = str(error) or type(error).__name__
        if not get_current_worker().is_cancelled:
            self.post_message(self.RevisionsRead(result))

    @on(RevisionsRead)
    def _revisions_read(self, message: RevisionsRead) -> None:
        if isinstance(message.revisions, str):
            why = cluster_text(message.revisions, limit=300)
            self._status = Content.assemble(("could not read Helm storage: ", Tone.BAD), why)
        else:
            self.revisions = message.revisions
            count = f"{len(message.revisions)} revisions in Helm storage"
            self._status = Content.styled(count, Tone.MUTED)
        self._rebuild(self._live())

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A read that broke with a bug says so instead of "loading…", and is handed on to
        the app's one failure handler (by ConsoleScreen)."""
        if event.worker.group != WORKER_GROUP or event.state is not WorkerState.ERROR:
            return
        self.post_message(self.RevisionsRead("unexpected error (see the notification)"))

    def _cursor_revision(self) -> MergedRevision | None:
        key = self.query_one(ResourceTable).cursor_key
        return next((item for item in self.merged if str(item.number) == key), None)

    def _show(self, content: Content) -> None:
        self.query_one("#diff", Static).update(content)
        self.query_one("#diff-panel", VerticalScroll).scroll_home(animate=False)

    def action_mark(self) -> None:
        """Mark (or unmark) the revision under the cursor as one side of the diff."""
        current = self._cursor_revision()
        if current is None:
            return
        self.marked = None if self.marked == current.number else current.number
        self._rebuild(self._live())

    def action_diff(self) -> None:
        """Diff the values of the marked (or previous) revision and the cursor revision."""
        current = self._cursor_revision()
        if current is None:
            return
        stored = {rev.revision: rev for rev in self.revisions}
        if current.helm is None:
            missing = f"revision {current.number} is not in Helm storage"
            self._show(Content.styled(missing, Tone.WARN))
            return
        if self.marked is not None and self.marked != current.number:
            other = stored.get(self.marked)
            if other is None:
                missing = f"revision {self.marked} is not in Helm storage"
                self._show(Content.styled(missing, Tone.WARN))
                return
        else:
            older = [n for n in stored if n < current.number]
            if not older:
                oldest = f"revision {current.number} is the oldest stored"
                self._show(Content.styled(oldest, Tone.MUTED))
                return
            other = stored[max(older)]
        old, new = sorted((other, current.helm), key=lambda rev: rev.revision)
        self._show(diff_text(old, new))

    def on_resource_table_selected(self, event: ResourceTable.Selected) -> None:
        """Enter on the table diffs, as the binding does elsewhere."""
        event.stop()
        self.action_diff()

    def action_rollback(self) -> None:
        """B: GitOps rollback to the chart version of the row under the cursor (rollback.py)."""
        from tuiops.ui.screens.rollback import start_rollback

        start_rollback(self, self.ref, self._cursor_revision())

    def action_back(self) -> None:
        """Return to the previous screen."""
        self.app.pop_screen()

    def selected_ref(self) -> ObjectRef | None:
        """The HelmRelease shown (`ShowsObject`): app-wide Flux actions act on it."""
        return self.ref
