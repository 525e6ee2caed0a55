"""The Sources table's rows: every GitRepository, OCIRepository, HelmRepository, HelmChart and
Bucket the feed watches, with what `flux get sources all` shows (ready, revision, suspended,
message) and how long ago Ready last changed. Pure: tested without an app."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from textual.content import Content

from tuiops.domain.age import age_of
from tuiops.domain.kinds import api_kind, is_source
from tuiops.domain.live import LiveObject
from tuiops.ui.tables import cluster_text, health_cell
from tuiops.ui.tones import Tone

SOURCE_COLUMNS: tuple[tuple[str, int], ...] = (
    ("", 1),
    ("Kind", 8),
    ("Namespace/Name", 40),
    ("Ready", 7),
    ("Revision", 24),
    ("Since", 6),
    ("Suspended", 9),
    ("Message", 120),
)
"""`Since`: the age of the Ready condition's last transition."""


def sources_of(objects: Iterable[LiveObject]) -> list[LiveObject]:
    """The sources among `objects`, by kind, namespace and name."""
    found = [obj for obj in objects if is_source(obj.ref.kind)]
    return sorted(found, key=lambda obj: (obj.ref.kind, obj.ref.namespace, obj.ref.name))


def source_cells(source: LiveObject, now: datetime) -> tuple[Content, ...]:
    """One row of the Sources table."""
    ready = source.ready
    status = ready.status.value if ready is not None else "-"
    since = age_of(ready.last_transition_time, now) if ready is not None else ""
    return (
        health_cell(source.health),
        Content(api_kind(source.ref.kind).short),
        cluster_text(source.ref.namespaced_name),
        Content(status),
        cluster_text(source.artifact_revision or "-"),
        Content.styled(since or "-", Tone.MUTED),
        Content.styled("yes", Tone.PAUSED) if source.suspended else Content("-"),
        cluster_text(source.message or "-", limit=160),
    )
