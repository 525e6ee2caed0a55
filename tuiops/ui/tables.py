"""Pure renderers from domain rows to table cells (tested without a running app). All
cluster text is made inert here, before it reaches a widget, and becomes Textual `Content`,
which never parses markup. Colours are `Tone`s (`ui/tones.py`), resolved against the theme
only when a widget draws the cell."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from textual.content import Content

from tuiops.domain.age import age_of
from tuiops.domain.charts import chart_drift, comparable_version
from tuiops.domain.kinds import api_kind
from tuiops.domain.live import LiveObject
from tuiops.domain.overview import AppRow
from tuiops.domain.refs import ObjectRef
from tuiops.domain.status import Health
from tuiops.domain.text import inert
from tuiops.ui.column_layout import Column
from tuiops.ui.tones import Tone

HEALTH_TONE = {
    Health.FAILED: Tone.BAD,
    Health.PROGRESSING: Tone.WARN,
    Health.UNKNOWN: Tone.MUTED,
    Health.SUSPENDED: Tone.PAUSED,
    Health.READY: Tone.GOOD,
}
HEALTH_GLYPH = {
    Health.FAILED: "✗",
    Health.PROGRESSING: "◎",
    Health.UNKNOWN: "?",
    Health.SUSPENDED: "‖",
    Health.READY: "✓",
}
APP_LABELS = (
    "",
    "Kind",
    "Namespace/Name",
    "Ready",
    "Version",
    "Reason",
    "Age",
    "Layer",
    "Suspended",
    "Message",
)
"""The Apps cells of a row, in display order (`app_cells`)."""
NAME_WIDTHS = (20, 60)
"""The name column's narrowest and widest: it grows to the longest name up to the widest."""


@dataclass(frozen=True, slots=True)
class AppWidths:
    """The longest texts of the Apps columns that grow with their content (`app_widths`)."""

    name: int = NAME_WIDTHS[0]
    reason: int = 12
    layer: int = 5


def app_widths(rows: Iterable[AppRow]) -> AppWidths:
    """The longest name, reason and layer among `rows` (string lengths: no cell is built, so
    7,000 rows cost a few milliseconds).

    Args:
        rows: Every row the table may show (not only the filtered ones, so the columns do not
            jump as the filter changes).

    Returns:
        The widths, each at least its column's narrowest.
    """
    name, reason, layer = NAME_WIDTHS[0], 12, 5
    for row in rows:
        name = max(name, len(row.ref.namespace) + 1 + len(row.ref.name))
        layer = max(layer, len(row.layer))
        ready = row.live.ready if row.live is not None else None
        if ready is not None:
            reason = max(reason, len(ready.reason))
    return AppWidths(name, reason, layer)


def app_columns(
    widths: AppWidths, labels: Sequence[str] = APP_LABELS, shown: str = ""
) -> tuple[Column, ...]:
    """The Apps columns for `ResourceTable.set_layout`: health glyph, kind, name and version
    always (the name as wide as the longest, up to 60, before anything else grows); then, as
    room allows, Reason, Age (since Ready last changed), Message (taking what is left), and
    Ready, Layer and Suspended, whose cells the glyph, the order and the glyph again mostly
    tell already.

    Args:
        widths: The longest names, reasons and layers (`app_widths`).
        labels: The labels, one per cell (the sorted one with its arrow).
        shown: The label of a column to show whatever the width (the one sorted by).

    Returns:
        One Column per cell of `app_cells`.
    """
    specs = (
        Column(labels[0], 1),
        Column(labels[1], 4),
        Column(labels[2], NAME_WIDTHS[0], min(widths.name, NAME_WIDTHS[1])),
        Column(labels[3], 7, priority=4),
        Column(labels[4], 15, 18),
        Column(labels[5], min(widths.reason, 18), min(widths.reason, 24), priority=1),
        Column(labels[6], 5, priority=2),
        Column(labels[7], min(widths.layer, 16), priority=5),
        Column(labels[8], 9, priority=6),
        Column(labels[9], 15, 160, priority=3),
    )
    return tuple(
        replace(spec, priority=0) if shown and spec.label == shown else spec for spec in specs
    )


def cluster_text(text: str, limit: int = 0, tone: Tone | None = None) -> Content:
    """Untrusted text made inert, on one line, cut to `limit` characters (0: no limit).

    Args:
        text: Text from the cluster, the repo or a tool's output.
        limit: Characters kept, the last one an ellipsis when cut.
        tone: What the text means, if it is coloured.

    Returns:
        Content, which never reads markup: `[bold]` stays two brackets and a word.
    """
    cleaned = inert(text, one_line=True)
    if limit and len(cleaned) > limit:
        cleaned = cleaned[: limit - 1] + "…"
    return Content.styled(cleaned, tone) if tone else Content(cleaned)


def measured_columns(
    columns: Sequence[Column], rows: Sequence[Sequence[Content]]
) -> tuple[Column, ...]:
    """Columns no wider than their widest cell (and label): for `ResourceTable.set_layout` in
    tables of a few rows (Helm revisions, Talos nodes, one release's pods), which can afford
    to measure. A column whose cells are all narrower than its `least` (or empty) shrinks to
    them, so it costs no room it does not use.

    Args:
        columns: One Column per cell, `most` the widest allowed.
        rows: The cells of every row.

    Returns:
        The columns, each `most` cut to its widest cell and `least` to that too.
    """
    fitted = []
    for index, column in enumerate(columns):
        widest = max((row[index].cell_length for row in rows if index < len(row)), default=1)
        most = min(column.widest, max(widest, len(column.label)))
        fitted.append(replace(column, least=min(column.narrowest, most), most=most))
    return tuple(fitted)


def health_cell(health: Health) -> Content:
    return Content.styled(HEALTH_GLYPH[health], HEALTH_TONE[health])


def count_cell(count: int, health: Health) -> Content:
    """How many objects of a layer have one health: the number in that health's tone, or a
    muted dot for none, so a column of zeros stays quiet (with colour or without: under
    NO_COLOR a failed count is drawn in reverse video, which a zero must not be).

    Args:
        count: Objects with that health.
        health: The health the column counts.

    Returns:
        The cell.
    """
    return (
        Content.styled(str(count), HEALTH_TONE[health])
        if count
        else Content.styled("·", Tone.MUTED)
    )


def version_cell(row: AppRow) -> Content:
    applied = inert(row.applied_version, one_line=True)
    if row.ref.kind == "Kustomization":
        short = applied.split("@sha1:")[-1][:7] if "@sha1:" in applied else applied
        return Content(short or "-")
    desired = inert(row.desired_version, one_line=True)
    if row.live is None:
        # Not in the cluster (or no cluster): what the repo asks for, without an arrow.
        return Content.styled(desired, Tone.MUTED) if desired else Content("-")
    # Only a pinned version can be behind: a range, a digest or a Git reference cannot.
    pinned = comparable_version(row.desired_version)
    if pinned and (not applied or chart_drift(row.applied_version, row.desired_version)):
        return Content.assemble(applied or "-", (f" → {desired}", Tone.WARN))
    return Content(applied or "-")


NOT_IN_VIEW = "not in the live view"
"""What a row without a live object says when nobody knows more (no list has answered)."""


def app_cells(row: AppRow, age: str, absence: str = NOT_IN_VIEW) -> tuple[Content, ...]:
    """The Apps columns of one row (`APP_LABELS`); `age` is how long ago Ready last changed
    (`ready_age`), worked out by the caller so cached cells are rebuilt when it changes;
    `absence` is what a row without a live object says (`ConsoleState.absence`: "not in the
    cluster" only after a list)."""
    live = row.live
    ready = live.ready if live else None
    kind = api_kind(row.ref.kind).short
    return (
        health_cell(row.health),
        Content(kind),
        cluster_text(row.ref.namespaced_name),
        Content(row.ready_status),
        version_cell(row),
        cluster_text(ready.reason if ready else "-"),
        Content(age if live is not None and age else "-"),
        Content(row.layer or "-"),
        Content.styled("yes", Tone.PAUSED) if live and live.suspended else Content("-"),
        cluster_text(live.message if live else absence, limit=160),
    )


def ready_age(live: LiveObject, now: datetime) -> str:
    """How long ago the Ready condition last changed (`5m`, `3h`, `2d`); empty without one."""
    ready = live.ready
    return age_of(ready.last_transition_time, now) if ready is not None else ""


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
        self._cache: dict[ObjectRef, tuple[object, str, str, str, tuple[Content, ...]]] = {}
        self._search: dict[ObjectRef, tuple[object, str, str]] = {}

    def search_text(self, row: AppRow) -> str:
        cached = self._search.get(row.ref)
        if cached is not None and cached[0] is row.live and cached[1] == row.layer:
            return cached[2]
        text = search_text(row)
        self._search[row.ref] = (row.live, row.layer, text)
        return text

    def cells(
        self, row: AppRow, now: datetime, absence: Callable[[str], str] = lambda kind: NOT_IN_VIEW
    ) -> tuple[Content, ...]:
        """Asked only for rows on screen, so the age is worked out for those alone.

        Args:
            row: The row.
            now: The instant ages are counted to.
            absence: What a row of a kind without a live object says (by kind).
        """
        # Without a live object the age column is empty and the message column says why;
        # both are keyed in the cache as the one text that can change.
        age = ready_age(row.live, now) if row.live is not None else absence(row.ref.kind)
        cached = self._cache.get(row.ref)
        if (
            cached is not None
            and cached[0] is row.live
            and cached[1] == row.layer
            and cached[2] == row.desired_version
            and cached[3] == age
        ):
            return cached[4]
        cells = app_cells(row, age, age) if row.live is None else app_cells(row, age)
        self._cache[row.ref] = (row.live, row.layer, row.desired_version, age, cells)
        return cells
