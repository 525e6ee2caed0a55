"""The Apps row renderer and its cache, without a running app; ages as kubectl prints them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from textual.content import Content

from tuiops.domain.age import age_of
from tuiops.domain.helm import ReleaseStatus
from tuiops.domain.live import LiveObject, ReleaseHistoryEntry
from tuiops.domain.overview import AppRow
from tuiops.domain.refs import ObjectRef
from tuiops.domain.status import Condition, ConditionStatus, Health
from tuiops.ui.tables import (
    APP_LABELS,
    HEALTH_GLYPH,
    HEALTH_TONE,
    AppCellCache,
    app_cells,
    count_cell,
)
from tuiops.ui.tones import Tone

NOW = datetime(2025, 11, 25, 10, 10, tzinfo=UTC)
REF = ObjectRef("HelmRelease", "kube-system", "node-feature-discovery")


def _entry(version: int, status: ReleaseStatus, chart_version: str) -> ReleaseHistoryEntry:
    return ReleaseHistoryEntry(
        version=version,
        status=status,
        chart_name="node-feature-discovery",
        chart_version=chart_version,
        app_version="",
        config_digest="",
        digest="",
        first_deployed="",
        last_deployed="",
    )


def _live(
    message: str = "upgrade retries exhausted", changed: str = "2025-11-20T10:10:00Z"
) -> LiveObject:
    """A failed release whose Ready condition last changed at `changed` (its Age)."""
    ready = Condition("Ready", ConditionStatus.FALSE, "UpgradeFailed", message, changed)
    return LiveObject(
        ref=REF,
        api_version="helm.toolkit.fluxcd.io/v2",
        created="2025-01-01T00:00:00Z",
        conditions=(ready,),
        history=(
            _entry(2, ReleaseStatus.FAILED, "0.18.2"),
            _entry(1, ReleaseStatus.DEPLOYED, "0.18.1"),
        ),
    )


def _row(live: LiveObject | None) -> AppRow:
    return AppRow(REF, "kube-system", "nfd", None, "0.18.2", live)


def _column(cells: tuple[object, ...], label: str) -> str:
    index = APP_LABELS.index(label)
    return str(cells[index])


def test_ages_read_like_kubectl() -> None:
    assert age_of("2025-11-20T10:10:00Z", NOW) == "5d"
    assert age_of("2025-11-25T07:05:00Z", NOW) == "3h5m"
    assert age_of("2025-11-25T10:09:15Z", NOW) == "45s"
    assert age_of("2025-11-25T10:10:30Z", NOW) == "<invalid>"  # in the future
    assert age_of("", NOW) == "" and age_of("yesterday", NOW) == ""
    # The console's default clock is naive local time: it is compared as such.
    local = (NOW - timedelta(minutes=30)).astimezone().replace(tzinfo=None)
    assert age_of("2025-11-25T09:10:00Z", local) == "30m"


def test_cells_show_the_deployed_version_the_drift_and_the_age() -> None:
    cells = app_cells(_row(_live()), "5d")
    assert _column(cells, "Version") == "0.18.1 → 0.18.2"  # the failed 0.18.2 is not what runs
    assert _column(cells, "Ready") == "False"
    assert _column(cells, "Reason") == "UpgradeFailed"
    assert _column(cells, "Age") == "5d"
    assert len(cells) == len(APP_LABELS)


def test_cluster_text_is_inert_in_cells() -> None:
    cells = app_cells(_row(_live("[bold]x[/] \x1b[2Jgone\nnext")), "")
    assert _column(cells, "Message") == "[bold]x[/] \\x1b[2Jgone next"
    assert _column(cells, "Age") == "-"


def test_the_cache_rebuilds_a_row_only_when_it_or_its_age_changes() -> None:
    cache = AppCellCache()
    live = _live()
    row = _row(live)
    first = cache.cells(row, NOW)
    assert cache.cells(_row(live), NOW + timedelta(seconds=5)) is first  # still "5d"
    older = cache.cells(row, NOW + timedelta(days=1))
    assert older is not first and _column(older, "Age") == "6d"
    changed = cache.cells(_row(_live("another message")), NOW + timedelta(days=1))
    assert _column(changed, "Message") == "another message"


def test_age_is_since_ready_last_changed_and_suspended_shows() -> None:
    cache = AppCellCache()
    cells = cache.cells(_row(_live(changed="2025-11-25T10:05:00Z")), NOW)
    assert _column(cells, "Age") == "5m"  # not the object's creation, months ago
    assert _column(cells, "Suspended") == "-"
    paused = replace(_live(), suspended=True)
    assert _column(app_cells(_row(paused), "1d"), "Suspended") == "yes"


def test_cells_carry_tones_resolved_only_when_drawn() -> None:
    """The health glyph and the drift arrow name what they mean (a Tone), not a colour."""
    cells = app_cells(_row(_live()), "5d")
    health = cells[0]
    assert health.plain == "✗" and [span.style for span in health.spans] == [Tone.BAD]
    version = cells[APP_LABELS.index("Version")]
    arrow = [version.plain[span.start : span.end] for span in version.spans]
    assert arrow == [" → 0.18.2"] and [span.style for span in version.spans] == [Tone.WARN]
    offline = app_cells(_row(None), "")
    assert [span.style for span in offline[0].spans] == [HEALTH_TONE[offline_health(offline)]]


def offline_health(cells: tuple[Content, ...]) -> Health:
    """The health whose glyph the first cell shows."""
    return next(health for health, glyph in HEALTH_GLYPH.items() if glyph == cells[0].plain)


def test_a_zero_count_is_a_quiet_dot() -> None:
    failed = count_cell(3, Health.FAILED)
    assert failed.plain == "3" and [span.style for span in failed.spans] == [Tone.BAD]
    none = count_cell(0, Health.FAILED)
    assert none.plain == "·" and [span.style for span in none.spans] == [Tone.MUTED]
