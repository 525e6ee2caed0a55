"""The Events table's rows (`:events`): every Event about a Flux object, newest first, as
`flux events -A` lists them (last seen, type, object, reason, message), with the age of the
last occurrence (`5m`); Detail shows how many times each happened. Pure: tested without an
app."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from textual.content import Content

from tuiops.domain.age import age_of, parse_time
from tuiops.domain.events import Event
from tuiops.domain.kinds import api_kind
from tuiops.ui.column_layout import Column
from tuiops.ui.tables import cluster_text
from tuiops.ui.tones import Tone

EVENT_LABELS = ("Seen", "Type", "Object", "Reason", "Message")
"""The cells of a row, in display order (`event_cells`)."""


def event_key(event: Event) -> str:
    """A row's key: the Event's own namespace and name (unique in the cluster)."""
    return f"{event.namespace}/{event.name}" if event.name else repr(event)


def events_shown(
    events: Iterable[Event], *, namespace: str = "", warnings_only: bool = False
) -> list[Event]:
    """The events the table lists: of one namespace (every one when empty), warnings only or
    all, newest first (by last occurrence; an event without a readable time last)."""
    shown = [
        event
        for event in events
        if (not namespace or event.involved.namespace == namespace)
        and (event.is_warning or not warnings_only)
    ]
    return sorted(shown, key=_last_seen, reverse=True)


def _last_seen(event: Event) -> datetime:
    moment = parse_time(event.last_timestamp) or datetime.min
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _object(event: Event) -> str:
    return f"{api_kind(event.involved.kind).short}/{event.involved.namespaced_name}"


def event_columns(events: Sequence[Event]) -> tuple[Column, ...]:
    """The Events columns for `ResourceTable.set_layout`: how long ago it was last seen, type,
    object and reason always (the object as wide as the longest, up to 48); Message takes
    what is left when there is room for it."""
    name = max((len(_object(event)) for event in events), default=24)
    reason = max((len(event.reason) for event in events), default=12)
    return (
        Column(EVENT_LABELS[0], 5),
        Column(EVENT_LABELS[1], 7),
        Column(EVENT_LABELS[2], 24, min(name, 48)),
        Column(EVENT_LABELS[3], 12, min(reason, 24)),
        Column(EVENT_LABELS[4], 15, 400, priority=1),
    )


def event_cells(event: Event, now: datetime) -> tuple[Content, ...]:
    """One row of the Events table (`EVENT_LABELS`); every text from the cluster is inert."""
    tone = Tone.BAD if event.is_warning else Tone.MUTED
    return (
        Content(age_of(event.last_timestamp, now) or "-"),
        Content.styled(event.type.value, tone),
        cluster_text(_object(event)),
        cluster_text(event.reason, tone=Tone.BAD if event.is_warning else None),
        cluster_text(event.message),
    )
