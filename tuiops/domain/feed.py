"""How current a live view of one resource kind is: the status bar and empty-table messages
read this, so "forbidden" or "reconnecting" never looks like "nothing there"."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class FeedState(enum.Enum):
    """Where a list+watch feed stands."""

    SYNCING = "syncing"
    """First list not answered yet."""
    LIVE = "live"
    """Listed, and watching for changes."""
    RECONNECTING = "reconnecting"
    """The connection dropped; the last known objects are kept while we retry."""
    FORBIDDEN = "forbidden"
    """RBAC denies list or watch for this kind: shown as such, never as an empty list."""
    UNREACHABLE = "unreachable"
    """No API server answers."""
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """The state of one kind's feed, with the server's message when it is not live."""

    kind: str
    state: FeedState
    message: str = ""
