"""The Sources table's rows: every GitRepository, OCIRepository, HelmRepository, HelmChart and
Bucket the feed watches, with what `flux get sources all` shows (ready, revision, suspended,
message) and how long ago Ready last changed (`5m`, as in Apps). Pure: tested without an
app."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from textual.content import Content

from tuiops.domain.kinds import api_kind, is_source
from tuiops.domain.live import LiveObject
from tuiops.ui.column_layout import Column
from tuiops.ui.tables import cluster_text, health_cell, ready_age
from tuiops.ui.tones import Tone

SOURCE_LABELS = ("", "Kind", "Namespace/Name", "Ready", "Revision", "Age", "Suspended", "Message")
"""The cells of a row, in display order (`source_cells`). `Age`: since the Ready condition last
changed."""


def source_columns(sources: Sequence[LiveObject]) -> tuple[Column, ...]:
    """The Sources columns for `ResourceTable.set_layout`: health, kind, name and revision
    always (the name as wide as the longest, up to 48: HelmCharts repeat their release's name);
    then Age, Message (taking what is left), Ready and Suspended as room allows.

    Args:
        sources: Every source the table shows (string lengths only are measured).
    """
    kind = max((len(api_kind(s.ref.kind).short) for s in sources), default=4)
    name = max((len(s.ref.namespaced_name) for s in sources), default=20)
    revision = max((len(s.artifact_revision) for s in sources), default=12)
    return (
        Column(SOURCE_LABELS[0], 1),
        Column(SOURCE_LABELS[1], kind),
        Column(SOURCE_LABELS[2], 20, min(name, 48)),
        Column(SOURCE_LABELS[3], 7, priority=3),
        Column(SOURCE_LABELS[4], 12, min(revision, 24)),
        Column(SOURCE_LABELS[5], 5, priority=1),
        Column(SOURCE_LABELS[6], 9, priority=4),
        Column(SOURCE_LABELS[7], 15, 160, priority=2),
    )


def sources_of(objects: Iterable[LiveObject]) -> list[LiveObject]:
    """The sources among `objects`, by kind, namespace and name."""
    found = [obj for obj in objects if is_source(obj.ref.kind)]
    return sorted(found, key=lambda obj: (obj.ref.kind, obj.ref.namespace, obj.ref.name))


def source_cells(source: LiveObject, now: datetime) -> tuple[Content, ...]:
    """One row of the Sources table (`SOURCE_LABELS`)."""
    ready = source.ready
    status = ready.status.value if ready is not None else "-"
    since = ready_age(source, now)
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
