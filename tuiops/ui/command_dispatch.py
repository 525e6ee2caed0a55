"""What an entered `:` line does: `ui/command_line.py` says what the line means (pure), this
part acts on it in the running console. `TuiopsApp` owns one and hands it the JumpScreen's
result."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tuiops.domain.refs import ObjectRef
from tuiops.domain.text import inert
from tuiops.ui.command_line import (
    ChooseCluster,
    ChooseContext,
    Notice,
    OpenObject,
    Outcome,
    Quit,
    ShowEvents,
    ShowKind,
    ShowNamespace,
    ShowPods,
    SwitchScreen,
)
from tuiops.ui.state import FiltersNamespace, ShowsObject

if TYPE_CHECKING:
    from tuiops.ui.app import TuiopsApp


class CommandDispatch:
    """The console's answer to each kind of `:` line."""

    def __init__(self, app: TuiopsApp) -> None:
        self._app = app

    def run(self, outcome: Outcome | None) -> None:
        """Act on an entered line (None: cancelled)."""
        app = self._app
        if outcome is None:
            return
        if isinstance(outcome, Quit):
            app.exit()
        elif isinstance(outcome, Notice):
            app.notify(inert(outcome.text, one_line=True), severity="warning", markup=False)
        elif isinstance(outcome, OpenObject):
            app.open_detail(outcome.ref)
        elif isinstance(outcome, SwitchScreen):
            app.show_mode(outcome.mode)
        elif isinstance(outcome, ShowNamespace):
            self._show_namespace(outcome.namespace)
        elif isinstance(outcome, ShowKind):
            app.show_apps().show_kind(outcome.kind)
        elif isinstance(outcome, ChooseContext):
            app.contexts.context(outcome.name)
        elif isinstance(outcome, ChooseCluster):
            app.contexts.cluster(outcome.name)
        elif isinstance(outcome, ShowPods):
            self._show_pods(outcome.release)
        elif isinstance(outcome, ShowEvents):
            from tuiops.ui.screens.events import EventsScreen  # imported when first shown

            app.push_screen(EventsScreen())

    def _show_namespace(self, namespace: str) -> None:
        """Filter the current screen to `namespace`, remembered by that screen."""
        screen = self._app.screen
        if not isinstance(screen, FiltersNamespace):
            self._app.notify("namespaces filter Apps, Sources and Events", severity="warning")
            return
        screen.namespace = namespace
        shown = f"namespace {namespace}" if namespace else "every namespace"
        name = type(screen).__name__.removesuffix("Screen")
        self._app.notify(inert(f"{name}: {shown}", one_line=True), markup=False, timeout=3)

    def _show_pods(self, release: ObjectRef | None) -> None:
        """The workloads and pods of `release`, or of the HelmRelease on screen."""
        screen = self._app.screen
        shown = screen.selected_ref() if isinstance(screen, ShowsObject) else None
        release = release or shown
        if release is None or release.kind != "HelmRelease":
            self._app.notify("pods of which release? :pods NAME", severity="warning")
            return
        from tuiops.ui.screens.pods import PodsScreen  # imported when first shown

        self._app.push_screen(PodsScreen(release))
