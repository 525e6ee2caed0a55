"""Everything about one Flux object on one scrolling page: conditions, why it is not ready (the
first failing dependsOn ancestor), recent events, source, repo origin, `${VARS}` and Helm state.

Cluster reads (events, YAML, describe) run in workers through the backend's ObjectDetails port;
the page re-renders from `app.state` whenever the feed changes, keeping its scroll position.
All cluster text is made inert and shown as Rich Text, never as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from tuiops.domain.events import Event
from tuiops.domain.live import LiveObject
from tuiops.domain.overview import AppRow
from tuiops.domain.refs import ObjectRef
from tuiops.domain.repo import Cluster
from tuiops.domain.text import inert
from tuiops.services.root_cause import RootCause, find_root_cause
from tuiops.ui.actions import DETAIL_ACTIONS, bindings
from tuiops.ui.state import ConsoleState
from tuiops.ui.tables import HEALTH_GLYPH, HEALTH_STYLE, cluster_text

if TYPE_CHECKING:
    from tuiops.ui.app import TuiopsApp

MAX_EVENTS = 10
MAX_INVENTORY = 20
SECTIONS = ("header", "conditions", "root-cause", "events", "source", "helm", "vars")


def _heading(title: str) -> Text:
    return Text(title, style="bold underline")


def _line(label: str, value: str, style: str = "") -> Text:
    text = Text(f"{label}: ", style="bold")
    text.append_text(cluster_text(value or "-"))
    if style:
        text.stylize(style, len(label) + 2)
    return text


def header_text(ref: ObjectRef, live: LiveObject | None) -> Text:
    """The title line: health glyph, kind, namespace/name, suspended/absent badges.

    Args:
        ref: The object shown.
        live: Its live state, None when the cluster does not have it.

    Returns:
        One line of styled text.
    """
    text = Text()
    if live is not None:
        text.append(HEALTH_GLYPH[live.health] + " ", style=HEALTH_STYLE[live.health])
    text.append(f"{ref.kind} ", style="bold")
    text.append_text(cluster_text(ref.namespaced_name))
    if live is None:
        text.append("  (not in the cluster)", style="dim")
    else:
        text.append(f"  {live.health.value}", style=HEALTH_STYLE[live.health])
        if live.suspended:
            text.append("  SUSPENDED", style="bold magenta")
    return text


def conditions_text(live: LiveObject | None) -> Text:
    """`type status reason: message` per condition."""
    text = _heading("Conditions")
    if live is None or not live.conditions:
        text.append("\n  none reported", style="dim")
    for cond in live.conditions if live else ():
        style = "green" if cond.is_true else "red" if cond.is_false else "yellow"
        text.append("\n  ")
        text.append_text(cluster_text(cond.type))
        text.append(f" {cond.status.value} ", style=style)
        text.append_text(cluster_text(cond.reason or "-"))
        if cond.message:
            text.append(": ")
            text.append_text(cluster_text(cond.message, limit=500))
    return text


def root_cause_text(cause: RootCause, ref: ObjectRef) -> Text:
    """The dependsOn chain with the first failing ancestor and its message."""
    text = _heading("Root cause")
    if cause.cause is None and cause.missing is None:
        text.append("\n  ready: nothing to explain", style="green")
        return text
    text.append("\n  ")
    for index, step in enumerate(cause.chain):
        if index:
            text.append(" → ")
        failing = (cause.cause is not None and step == cause.cause.ref) or step == cause.missing
        name = cluster_text(step.name)
        if failing:
            name.stylize("bold red")
        text.append_text(name)
    culprit = cause.missing or (cause.cause.ref if cause.cause else ref)
    text.append("\n  first failing: ", style="bold")
    text.append_text(cluster_text(str(culprit)))
    if culprit != ref:
        text.append("  (r: open)", style="dim")
    text.append("\n  ")
    text.append_text(cluster_text(cause.message or "no message", limit=800))
    return text


def events_text(events: tuple[Event, ...] | str | None) -> Text:
    """The newest events, a loading line (None) or an error line (str)."""
    text = _heading("Events")
    if events is None:
        text.append("\n  loading…", style="dim")
        return text
    if isinstance(events, str):
        text.append("\n  could not read events: ", style="red")
        text.append_text(cluster_text(events, limit=300))
        return text
    if not events:
        text.append("\n  none", style="dim")
    newest = sorted(events, key=lambda event: event.last_timestamp, reverse=True)
    for event in newest[:MAX_EVENTS]:
        text.append("\n  ")
        text.append_text(cluster_text(event.last_timestamp or "-"))
        text.append(f" {event.type.value:<7} ", style="yellow" if event.is_warning else "dim")
        text.append_text(cluster_text(event.reason))
        if event.count > 1:
            text.append(f" x{event.count}")
        text.append(" ")
        text.append_text(cluster_text(f"[{event.involved.kind}/{event.involved.name}]"))
        text.append(" ")
        text.append_text(cluster_text(event.message, limit=300))
    return text


def source_text(
    live: LiveObject | None, row: AppRow | None, objects: dict[ObjectRef, LiveObject]
) -> Text:
    """The source and its revision, and the repo file:line the object came from."""
    text = _heading("Source")
    origin = str(row.location) if row and row.location else "not in the repo"
    text.append("\n  ")
    text.append_text(_line("repo", origin))
    if live is None:
        return text
    if live.source is not None:
        source = objects.get(live.source)
        revision = source.artifact_revision if source else "unknown (sources are not watched)"
        text.append("\n  ")
        text.append_text(_line("source", str(live.source)))
        text.append("\n  ")
        text.append_text(_line("source revision", revision))
    if live.ref.kind == "Kustomization":
        text.append("\n  ")
        text.append_text(_line("path", live.path))
        text.append("\n  ")
        text.append_text(_line("applied", live.last_applied_revision))
        if live.last_attempted_revision != live.last_applied_revision:
            text.append("\n  ")
            text.append_text(_line("attempted", live.last_attempted_revision, "yellow"))
    return text


def helm_text(live: LiveObject | None, row: AppRow | None) -> Text | None:
    """Chart, applied vs desired version, attempts and failures, and the inventory when the
    release is not ready; None for other kinds."""
    if live is None or live.ref.kind != "HelmRelease":
        return None
    text = _heading("Helm")
    desired = (row.desired_version if row else "") or live.chart_version
    fields = (
        ("chart", live.chart_name),
        ("applied version", live.applied_version),
        ("desired version", desired),
        ("last attempted", live.last_attempted_revision),
        ("release", f"{live.storage_namespace or live.ref.namespace}/{live.release_name}"),
    )
    for label, value in fields:
        text.append("\n  ")
        drift = label == "desired version" and row is not None and row.drift
        text.append_text(_line(label, value, "bold yellow" if drift else ""))
    text.append("\n  ")
    failures = f"{live.failures} (install {live.install_failures}, upgrade {live.upgrade_failures})"
    text.append_text(_line("failures", failures, "red" if live.failures else ""))
    if live.ready is not None and live.ready.is_true:
        return text
    if live.inventory:
        text.append("\n  inventory:", style="bold")
        for entry in live.inventory[:MAX_INVENTORY]:
            text.append("\n    ")
            text.append_text(cluster_text(entry))
        if len(live.inventory) > MAX_INVENTORY:
            text.append(f"\n    … {len(live.inventory) - MAX_INVENTORY} more", style="dim")
    return text


def variables_text(ref: ObjectRef, row: AppRow | None, cluster: Cluster | None) -> Text:
    """The `${VARS}` the object uses (undefined ones in red), else the postBuild keys of the
    Kustomization that builds it."""
    text = _heading("Variables")
    if cluster is None:
        text.append("\n  no repo model", style="dim")
        return text
    file = row.location.file if row and row.location else None
    report = cluster.variables
    uses = [use for var in report.variables for use in var.uses] + list(report.undefined)
    defined: dict[str, bool] = {}
    for use in uses:
        if use.consumer == ref or (file is not None and use.location.file == file):
            defined[use.name] = defined.get(use.name, True) and use.defined
    for name in sorted(defined):
        text.append("\n  ")
        text.append_text(cluster_text("${" + name + "}"))
        if not defined[name]:
            text.append("  undefined", style="bold red")
    for component in cluster.all_components():
        refs = {k.ref for k in component.kustomizations} | {h.ref for h in component.helm_releases}
        if ref not in refs:
            continue
        for kustomization in component.kustomizations:
            keys = ", ".join(key for key, _ in kustomization.substitute)
            sources = ", ".join(f"{v.kind}/{v.name}" for v in kustomization.substitute_from)
            text.append("\n  ")
            text.append_text(_line(f"{kustomization.ref.name} substitute", keys))
            text.append("\n  ")
            text.append_text(_line(f"{kustomization.ref.name} substituteFrom", sources))
    if len(text.plain) == len("Variables"):
        text.append("\n  none", style="dim")
    return text


class TextScreen(Screen[None]):
    """Untrusted text (YAML, describe output) loaded by a blocking call in a worker."""

    BINDINGS = bindings(tuple(spec for spec in DETAIL_ACTIONS if spec.id == "back"))
    DEFAULT_CSS = """
    TextScreen #title { height: 1; background: $panel; padding: 0 1; }
    TextScreen #body { padding: 0 1; }
    """

    def __init__(self, title: str, load: Callable[[], str]) -> None:
        super().__init__()
        self._title = title
        self._load = load

    def compose(self) -> ComposeResult:
        yield Static(Text(self._title, style="bold"), id="title")
        with VerticalScroll():
            yield Static(Text("loading…", style="dim"), id="body")
        yield Footer()

    def on_mount(self) -> None:
        self.read_text()

    def action_back(self) -> None:
        """Return to the detail page."""
        self.app.pop_screen()

    @work(thread=True, exclusive=True, group="text", exit_on_error=False)
    def read_text(self) -> None:
        """Run the loader off the event loop and show its text (or its error)."""
        try:
            body = Text(inert(self._load()))
        except Exception as error:
            body = Text(f"could not read: {inert(str(error))}", style="red")
        self.app.call_from_thread(self.query_one("#body", Static).update, body)


class DetailScreen(Screen[None]):
    """One Kustomization or HelmRelease in depth."""

    BINDINGS = bindings(DETAIL_ACTIONS)
    DEFAULT_CSS = """
    DetailScreen VerticalScroll { padding: 0 1; }
    DetailScreen Static { margin-bottom: 1; }
    DetailScreen #header { margin-bottom: 0; }
    """

    def __init__(self, ref: ObjectRef) -> None:
        super().__init__()
        self.ref = ref
        self._events: tuple[Event, ...] | str | None = None
        self._events_version: str | None = None

    @property
    def console(self) -> TuiopsApp:
        """The app, typed."""
        return cast("TuiopsApp", self.app)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="detail"):
            for section in SECTIONS:
                yield Static(id=section)
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "state", self._state_changed, init=False)
        self._state_changed(self.console.state)

    def _state_changed(self, state: ConsoleState) -> None:
        live = state.objects.get(self.ref)
        version = live.resource_version if live else ""
        if version != self._events_version:
            self._events_version = version
            self.load_events()
        self._refresh_sections(state)

    def _refresh_sections(self, state: ConsoleState) -> None:
        live = state.objects.get(self.ref)
        row = state.row(self.ref)
        cluster = None
        if state.model is not None and state.overview is not None:
            cluster = state.model.cluster(state.overview.cluster)
        helm = helm_text(live, row)
        texts = {
            "header": header_text(self.ref, live),
            "conditions": conditions_text(live),
            "root-cause": root_cause_text(find_root_cause(self.ref, state.objects), self.ref),
            "events": events_text(self._events),
            "source": source_text(live, row, state.objects),
            "helm": helm or Text(),
            "vars": variables_text(self.ref, row, cluster),
        }
        for section, text in texts.items():
            widget = self.query_one(f"#{section}", Static)
            widget.update(text)
        self.query_one("#helm", Static).display = helm is not None

    @work(thread=True, exclusive=True, group="detail-events", exit_on_error=False)
    def load_events(self) -> None:
        """Read the object's events through the backend (blocking), then re-render."""
        details = self.console.backend.details
        result: tuple[Event, ...] | str
        if details is None:
            result = self.console.backend.offline_reason or "no cluster connection"
        else:
            try:
                result = details.events_for(self.ref)
            except Exception as error:
                result = str(error) or type(error).__name__
        self.app.call_from_thread(self._events_loaded, result)

    def _events_loaded(self, events: tuple[Event, ...] | str) -> None:
        self._events = events
        self.query_one("#events", Static).update(events_text(events))

    def _show_text(self, what: str, read: Callable[[ObjectRef], str] | None) -> None:
        if read is None:
            self.notify("no cluster connection", severity="warning")
            return
        self.app.push_screen(TextScreen(f"{what} {self.ref}", partial(read, self.ref)))

    def action_show_yaml(self) -> None:
        """Show `kubectl get -o yaml`."""
        details = self.console.backend.details
        self._show_text("YAML", details.yaml if details else None)

    def action_show_describe(self) -> None:
        """Show `kubectl describe`."""
        details = self.console.backend.details
        self._show_text("describe", details.describe if details else None)

    def action_history(self) -> None:
        """Open the Helm history of a HelmRelease."""
        if self.ref.kind != "HelmRelease":
            self.notify("history is for HelmReleases", severity="warning")
            return
        self.console.open_history(self.ref)

    def action_root_cause(self) -> None:
        """Open the detail of the first failing dependsOn ancestor."""
        cause = find_root_cause(self.ref, self.console.state.objects)
        target = cause.missing or (cause.cause.ref if cause.cause else None)
        if target is None or target == self.ref:
            self.notify("this object is its own root cause" if target else "nothing is failing")
            return
        self.console.open_detail(target)

    def action_back(self) -> None:
        """Return to the previous screen."""
        self.app.pop_screen()
