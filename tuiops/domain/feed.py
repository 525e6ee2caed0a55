"""How current a live view of one resource kind is: the status bar and empty-table messages
read this, so "forbidden" or "reconnecting" never looks like "nothing there", and "updated"
is shown only from evidence that the server answered (`FeedStatus.last_contact`)."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


class FeedState(enum.Enum):
    """Where a list+watch feed stands. Every state but LIVE keeps the last known objects."""

    SYNCING = "syncing"
    """First list not answered yet."""
    LIVE = "live"
    """Listed, and the watch is open and on time (the server ends each watch when asked)."""
    RECONNECTING = "reconnecting"
    """The connection dropped or was refused after the server had answered; retrying."""
    NOT_ANSWERING = "not answering"
    """Connected, but the server did not answer (or finish an answer, or end a watch) in
    time: stopped, stuck or overloaded. Retrying with backoff."""
    FORBIDDEN = "forbidden"
    """RBAC denies list or watch for this kind: shown as such, never as an empty list."""
    NOT_SERVED = "not served"
    """The API server does not serve this kind (the CRD is missing: Flux is not installed,
    or a version tuiops does not read). Terminal; checked again only now and then."""
    ERROR = "error"
    """Something unexpected (an undecodable answer, a failed credential plugin, a bug): the
    message says what. Retrying with backoff."""
    UNREACHABLE = "unreachable"
    """No API server has answered yet (refused, no route, connect timeout)."""
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """The state of one kind's feed, with the server's message when it is not live."""

    kind: str
    state: FeedState
    message: str = ""
    """Why it is not live, one line (server or client text: show it inert)."""
    last_contact: datetime | None = None
    """When the server last answered this feed (a list, a watch opening or ending on time, an
    event), timezone-aware UTC; None when it never has. The only honest "updated" time."""
    since: datetime | None = None
    """When the feed entered `state` (UTC); None for a status built without a clock."""
    listed: bool = False
    """A list of this kind has succeeded at least once: only then may the view claim that
    an object of this kind is not in the cluster (see `absence_text`)."""

    @property
    def live(self) -> bool:
        return self.state is FeedState.LIVE


def feed_for(feeds: Iterable[FeedStatus], kind: str) -> FeedStatus | None:
    """The feed of `kind` among `feeds`, if there is one."""
    return next((feed for feed in feeds if feed.kind == kind), None)


def absence_text(kind: str, feeds: Iterable[FeedStatus]) -> str:
    """How to say that no object of `kind` with some name is in the live view.

    "not in the cluster" is a claim about the cluster, so it needs a successful list of that
    kind; while the feed is not live the view is the last one seen, and without any list the
    absence means nothing.

    Args:
        kind: The object's kind (`Kustomization`, `HelmRelease`, ...).
        feeds: The feeds of the view.

    Returns:
        "not in the cluster", "not in the cluster when last listed (<state>)", or
        "not known yet (the list of <kind> has not succeeded)".
    """
    feed = feed_for(feeds, kind)
    if feed is None or not feed.listed:
        return f"not known yet (the list of {kind} has not succeeded)"
    if feed.live:
        return "not in the cluster"
    return f"not in the cluster when last listed ({feed.state.value})"
