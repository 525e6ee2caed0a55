"""The Apps Version column and the Detail Helm section: an arrow only where the repo pins a
version the cluster does not run."""

from __future__ import annotations

import pytest

from tests.unit.test_app_cells import REF, _live
from tuiops.domain.overview import AppRow
from tuiops.ui.detail_text import helm_text
from tuiops.ui.tables import version_cell


def row(desired: str, live: bool = True) -> AppRow:
    # The live release runs 0.18.1 (0.18.2 failed).
    return AppRow(REF, "kube-system", "nfd", None, desired, _live() if live else None)


@pytest.mark.parametrize(
    ("desired", "cell"),
    [
        ("0.18.2", "0.18.1 → 0.18.2"),
        ("0.18.1", "0.18.1"),
        ("v0.18.1", "0.18.1"),
        ("0.18.2@sha256:d097c154", "0.18.1 → 0.18.2@sha256:d097c154"),
        (">=0.18.0 <1.0.0", "0.18.1"),
        ("sha256:d097c154", "0.18.1"),
        ("tag:v0.18.2", "0.18.1"),
        ("", "0.18.1"),
    ],
)
def test_arrow_only_for_a_pinned_version_that_differs(desired: str, cell: str) -> None:
    assert str(version_cell(row(desired))) == cell


def test_without_a_live_object_the_repo_version_shows_without_arrow() -> None:
    assert str(version_cell(row("0.18.2", live=False))) == "0.18.2"
    assert str(version_cell(row(">=1.0.0", live=False))) == ">=1.0.0"
    assert str(version_cell(row("", live=False))) == "-"


def test_repo_text_in_the_version_is_inert() -> None:
    assert "\x1b" not in str(version_cell(row("1.0.0\x1b]0;title\x07", live=False)))


def test_detail_names_the_kind_of_desired_version() -> None:
    text = helm_text(_live(), row(">=0.18.0 <1.0.0"))
    assert text is not None
    assert "desired version: >=0.18.0 <1.0.0 (semver range)" in text.plain
    pinned = helm_text(_live(), row("0.18.2"))
    assert pinned is not None and "desired version: 0.18.2\n" in pinned.plain


def test_detail_shows_the_repo_version_of_a_release_the_cluster_lacks() -> None:
    text = helm_text(None, row("sha256:d097c154", live=False), "not in the cluster")
    assert text is not None
    assert "desired version: sha256:d097c154 (OCI digest)" in text.plain
    assert "not in the cluster" in text.plain
    unknown = helm_text(None, row("sha256:d097c154", live=False))
    assert unknown is not None and "not in the cluster" not in unknown.plain
