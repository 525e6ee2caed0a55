"""`:ctx` and `:cluster`: list the kubeconfig's contexts or the repo's clusters, pick one, and
switch live. `TuiopsApp` owns one `ContextSwitch` part and routes its messages to it.

Switching contexts builds the new backend first (a context the kubeconfig cannot use is one
line, and the console stays where it was), then stops the old feed and swaps the session's
backend in one worker; the app then publishes a snapshot at once, so no object of the old
context is on screen from that moment, and screens pushed over the mode's own (a Detail of an
object of the old cluster) are closed. The new feed starts with the app's callback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.app import App
from textual.message import Message

from tuiops.domain.kube_contexts import KubeContextEntry
from tuiops.domain.text import inert
from tuiops.errors import TuiopsError
from tuiops.ui.state import ConsoleHost


class ContextSwitch:
    """The context and cluster switching of the console: a part the app owns."""

    @dataclass
    class Listed(Message):
        """The kubeconfig's contexts were read (posted from a worker)."""

        contexts: tuple[KubeContextEntry, ...]

    @dataclass
    class Switched(Message):
        """The session now runs on context `name` (posted from the worker that switched)."""

        name: str

    def __init__(
        self,
        app: App[Any],
        host: ConsoleHost,
        on_feed_change: Callable[[], None],
        republish: Callable[[], None],
    ) -> None:
        """Args:
        app: Where workers, dialogs and notifications go.
        host: The same app, as the console state and session.
        on_feed_change: What the new feed calls on every change (from its threads).
        republish: Publish a new snapshot now (another cluster was chosen).
        """
        self._app = app
        self._host = host
        self._on_feed_change = on_feed_change
        self._republish = republish
        self.known_contexts: tuple[str, ...] = ()
        """Context names from the last listing, for `:ctx NAME` completion."""

    # -- kube contexts ------------------------------------------------------------------

    def context(self, name: str) -> None:
        """`:ctx NAME` switches to NAME; `:ctx` lists the contexts to pick from."""
        if not name:
            self._app.run_worker(
                self._list, thread=True, exclusive=True, group="contexts",
                exit_on_error=False, description="listing kube contexts",
            )  # fmt: skip
        elif name == self._context_in_use():
            self._app.notify(inert(f"already on context {name}", one_line=True), markup=False)
        else:
            self._app.notify(inert(f"switching to context {name}…", one_line=True), timeout=3)
            self._app.run_worker(
                lambda: self._switch(name), thread=True, exclusive=True, group="contexts",
                exit_on_error=False, description=f"switching to context {name}",
            )  # fmt: skip

    def learn_contexts(self) -> None:
        """Blocking (a worker): read the context names for completion; quiet when there is no
        kubeconfig to read."""
        try:
            self.known_contexts = tuple(entry.name for entry in self._host.session.contexts())
        except TuiopsError:
            self.known_contexts = ()

    def _list(self) -> None:
        contexts = self._host.session.contexts()  # a TuiopsError is the app's one line
        self.known_contexts = tuple(entry.name for entry in contexts)
        self._app.post_message(self.Listed(contexts))

    def listed(self, message: Listed) -> None:
        """Offer the listed contexts; the one in use has the cursor."""
        if not message.contexts:
            self._app.notify("the kubeconfig defines no contexts", severity="warning")
            return
        # The list is imported when first shown: the first frame does not pay for it.
        from tuiops.ui.screens.choose import Choice, ChooseScreen

        using = self._context_in_use()
        # As `kubectl config get-contexts` lists them: the cluster entry and the namespace.
        choices = tuple(
            Choice(
                entry.name,
                "  ".join(
                    part
                    for part in (
                        f"cluster {entry.cluster}" if entry.server else "(no such cluster)",
                        f"namespace {entry.namespace}" if entry.namespace else "",
                        "current-context" if entry.current else "",
                    )
                    if part
                ),
                in_use=entry.name == using,
            )
            for entry in message.contexts
        )
        self._app.push_screen(ChooseScreen("Kube contexts", choices), self._picked_context)

    def _context_in_use(self) -> str:
        """The context the live feed reads (the status bar's label may be the demo's name)."""
        flux = self._host.backend.flux
        return flux.context if flux is not None else ""

    def _picked_context(self, name: str | None) -> None:
        if name is not None:
            self.context(name)

    def _switch(self, name: str) -> None:
        backend = self._host.session.switch_context(name)
        self._app.post_message(self.Switched(name))
        if backend.flux is not None:
            backend.flux.start(self._on_feed_change)

    # -- repo clusters ------------------------------------------------------------------

    def cluster(self, name: str) -> None:
        """`:cluster NAME` shows that repo cluster; `:cluster` lists them."""
        session = self._host.session
        names = session.cluster_names
        shown = self._host.state.overview.cluster if self._host.state.overview else ""
        if not name:
            if len(names) < 2:
                only = f"the repo has one cluster: {names[0]}" if names else "no repo read yet"
                self._app.notify(inert(only, one_line=True), markup=False)
                return
            from tuiops.ui.screens.choose import Choice, ChooseScreen

            choices = tuple(Choice(each, f"clusters/{each}/", each == shown) for each in names)
            self._app.push_screen(ChooseScreen("Repo clusters", choices), self._picked_cluster)
            return
        try:
            session.choose_cluster(name)
        except TuiopsError as error:
            self._app.notify(inert(str(error), one_line=True), severity="warning", markup=False)
            return
        if name != shown:
            self._republish()
            self._app.notify(inert(f"cluster {name}", one_line=True), markup=False, timeout=3)

    def _picked_cluster(self, name: str | None) -> None:
        if name is not None:
            self.cluster(name)
