"""Detail's sections without an app: a condition's colour follows its polarity (Stalled=True
and RetriesExceeded are bad, never green), section headings are styled alone (the body under
a heading is neither bold nor underlined), and the header's health glyph carries its tone."""

from __future__ import annotations

import pytest
from textual.content import Content

from tests.unit.test_app_cells import REF, _live
from tuiops.domain.events import Event, EventType
from tuiops.domain.live import LiveObject
from tuiops.domain.root_cause import RootCause
from tuiops.domain.status import Condition, ConditionStatus
from tuiops.domain.workloads import ReleaseObjects
from tuiops.ui.detail_text import (
    condition_tone,
    conditions_text,
    events_text,
    header_text,
    helm_text,
    release_objects_text,
    root_cause_text,
    source_text,
    variables_text,
)
from tuiops.ui.tones import Tone

TRUE, FALSE, UNKNOWN = ConditionStatus.TRUE, ConditionStatus.FALSE, ConditionStatus.UNKNOWN


@pytest.mark.parametrize(
    ("type_", "status", "reason", "tone"),
    [
        ("Ready", TRUE, "ReconciliationSucceeded", Tone.GOOD),
        ("Ready", FALSE, "UpgradeFailed", Tone.BAD),
        ("Ready", UNKNOWN, "Progressing", Tone.WARN),
        ("Healthy", TRUE, "Succeeded", Tone.GOOD),
        ("Released", TRUE, "UpgradeSucceeded", Tone.GOOD),
        ("Released", FALSE, "UpgradeFailed", Tone.BAD),
        ("Stalled", TRUE, "RetriesExceeded", Tone.BAD),
        ("Stalled", TRUE, "InvalidCELExpression", Tone.BAD),
        ("Stalled", FALSE, "", Tone.MUTED),
        ("Reconciling", TRUE, "Progressing", Tone.WARN),
        ("Reconciling", TRUE, "ProgressingWithRetry", Tone.BAD),
        ("Remediated", TRUE, "RollbackSucceeded", Tone.WARN),
        ("FetchFailed", TRUE, "GitOperationFailed", Tone.BAD),
        ("ArtifactInStorage", TRUE, "Succeeded", Tone.GOOD),
        ("SomethingNew", TRUE, "Whatever", Tone.MUTED),
        ("SomethingNew", TRUE, "RetriesExceeded", Tone.BAD),
    ],
)
def test_condition_tone_follows_polarity(
    type_: str, status: ConditionStatus, reason: str, tone: Tone
) -> None:
    assert condition_tone(Condition(type_, status, reason)) is tone


def _status_tones(content: Content) -> dict[str, str]:
    """Each condition line's type → the style of its status word."""
    lines: dict[str, str] = {}
    for span in content.spans:
        word = content.plain[span.start : span.end].strip()
        if word in ("True", "False", "Unknown"):
            line_start = content.plain.rfind("\n", 0, span.start) + 1
            lines[content.plain[line_start : span.start].strip()] = str(span.style)
    return lines


def test_a_stalled_release_is_not_green() -> None:
    live = LiveObject(
        ref=REF,
        api_version="helm.toolkit.fluxcd.io/v2",
        conditions=(
            Condition("Ready", FALSE, "UpgradeFailed", "upgrade retries exhausted"),
            Condition("Stalled", TRUE, "RetriesExceeded", "Failed to upgrade after 2 attempt(s)"),
            Condition("Released", FALSE, "UpgradeFailed", "context deadline exceeded"),
        ),
    )
    assert _status_tones(conditions_text(live)) == {
        "Ready": Tone.BAD,
        "Stalled": Tone.BAD,
        "Released": Tone.BAD,
    }


def _sections() -> dict[str, Content]:
    live = _live()
    event = Event(
        REF, "helm.toolkit.fluxcd.io/v2", EventType.WARNING, "UpgradeFailed", "boom", 1, "", "", ""
    )
    helm = helm_text(live, None)
    assert helm is not None
    return {
        "Conditions": conditions_text(live),
        "Root cause": root_cause_text(RootCause((REF,), None), REF),
        "Events": events_text((event,)),
        "Source": source_text(live, None, {}),
        "Helm": helm,
        "Variables": variables_text(REF, None, None),
        "Not ready in the release": release_objects_text(ReleaseObjects("kube-system/nfd.v2")),
    }


@pytest.mark.parametrize("title", list(_sections()))
def test_a_heading_styles_its_title_alone(title: str) -> None:
    content = _sections()[title]
    assert content.plain.startswith(title)
    headings = [span for span in content.spans if span.style == Tone.HEADING]
    assert [(span.start, span.end) for span in headings] == [(0, len(title))]
    body = len(title)
    # Nothing after the title is underlined, and no span runs from the title into the body.
    assert all("underline" not in str(span.style) for span in content.spans if span.start >= body)
    assert not any(span.start < body < span.end for span in content.spans)


def test_the_header_glyph_and_word_carry_the_health_tone() -> None:
    header = header_text(REF, _live())
    tones = {header.plain[span.start : span.end].strip(): span.style for span in header.spans}
    assert tones["✗"] is Tone.BAD and tones["failed"] is Tone.BAD
    absent = header_text(REF, None, "not in the cluster")
    assert absent.plain.endswith("· not in the cluster")
    # Without a word on what the absence means, the header claims nothing about the cluster.
    assert "not in the cluster" not in header_text(REF, None).plain
