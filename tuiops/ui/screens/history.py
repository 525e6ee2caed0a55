"""The revisions of one HelmRelease: Helm storage (what `helm history` shows, read in a worker)
merged with Flux's `status.history` digest, newest first, and a values diff between any two.

Without a cluster only the Flux history in `app.state` (if any) is shown, with a clear message.
All release text is made inert and shown as Rich Text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tuiops.domain.helm import ReleaseRevision, values_diff
from tuiops.domain.live import LiveObject, ReleaseHistoryEntry
from tuiops.domain.refs import ObjectRef
from tuiops.domain.text import inert
from tuiops.ui.actions import HISTORY_ACTIONS, bindings
from tuiops.ui.state import ConsoleState
from tuiops.ui.tables import cluster_text

if TYPE_CHECKING:
    from tuiops.ui.app import TuiopsApp

COLUMNS = ("Revision", "Chart", "App version", "Status", "Deployed", "Description", "Flux")
DIFF_STYLES = (("+++", "bold"), ("---", "bold"), ("@@", "cyan"), ("+", "green"), ("-", "red"))
DIFF_HINT = "space: mark a revision · enter: values diff with the marked (or previous) revision"


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


def revision_cells(item: MergedRevision, marked: bool) -> tuple[Text, ...]:
    """The table cells of one revision; Helm storage wins where both know a field."""
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
    status_style = {"deployed": "green", "failed": "red"}.get(status.value, "yellow")
    flux_cell = (
        cluster_text(f"{flux.status.value} {flux.digest.removeprefix('sha256:')[:12]}")
        if flux is not None
        else Text("-", style="dim")
    )
    return (
        Text(f"{'●' if marked else ' '} {item.number}", style="bold" if marked else ""),
        cluster_text(chart, limit=40),
        cluster_text(app_version or "-", limit=20),
        Text(status.value, style=status_style),
        cluster_text(deployed[:19].replace("T", " ") or "-"),
        cluster_text(description or "-", limit=60),
        flux_cell,
    )


def diff_text(old: ReleaseRevision, new: ReleaseRevision) -> Text:
    """The values diff of two revisions as coloured, inert lines."""
    lines = values_diff(old, new)
    text = Text(f"values v{old.revision} → v{new.revision}", style="bold")
    if not lines:
        text.append("\n  values are equal", style="dim")
    for line in lines:
        style = next((s for prefix, s in DIFF_STYLES if line.startswith(prefix)), "")
        part = Text(inert(line))  # keep the indentation cluster_text would fold
        if style:
            part.stylize(style)
        text.append("\n")
        text.append_text(part)
    return text


class HistoryScreen(Screen[None]):
    """Helm and Flux history of one HelmRelease with a values diff panel."""

    BINDINGS = bindings(HISTORY_ACTIONS)
    DEFAULT_CSS = """
    HistoryScreen #title { height: auto; padding: 0 1; }
    HistoryScreen DataTable { height: 1fr; min-height: 5; }
    HistoryScreen #diff-panel { height: 1fr; border-top: solid $primary; padding: 0 1; }
    """

    def __init__(self, ref: ObjectRef) -> None:
        super().__init__()
        self.ref = ref
        self.marked: int | None = None
        self.revisions: tuple[ReleaseRevision, ...] = ()
        self.merged: tuple[MergedRevision, ...] = ()
        self._status = Text("loading Helm storage…", style="dim")
        self._requested = False

    @property
    def console(self) -> TuiopsApp:
        """The app, typed."""
        return cast("TuiopsApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        table: DataTable[Text] = DataTable(id="revisions", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table
        with VerticalScroll(id="diff-panel"):
            yield Static(Text(DIFF_HINT, style="dim"), id="diff")
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "state", self._state_changed, init=False)
        self._state_changed(self.console.state)
        self.query_one(DataTable).focus()

    def _live(self, state: ConsoleState) -> LiveObject | None:
        return state.objects.get(self.ref)

    def _state_changed(self, state: ConsoleState) -> None:
        live = self._live(state)
        if not self._requested:
            if self.console.backend.details is None:
                reason = self.console.backend.offline_reason or "no cluster connection"
                self._status = Text(f"Helm storage unavailable: {reason}", style="yellow")
                self._requested = True
            elif live is not None:
                self._requested = True
                self.load_revisions(live)
            elif state.objects:
                self._status = Text("not in the cluster", style="yellow")
        self._rebuild(live)

    def _rebuild(self, live: LiveObject | None) -> None:
        """Refill the table, keeping the cursor on the same revision."""
        self.merged = merge_history(self.revisions, live.history if live else ())
        title = Text("History ", style="bold")
        title.append_text(cluster_text(str(self.ref)))
        title.append("  ")
        title.append_text(self._status)
        self.query_one("#title", Static).update(title)
        table: DataTable[Text] = self.query_one(DataTable)
        current = self._cursor_revision()
        table.clear()
        for item in self.merged:
            table.add_row(*revision_cells(item, item.number == self.marked), key=str(item.number))
        if current is not None:
            numbers = [item.number for item in self.merged]
            if current.number in numbers:
                table.move_cursor(row=numbers.index(current.number))

    @work(thread=True, exclusive=True, group="history", exit_on_error=False)
    def load_revisions(self, live: LiveObject) -> None:
        """Read the release's Helm storage revisions (blocking) and show them."""
        details = self.console.backend.details
        if details is None:
            return
        try:
            revisions = details.revisions(live)
        except Exception as error:
            message = Text("could not read Helm storage: ", style="red")
            message.append_text(cluster_text(str(error) or type(error).__name__, limit=300))
            self.app.call_from_thread(self._loaded, (), message)
            return
        status = Text(f"{len(revisions)} revisions in Helm storage", style="dim")
        self.app.call_from_thread(self._loaded, revisions, status)

    def _loaded(self, revisions: tuple[ReleaseRevision, ...], status: Text) -> None:
        self.revisions = revisions
        self._status = status
        self._rebuild(self._live(self.console.state))

    def _cursor_revision(self) -> MergedRevision | None:
        table: DataTable[Text] = self.query_one(DataTable)
        if not self.merged or table.row_count == 0:
            return None
        row = min(table.cursor_row, len(self.merged) - 1)
        return self.merged[row] if row >= 0 else None

    def _show(self, text: Text) -> None:
        self.query_one("#diff", Static).update(text)
        self.query_one("#diff-panel", VerticalScroll).scroll_home(animate=False)

    def action_mark(self) -> None:
        """Mark (or unmark) the revision under the cursor as one side of the diff."""
        current = self._cursor_revision()
        if current is None:
            return
        self.marked = None if self.marked == current.number else current.number
        self._rebuild(self._live(self.console.state))

    def action_diff(self) -> None:
        """Diff the values of the marked (or previous) revision and the cursor revision."""
        current = self._cursor_revision()
        if current is None:
            return
        stored = {rev.revision: rev for rev in self.revisions}
        if current.helm is None:
            self._show(Text(f"revision {current.number} is not in Helm storage", style="yellow"))
            return
        if self.marked is not None and self.marked != current.number:
            other = stored.get(self.marked)
            if other is None:
                self._show(Text(f"revision {self.marked} is not in Helm storage", style="yellow"))
                return
        else:
            older = [n for n in stored if n < current.number]
            if not older:
                self._show(Text(f"revision {current.number} is the oldest stored", style="dim"))
                return
            other = stored[max(older)]
        old, new = sorted((other, current.helm), key=lambda rev: rev.revision)
        self._show(diff_text(old, new))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on the table diffs, as the binding does elsewhere."""
        event.stop()
        self.action_diff()

    def action_back(self) -> None:
        """Return to the previous screen."""
        self.app.pop_screen()

    def selected_ref(self) -> ObjectRef | None:
        """The HelmRelease shown (`ShowsObject`): app-wide Flux actions act on it."""
        return self.ref
