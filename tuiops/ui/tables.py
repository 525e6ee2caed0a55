"""Pure renderers from domain rows to table cells (tested without a running app). All
cluster text is made inert and markup-escaped here, before it reaches a widget."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from tuiops.domain.age import age_of
from tuiops.domain.charts import chart_drift, comparable_version
from tuiops.domain.overview import AppRow
from tuiops.domain.refs import ObjectRef
from tuiops.domain.status import Health
from tuiops.domain.text import inert

HEALTH_STYLE = {
    Health.FAILED: "bold red",
    Health.PROGRESSING: "yellow",
    Health.UNKNOWN: "dim",
    Health.SUSPENDED: "magenta",
    Health.READY: "green",
}
HEALTH_GLYPH = {
    Health.FAILED: "✗",
    Health.PROGRESSING: "◎",
    Health.UNKNOWN: "?",
    Health.SUSPENDED: "‖",
    Health.READY: "✓",
}
APP_COLUMNS: tuple[tuple[str, int], ...] = (
    ("", 1),
    ("Kind", 4),
    ("Namespace/Name", 40),
    ("Ready", 7),
    ("Version", 18),
    ("Reason", 24),
    ("Layer", 13),
    ("Age", 6),
    ("Message", 120),
)
"""Most telling first: at 80 columns, health, name, Ready and version stay on screen. Fixed
widths: measuring 7,000 rows would cost seconds."""


def cluster_text(text: str, limit: int = 0) -> Text:
    """Untrusted text as an inert Rich Text (Text never parses markup)."""
    cleaned = inert(text, one_line=True)
    if limit and len(cleaned) > limit:
        cleaned = cleaned[: limit - 1] + "…"
    return Text(cleaned)


def health_cell(health: Health) -> Text:
    return Text(HEALTH_GLYPH[health], style=HEALTH_STYLE[health])


def version_cell(row: AppRow) -> Text:
    applied = inert(row.applied_version, one_line=True)
    if row.ref.kind == "Kustomization":
        short = applied.split("@sha1:")[-1][:7] if "@sha1:" in applied else applied
        return Text(short or "-")
    desired = inert(row.desired_version, one_line=True)
    if row.live is None:
        # Not in the cluster (or no cluster): what the repo asks for, without an arrow.
        return Text(desired, style="dim") if desired else Text("-")
    text = Text(applied or "-")
    # Only a pinned version can be behind: a range, a digest or a Git reference cannot.
    pinned = comparable_version(row.desired_version)
    if pinned and (not applied or chart_drift(row.applied_version, row.desired_version)):
        text.append(f" → {desired}", style="bold yellow")
    return text


def app_cells(row: AppRow, age: str) -> tuple[Text, ...]:
    """The Apps columns of one row; `age` is `age_of(created, now)`, worked out by the caller
    so cached cells are rebuilt when it changes."""
    live = row.live
    ready = live.ready if live else None
    kind = "ks" if row.ref.kind == "Kustomization" else "hr"
    return (
        health_cell(row.health),
        Text(kind),
        cluster_text(row.ref.namespaced_name),
        Text(row.ready_status),
        version_cell(row),
        cluster_text(ready.reason if ready else "-"),
        Text(row.layer or "-"),
        Text(age or "-"),
        cluster_text(live.message if live else "not in the cluster", limit=160),
    )


def search_text(row: AppRow) -> str:
    """What the Apps filter matches words against: kind, namespace, name, layer, health,
    reason and message, lower-cased."""
    live = row.live
    parts = [row.ref.kind, row.ref.namespace, row.ref.name, row.layer, row.health.value]
    if live is not None:
        parts += [live.message, live.ready.reason if live.ready else ""]
    return " ".join(parts).lower()


class AppCellCache:
    """Cells and search text per object, rebuilt only when its live object (a new one arrives
    with each watch event), layer or desired version changes: a redraw of 7,000 rows reuses
    6,999, and a filter keystroke joins no strings."""

    def __init__(self) -> None:
        self._cache: dict[ObjectRef, tuple[object, str, str, str, tuple[Text, ...]]] = {}
        self._search: dict[ObjectRef, tuple[object, str, str]] = {}

    def search_text(self, row: AppRow) -> str:
        cached = self._search.get(row.ref)
        if cached is not None and cached[0] is row.live and cached[1] == row.layer:
            return cached[2]
        text = search_text(row)
        self._search[row.ref] = (row.live, row.layer, text)
        return text

    def cells(self, row: AppRow, now: datetime) -> tuple[Text, ...]:
        """Asked only for rows on screen, so the age is worked out for those alone."""
        age = age_of(row.live.created, now) if row.live is not None else ""
        cached = self._cache.get(row.ref)
        if (
            cached is not None
            and cached[0] is row.live
            and cached[1] == row.layer
            and cached[2] == row.desired_version
            and cached[3] == age
        ):
            return cached[4]
        cells = app_cells(row, age)
        self._cache[row.ref] = (row.live, row.layer, row.desired_version, age, cells)
        return cells
