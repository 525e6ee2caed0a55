"""What every screen reads: the repo model and the latest ClusterOverview, owned by the app.

Kept out of `app.py` so screens depend on a small interface rather than on the App class.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Protocol, cast, runtime_checkable

from tuiops.domain.feed import FeedState
from tuiops.domain.live import LiveObject
from tuiops.domain.overview import AppRow, ClusterOverview
from tuiops.domain.refs import ObjectRef
from tuiops.domain.repo import RepoModel
from tuiops.services.backend import Backend


@dataclass(frozen=True)
class ConsoleState:
    """One immutable snapshot for the screens."""

    model: RepoModel | None = None
    overview: ClusterOverview | None = None
    offline_reason: str = ""
    updated: datetime | None = None
    objects: dict[ObjectRef, LiveObject] = field(default_factory=dict)

    @property
    def rows(self) -> tuple[AppRow, ...]:
        return self.overview.rows if self.overview else ()

    def row(self, ref: ObjectRef) -> AppRow | None:
        return next((row for row in self.rows if row.ref == ref), None)

    def row_for_key(self, key: str) -> AppRow | None:
        """The row a table keyed by `str(ref)` (ResourceTable) names."""
        return self._rows_by_key.get(key)

    @cached_property
    def _rows_by_key(self) -> dict[str, AppRow]:
        # Built once per snapshot, on first use: actions ask for the row under the cursor
        # on every footer refresh.
        return {str(row.ref): row for row in self.rows}

    @property
    def connection(self) -> str:
        """`offline`, `connecting`, `live`, `reconnecting` or `forbidden`: the status bar word."""
        if self.offline_reason:
            return "offline"
        feeds = self.overview.feeds if self.overview else ()
        states = {feed.state for feed in feeds}
        if not states or FeedState.SYNCING in states:
            return "connecting"
        if states & {FeedState.RECONNECTING, FeedState.UNREACHABLE}:
            return "reconnecting"
        if FeedState.FORBIDDEN in states:
            return "forbidden"
        return "live"


class ConsoleHost(Protocol):
    """What screens may ask of the app (typed without importing `app.py`, which imports them)."""

    state: ConsoleState
    backend: Backend

    def open_detail(self, ref: ObjectRef) -> None: ...

    def open_history(self, ref: ObjectRef) -> None: ...

    def now(self) -> datetime:
        """The console's clock (fixed in snapshots)."""
        ...


def host_of(app: object) -> ConsoleHost:
    """The running app as a ConsoleHost."""
    return cast(ConsoleHost, app)


@runtime_checkable
class ShowsObject(Protocol):
    """A screen with a current Flux object (the row under the cursor, the object shown): the
    one app-wide Flux actions act on."""

    def selected_ref(self) -> ObjectRef | None: ...
