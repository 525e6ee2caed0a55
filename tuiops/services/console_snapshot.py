"""The immutable snapshot every console screen renders (`ConsoleState`), and how it words the
connection: the status bar's word for the worst feed, the line saying why, and what to say of
an object missing from the live view.

Apart from `console_state.py` (the session that builds these snapshots) because it is the
part the screens read, pure and cheap to build in tests; `ui` imports it through
`console_state`, the state API import-linter holds it to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

from tuiops.domain.feed import FeedState, FeedStatus, absence_text
from tuiops.domain.live import LiveObject
from tuiops.domain.overview import AppRow, ClusterOverview
from tuiops.domain.refs import ObjectRef
from tuiops.domain.root_cause import RootCause, find_root_cause

if TYPE_CHECKING:
    from tuiops.domain.repo import Cluster, RepoModel

NOT_LIVE_RANK = (
    FeedState.NOT_ANSWERING,
    FeedState.UNREACHABLE,
    FeedState.RECONNECTING,
    FeedState.ERROR,
    FeedState.FORBIDDEN,
    FeedState.NOT_SERVED,
)
"""Feed states that are not live, worst first: the status bar names the worst one (its
`FeedState` value is the word: `not answering`, `reconnecting`, …). A state missing here is
still never shown as live (see `ConsoleState.connection`)."""


@dataclass(frozen=True, eq=False)
class ConsoleState:
    """One immutable snapshot for the screens.

    Compared by identity (`eq=False`): a reactive holding it fires once per new snapshot and
    never compares thousands of live objects field by field.
    """

    model: RepoModel | None = None
    """The repo model; None until it has been read."""
    overview: ClusterOverview | None = None
    """Repo rows joined with live objects; None until the repo is read."""
    offline_reason: str = ""
    """Why there is no cluster (no kubeconfig, `--offline`), or empty."""
    updated: datetime | None = None
    """When the feed last had evidence the cluster answered; None when it never has."""
    objects: dict[ObjectRef, LiveObject] = field(default_factory=dict)
    """The live Flux objects by ref."""
    problem: str = ""
    """An unexpected failure of the state machinery itself, shown until the next good update."""
    repo_problem: str = ""
    """Why there is no repo to read (not inside a git repository…), one line; empty when there
    is one or none was looked for."""

    @property
    def rows(self) -> tuple[AppRow, ...]:
        return self.overview.rows if self.overview else ()

    def row(self, ref: ObjectRef) -> AppRow | None:
        return self._rows_by_key.get(str(ref))

    def row_for_key(self, key: str) -> AppRow | None:
        """The row a table keyed by `str(ref)` (ResourceTable) names."""
        return self._rows_by_key.get(key)

    @cached_property
    def _rows_by_key(self) -> dict[str, AppRow]:
        # Built once per snapshot, on first use: actions ask for the row under the cursor
        # on every footer refresh.
        return {str(row.ref): row for row in self.rows}

    def object_for_key(self, key: str) -> LiveObject | None:
        """The live object a table keyed by `str(ref)` names (Sources)."""
        return self._objects_by_key.get(key)

    @cached_property
    def _objects_by_key(self) -> dict[str, LiveObject]:
        # Once per snapshot: the footer asks for the object under the cursor per Flux key.
        return {str(ref): obj for ref, obj in self.objects.items()}

    def root_cause(self, ref: ObjectRef) -> RootCause:
        """Why `ref` is not ready: its first failing dependsOn ancestor (or itself); offline,
        nothing found and the absence saying the live status is unknown."""
        if self.offline_reason:
            return RootCause((ref,), None, absence=self.absence(ref.kind))
        return find_root_cause(ref, self.objects, self.overview.feeds if self.overview else ())

    def cluster(self) -> Cluster | None:
        """The repo cluster the overview shows."""
        if self.model is None or self.overview is None:
            return None
        return self.model.cluster(self.overview.cluster)

    @property
    def connection(self) -> str:
        """The status bar word: `offline`, `error`, `connecting`, `live`, or the worst feed
        state's own word (`not answering`, `reconnecting`, `not served`, …)."""
        if self.offline_reason:
            return "offline"
        if self.problem:
            return "error"
        worst = self._worst_feed
        if worst is not None:
            return worst.state.value
        feeds = self.overview.feeds if self.overview else ()
        if not feeds or any(feed.state is FeedState.SYNCING for feed in feeds):
            return "connecting"
        return "live"

    @property
    def connection_detail(self) -> str:
        """Why the connection is not live, one line (untrusted text: show it inert); empty
        when it is live or connecting."""
        if self.offline_reason:
            return offline_detail(self.offline_reason)
        if self.problem:
            return self.problem
        worst = self._worst_feed
        if worst is None:
            return ""
        return f"{worst.kind}: {worst.message}" if worst.message else worst.kind

    @property
    def _worst_feed(self) -> FeedStatus | None:
        feeds = self.overview.feeds if self.overview else ()
        rank = {state: index for index, state in enumerate(NOT_LIVE_RANK)}
        unknown = len(rank)  # a state added later ranks after the known ones, never as live
        bad = [
            feed
            for feed in feeds
            if feed.state not in (FeedState.LIVE, FeedState.SYNCING, FeedState.STOPPED)
        ]
        return min(bad, key=lambda feed: rank.get(feed.state, unknown), default=None)

    def absence(self, kind: str) -> str:
        """How to say that an object of `kind` is not in the live view: "not in the cluster"
        only after a list of that kind succeeded (see `domain.feed.absence_text`)."""
        if self.offline_reason:
            return "live status unknown (offline)"
        return absence_text(kind, self.overview.feeds if self.overview else ())


def offline_detail(reason: str) -> str:
    """An offline reason without its leading word `offline`, which the status word already
    says: "offline (--offline)" gives "--offline", "offline: no kubeconfig" "no kubeconfig"."""
    text = reason.strip()
    if not text.lower().startswith("offline"):
        return text
    rest = text[len("offline") :].strip()
    if rest.startswith("(") and rest.endswith(")"):
        return rest[1:-1].strip()
    return rest.removeprefix(":").strip()
