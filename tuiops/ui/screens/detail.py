"""Everything about one Flux object on one scrolling page: conditions, why it is not ready (the
first failing dependsOn ancestor, and for a HelmRelease the objects of its release that are not
ready), recent events, source, repo origin, `${VARS}` and Helm state.

Cluster reads (events, the objects of a not-ready HelmRelease's Helm release, YAML, describe)
run in workers through the backend's ObjectDetails port and come back as messages; the page
re-renders from the console state whenever the feed changes, keeping its scroll position. The
sections' text is built by `tuiops.ui.detail_text`; all cluster text is made inert and shown as
Content, never markup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState, get_current_worker

from tuiops.domain.events import Event
from tuiops.domain.refs import ObjectRef
from tuiops.domain.text import inert
from tuiops.domain.workloads import ReleaseObjects
from tuiops.errors import TuiopsError
from tuiops.services.console_state import ConsoleSession, ConsoleState, offline_detail
from tuiops.ui.actions import DETAIL_ACTIONS, OPEN_LOGS, bindings
from tuiops.ui.detail_text import (
    conditions_text,
    events_text,
    header_text,
    helm_text,
    release_culprit,
    release_objects_text,
    root_cause_text,
    source_text,
    variables_text,
    wants_release_objects,
)
from tuiops.ui.screens.console_screen import ConsoleScreen
from tuiops.ui.screens.pods import PodsScreen
from tuiops.ui.screens.text_view import TextScreen
from tuiops.ui.tones import for_terminal

__all__ = ["SECTIONS", "DetailScreen", "TextScreen"]
"""TextScreen lives in `text_view.py` (Pods opens it too) and is still importable from here."""

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


class DetailScreen(ConsoleScreen):
    """One Kustomization or HelmRelease in depth."""

    BINDINGS = bindings((*DETAIL_ACTIONS, OPEN_LOGS))
    CSS_PATH = "detail.tcss"

    @dataclass
    class EventsRead(Message):
        """The object's events, or why they could not be read."""

        events: tuple[Event, ...] | str

    @dataclass
    class ReleaseObjectsRead(Message):
        """The objects of the release, or why they could not be read."""

        objects: ReleaseObjects | str

    def __init__(self, ref: ObjectRef) -> None:
        super().__init__()
        self.ref = ref
        self._events: tuple[Event, ...] | str | None = None
        self._events_version: str | None = None
        self._release_objects: ReleaseObjects | str | None = None
        """The release's objects (a not-ready HelmRelease only), an error text, or None."""
        self._objects_version: str | None = None
        self._wanted_y = 0.0
        """Where the reader put the page: a section that shrinks for a moment (a condition
        gone while a reconcile runs) clamps the scroll, and the page returns here when it
        grows again."""

    def selected_ref(self) -> ObjectRef | None:
        """The object shown (`ShowsObject`: app-wide Flux actions act on it)."""
        return self.ref

    def on_mount(self) -> None:
        # ConsoleScreen.on_mount runs as well: Textual calls the handler of every class.
        page = self._page()
        self.watch(page, "scroll_y", self._scrolled, init=False)
        self.watch(page, "virtual_size", self._resized, init=False)

    def _page(self) -> VerticalScroll:
        return self.query_one("#detail", VerticalScroll)

    def _scrolled(self, y: float) -> None:
        """Remember where the reader scrolls to; a scroll pinned to a bottom that moved up
        (the page got shorter) is the layout clamping it, not the reader."""
        page = self._page()
        if not (y == page.max_scroll_y and y < self._wanted_y):
            self._wanted_y = y

    def _resized(self) -> None:
        """The page grew (or shrank): go back to where the reader had it, as near as the new
        length allows."""
        page = self._page()
        target = min(self._wanted_y, page.max_scroll_y)
        if page.scroll_y < target:
            page.scroll_to(y=target, animate=False, immediate=True)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="detail"):
            for section in SECTIONS:
                yield Static(id=section)
        yield Footer()

    def watch_state(self, state: ConsoleState | None) -> None:
        if state is None:
            return
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
        absence = state.absence(self.ref.kind)
        helm = helm_text(live, row, absence)
        texts = {
            "header": header_text(self.ref, live, absence),
            "conditions": conditions_text(live),
            "root-cause": root_cause_text(
                state.root_cause(self.ref), self.ref, self._release_objects
            ),
            "release-objects": release_objects_text(self._release_objects),
            "events": events_text(self._events, self.host.now()),
            "source": source_text(live, row, state.objects),
            "helm": helm or Content(),
            "vars": variables_text(self.ref, row, cluster),
        }
        for section, text in texts.items():
            self._update(section, text)
        self.query_one("#helm", Static).display = helm is not None
        self.query_one("#release-objects", Static).display = wants_release_objects(live)

    @work(
        thread=True,
        exclusive=True,
        group="detail-events",
        exit_on_error=False,
        description="reading events",
    )
    def load_events(self) -> None:
        """Read the object's events through the backend (blocking); they come back as
        `EventsRead` (a newer read cancels this one, and its message is then dropped).

        Raises:
            Exception: anything but a TuiopsError (a bug), for the app's failure handler.
        """
        backend = self.host.backend
        result: tuple[Event, ...] | str
        if backend.details is None:
            result = backend.offline_reason or "no cluster connection"
        else:
            try:
                result = backend.details.events_for(self.ref)
            except TuiopsError as error:
                result = str(error) or type(error).__name__
        if not get_current_worker().is_cancelled:  # a newer read replaced this one
            self.post_message(self.EventsRead(result))

    @on(EventsRead)
    def _events_read(self, message: EventsRead) -> None:
        self._events = message.events
        self._update("events", events_text(message.events, self.host.now()))

    @work(
        thread=True,
        exclusive=True,
        group="detail-release-objects",
        exit_on_error=False,
        description="reading the release's objects",
    )
    def load_release_objects(self) -> None:
        """Read which objects of the HelmRelease's Helm release are not ready (blocking: one
        GET per object); they come back as `ReleaseObjectsRead`.

        Raises:
            Exception: anything but a TuiopsError (a bug), for the app's failure handler.
        """
        backend = self.host.backend
        live = self.host.state.objects.get(self.ref)
        result: ReleaseObjects | str
        if backend.details is None or live is None:
            result = backend.offline_reason or "no cluster connection"
        else:
            try:
                result = backend.details.release_objects(live)
            except TuiopsError as error:
                result = str(error) or type(error).__name__
        if not get_current_worker().is_cancelled:
            self.post_message(self.ReleaseObjectsRead(result))

    @on(ReleaseObjectsRead)
    def _release_objects_read(self, message: ReleaseObjectsRead) -> None:
        self._release_objects = message.objects
        self._update("release-objects", release_objects_text(message.objects))
        if self.state is not None:  # the root cause may now be an object of the release
            cause = self.state.root_cause(self.ref)
            self._update("root-cause", root_cause_text(cause, self.ref, message.objects))

    def _update(self, section: str, content: Content) -> None:
        """Show one section, as this terminal shows tones (NO_COLOR: failures reversed)."""
        self.query_one(f"#{section}", Static).update(for_terminal(content, self.app.no_color))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A read that failed with a bug says so in its section instead of "loading…"
        (ConsoleScreen hands the failure on to the app, which logs and notifies it)."""
        if event.state is not WorkerState.ERROR:
            return
        failed = "could not read: unexpected error (see the notification)"
        if event.worker.group == "detail-events":
            self.post_message(self.EventsRead(failed))
        elif event.worker.group == "detail-release-objects":
            self.post_message(self.ReleaseObjectsRead(failed))

    def _show_text(self, what: str, read: Callable[[ObjectRef], str] | None) -> None:
        if read is None:
            offline = self.host.backend.offline_reason
            reason = f"offline ({offline_detail(offline)})" if offline else "no cluster connection"
            self.notify(f"{what} needs the cluster: {reason}", severity="warning")
            return
        self.app.push_screen(TextScreen(f"{what} {self.ref}", partial(read, self.ref)))

    def action_show_yaml(self) -> None:
        """Show `kubectl get -o yaml`; offline, the repo's document with its file and line."""
        details = self.host.backend.details
        if details is None and self.host.backend.offline_reason:
            row = self.host.state.row(self.ref)
            where = f" {row.location}" if row is not None and row.location else ""
            title = f"YAML {self.ref} from the repo{where} · live status unknown (offline)"
            self.app.push_screen(TextScreen(title, partial(self._repo_yaml, self.host.session)))
            return
        self._show_text("YAML", details.yaml if details else None)

    def _repo_yaml(self, session: ConsoleSession) -> str:
        """Blocking (a TextScreen's worker): the repo's document, headed by its file:line."""
        document = session.repo_yaml(self.ref)
        return f"# {document.location}\n{document.text}"

    def action_show_describe(self) -> None:
        """Show `kubectl describe`."""
        details = self.host.backend.details
        self._show_text("describe", details.describe if details else None)

    def action_history(self) -> None:
        """Open the Helm history of a HelmRelease."""
        if self.ref.kind != "HelmRelease":
            self.notify("history is for HelmReleases", severity="warning")
            return
        self.host.open_history(self.ref)

    def action_root_cause(self) -> None:
        """Open the detail of the first failing dependsOn ancestor; for an object failing on
        its own, name the object of its release that explains it."""
        cause = self.host.state.root_cause(self.ref)
        target = cause.missing or (cause.cause.ref if cause.cause else None)
        if target is not None and target != self.ref:
            self.host.open_detail(target)
            return
        culprit = release_culprit(cause, self.ref, self._release_objects)
        if culprit is not None:
            text = inert(
                f"the cause is in its release: {culprit.ref}: {culprit.reason}", one_line=True
            )
            self.notify(text, markup=False)
        elif target is not None:
            self.notify("this object fails on its own (see Conditions)")
        else:
            self.notify(cause.absence or "nothing is failing")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`o` (pods) is offered for a HelmRelease only (a Kustomization has no Helm release),
        and only with a cluster to read them from."""
        if action == "pods":
            return self.ref.kind == "HelmRelease" and self.host.backend.details is not None
        return True

    def action_pods(self) -> None:
        """Open the workloads, ReplicaSets and pods of a HelmRelease's release."""
        if self.ref.kind != "HelmRelease":
            self.notify("pods are shown for HelmReleases", severity="warning")
            return
        self.app.push_screen(PodsScreen(self.ref))

    def action_logs(self) -> None:
        """The Logs pane filtered to this object."""
        self.host.open_logs(self.ref)

    def action_refresh(self) -> None:
        """Read the events (and a not-ready release's objects) again."""
        self.load_events()
        if wants_release_objects(self.host.state.objects.get(self.ref)):
            self.load_release_objects()

    def action_back(self) -> None:
        """Return to the previous screen."""
        self.app.pop_screen()
