"""How screens reach the app: the `ConsoleHost` protocol (typed without importing `app.py`,
which imports the screens) and the `ShowsObject` protocol Flux actions read the selection
through. The state itself (`ConsoleState`) lives in `tuiops.services.console_state`."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from tuiops.domain.refs import ObjectRef
from tuiops.services.backend import Backend
from tuiops.services.console_state import ConsoleSession, ConsoleState


@runtime_checkable
class ConsoleHost(Protocol):
    """What screens may ask of the app."""

    state: ConsoleState
    """The latest snapshot (a reactive on the app)."""

    @property
    def backend(self) -> Backend:
        """What the session talks to."""
        ...

    @property
    def session(self) -> ConsoleSession:
        """The state API's blocking reads (call them from a worker)."""
        ...

    def open_detail(self, ref: ObjectRef) -> None: ...

    def open_history(self, ref: ObjectRef) -> None: ...

    def open_logs(self, ref: ObjectRef) -> None:
        """The Logs pane, filtered to the lines about `ref`."""
        ...

    def now(self) -> datetime:
        """The console's clock (fixed in snapshots)."""
        ...

    def keys_for(self, action_id: str) -> str:
        """The keys that run registry action `action_id` now (help and dialogs show them)."""
        ...


def host_of(app: object) -> ConsoleHost:
    """The running app as a ConsoleHost.

    Raises:
        TypeError: the app is not a console (a screen mounted in a test's bare App).
    """
    if not isinstance(app, ConsoleHost):
        raise TypeError(f"{type(app).__name__} is not a ConsoleHost")
    return app


@runtime_checkable
class FiltersNamespace(Protocol):
    """A screen `:ns NAME` filters (Apps, Sources); each remembers its own namespace."""

    namespace: str


@runtime_checkable
class ShowsObject(Protocol):
    """A screen with a current Flux object (the row under the cursor, the object shown): the
    one app-wide Flux actions act on."""

    def selected_ref(self) -> ObjectRef | None: ...
