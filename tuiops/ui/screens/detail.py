"""Everything about one Flux object on one scrolling page: conditions, why it is not ready (the
first failing dependsOn ancestor, and for a HelmRelease the objects of its release that are not
ready), recent events, source, repo origin, `${VARS}` and Helm state.

Cluster reads (events, the objects of a not-ready HelmRelease's Helm release, YAML, describe)
run in workers through the backend's ObjectDetails port; the page re-renders from `app.state`
whenever the feed changes, keeping its scroll position. The sections' text is built by
`tuiops.ui.detail_text`; all cluster text is made inert and shown as Rich Text, never markup.
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
from textual.worker import get_current_worker

from tuiops.domain.events import Event
from tuiops.domain.refs import ObjectRef
from tuiops.domain.text import inert
from tuiops.domain.workloads import ReleaseObjects
from tuiops.services.root_cause import find_root_cause
from tuiops.ui.actions import DETAIL_ACTIONS, bindings
from tuiops.ui.detail_text import (
    conditions_text,
    events_text,
    header_text,
    helm_text,
    release_objects_text,
    root_cause_text,
    source_text,
    variables_text,
    wants_release_objects,
)
from tuiops.ui.state import ConsoleState

if TYPE_CHECKING:
    from tuiops.ui.app import TuiopsApp

SECTIONS = (
    "header",
    "conditions",
    "root-cause",
    "release-objects",
    "events",
    "source",
    "helm",
    "vars",
)


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
        self._release_objects: ReleaseObjects | str | None = None
        """The release's objects (a not-ready HelmRelease only), an error text, or None."""
        self._objects_version: str | None = None

    def selected_ref(self) -> ObjectRef | None:
        """The object shown (`ShowsObject`: app-wide Flux actions act on it)."""
        return self.ref

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
        # Re-read when the HelmRelease changes (a new attempt, a new revision); the last
        # answer stays on screen meanwhile.
        if wants_release_objects(live) and version != self._objects_version:
            self._objects_version = version
            self.load_release_objects()
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
            "release-objects": release_objects_text(self._release_objects),
            "events": events_text(self._events),
            "source": source_text(live, row, state.objects),
            "helm": helm or Text(),
            "vars": variables_text(self.ref, row, cluster),
        }
        for section, text in texts.items():
            widget = self.query_one(f"#{section}", Static)
            widget.update(text)
        self.query_one("#helm", Static).display = helm is not None
        self.query_one("#release-objects", Static).display = wants_release_objects(live)

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
        if not get_current_worker().is_cancelled:  # a newer read replaced this one
            self.app.call_from_thread(self._events_loaded, result)

    def _events_loaded(self, events: tuple[Event, ...] | str) -> None:
        self._events = events
        if self.is_attached:  # the screen may have been closed while the worker read
            self.query_one("#events", Static).update(events_text(events))

    @work(thread=True, exclusive=True, group="detail-release-objects", exit_on_error=False)
    def load_release_objects(self) -> None:
        """Read which objects of the HelmRelease's Helm release are not ready (blocking: one
        GET per object), then re-render that section."""
        details = self.console.backend.details
        live = self.console.state.objects.get(self.ref)
        result: ReleaseObjects | str
        if details is None or live is None:
            result = self.console.backend.offline_reason or "no cluster connection"
        else:
            try:
                result = details.release_objects(live)
            except Exception as error:
                result = str(error) or type(error).__name__
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._release_objects_loaded, result)

    def _release_objects_loaded(self, objects: ReleaseObjects | str) -> None:
        self._release_objects = objects
        if self.is_attached:
            self.query_one("#release-objects", Static).update(release_objects_text(objects))

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
