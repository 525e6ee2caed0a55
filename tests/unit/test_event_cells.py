"""The Events table's rows without an app: newest first by time (not by text), namespace and
warnings filters, ages, and cluster text that cannot style or move the terminal."""

from __future__ import annotations

from datetime import UTC, datetime

from tuiops.domain.events import Event, EventType
from tuiops.domain.refs import ObjectRef
from tuiops.ui.event_cells import event_cells, events_shown

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def _event(name: str, last: str, *, warning: bool = False, namespace: str = "apps") -> Event:
    return Event(
        involved=ObjectRef("HelmRelease", namespace, "plex"),
        involved_api_version="helm.toolkit.fluxcd.io/v2",
        type=EventType.WARNING if warning else EventType.NORMAL,
        reason="UpgradeFailed" if warning else "UpgradeSucceeded",
        message="[bold red]boom[/] \x1b[2J\x1b]52;c;ZXZpbA==\x07",
        count=3,
        first_timestamp=last,
        last_timestamp=last,
        source_component="helm-controller",
        name=name,
        namespace=namespace,
    )


def test_newest_first_by_time_and_filters() -> None:
    events = [
        _event("a", "2026-12-04T11:59:00Z"),
        _event("b", "2026-12-04T11:59:00.5Z", warning=True),  # later, though "." < "Z"
        _event("c", "2026-12-04T11:00:00+00:00", namespace="kube-system"),
        _event("d", ""),
    ]
    assert [e.name for e in events_shown(events)] == ["b", "a", "c", "d"]
    assert [e.name for e in events_shown(events, namespace="kube-system")] == ["c"]
    assert [e.name for e in events_shown(events, warnings_only=True)] == ["b"]


def test_cells_show_ages_and_inert_text() -> None:
    cells = event_cells(_event("a", "2026-12-04T11:55:00Z", warning=True), NOW)
    age, kind, obj, reason, message = (cell.plain for cell in cells)
    assert (age, kind, obj, reason) == ("5m", "Warning", "hr/apps/plex", "UpgradeFailed")
    assert "[bold red]boom[/]" in message  # shown as typed, never read as markup
    assert "\x1b" not in message and "\x07" not in message
