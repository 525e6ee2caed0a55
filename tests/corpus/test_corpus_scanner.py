"""Self-checks of the independent corpus scanner (no CLI involved).

The status acceptance tests are only as good as their yardstick. These tests pin the
scanner to the figures documented in ``shared/corpus/README.md``, ``_summary.json`` and
``docs/real-repos.md``, so a scanner regression cannot silently weaken them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.corpus.corpus_layout import (
    CLUSTERTOOL_ROOT,
    HOME_OPS_APPS_ROOT,
    clustertool_ks_split,
    clustertool_layers,
    home_ops_layer_dirs,
    is_clustertool,
    stable_topological_order,
    strongly_connected,
)
from tests.corpus.corpus_scan import KIND_HR, KIND_KS, cached_scan, corpus_dir, parse_documents

pytestmark = pytest.mark.slow

CORPUS = corpus_dir()

#: "Flux Ks" column of the corpus README (all documents, exact).
README_FLUX_KS = {
    "xstar97__cluster": 122,
    "Boemeltrein__TalosCluster": 80,
    "PrivatePuffin__cluster": 32,
    "mrfr34ky__talosv3": 57,
    "sveatlo__homelab": 57,
    "onedr0p__home-ops": 78,
    "joryirving__home-ops": 253,
    "Heavybullets8__heavy-ops": 77,
    "onedr0p__home-ops--2023-10": 84,
    "onedr0p__home-ops--2024-03": 98,
    "PrivatePuffin__cluster--2024-04": 66,
}
#: README "HelmReleases" minus patch fragments (no chart/chartRef: xstar97 4, Boemeltrein 1,
#: 2023-10 1) plus releases in duplicate-anchor files the README's helper could not parse
#: (heavy-ops 1, onedr0p 1, joryirving 1, 2023-10 1, 2024-03 3).
EXPECTED_RELEASES = {
    "xstar97__cluster": 116,
    "Boemeltrein__TalosCluster": 74,
    "PrivatePuffin__cluster": 25,
    "mrfr34ky__talosv3": 52,
    "sveatlo__homelab": 51,
    "onedr0p__home-ops": 69,
    "joryirving__home-ops": 161,
    "Heavybullets8__heavy-ops": 69,
    "onedr0p__home-ops--2023-10": 81,
    "onedr0p__home-ops--2024-03": 86,
    "PrivatePuffin__cluster--2024-04": 53,
}
#: Orphan ks.yaml per clustertool repo (docs/real-repos.md §1; _summary.json ks_orphans).
EXPECTED_ORPHANS = {
    "xstar97__cluster": 31,
    "PrivatePuffin__cluster": 11,
    "Boemeltrein__TalosCluster": 7,
    "sveatlo__homelab": 1,
    "mrfr34ky__talosv3": 0,
}


def _repo(name: str) -> Path:
    """Corpus repo folder; fails (never skips) when absent."""
    if not (CORPUS / name).is_dir():
        pytest.fail(f"corpus repo {name} missing under {CORPUS}")
    return CORPUS / name


def _summary() -> dict[str, Any]:
    """The corpus ``_summary.json``."""
    path = CORPUS / "_summary.json"
    if not path.is_file():
        pytest.fail(f"{path} missing")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("name", sorted(README_FLUX_KS))
def test_scanner_document_counts(name: str) -> None:
    """The scanner finds exactly the documented number of Kustomizations and releases."""
    scan = cached_scan(_repo(name))
    counts = (len(scan.of_kind(KIND_KS)), len(scan.of_kind(KIND_HR)))
    assert counts == (README_FLUX_KS[name], EXPECTED_RELEASES[name])


@pytest.mark.parametrize("name", sorted(README_FLUX_KS))
def test_scanner_strict_failures_match_summary(name: str) -> None:
    """Files rejected by strict ``safe_load_all`` are those ``_summary.json`` lists."""
    expected = sorted(_summary()[name]["pyyaml_safe_load_failures"])
    assert sorted(cached_scan(_repo(name)).plain_failures) == expected


@pytest.mark.parametrize("name", sorted(EXPECTED_ORPHANS))
def test_scanner_orphan_counts(name: str) -> None:
    """The independent reachability walk finds the documented orphan ks.yaml counts."""
    repo = _repo(name)
    assert is_clustertool(repo)
    assert len(clustertool_ks_split(repo).orphans) == EXPECTED_ORPHANS[name]


@pytest.mark.parametrize("name", sorted(EXPECTED_ORPHANS))
def test_scanner_layer_folders_match_summary(name: str) -> None:
    """Listed + commented (on disk) + unlisted layers are the summary's layer folders."""
    repo = _repo(name)
    layers = clustertool_layers(repo, cached_scan(repo))
    on_disk = {c for c in layers.commented if (repo / CLUSTERTOOL_ROOT / c).is_dir()}
    found = set(layers.listed) | on_disk | set(layers.unlisted)
    assert found == set(_summary()[name]["layers_or_namespaces"])


@pytest.mark.parametrize("name", sorted(set(HOME_OPS_APPS_ROOT) - {"joryirving__home-ops"}))
def test_scanner_namespace_folders_match_summary(name: str) -> None:
    """home-ops namespace folders are the summary's namespaces (single-apps-root repos)."""
    folders = home_ops_layer_dirs(_repo(name), HOME_OPS_APPS_ROOT[name])
    assert set(folders) == set(_summary()[name]["layers_or_namespaces"])


def test_tolerant_loader_quirks() -> None:
    """Duplicate anchors, bare ``=``, custom tags and a broken document are tolerated."""
    text = (
        "a: &x 1\nb: &x 2\nc: *x\n---\nmatchType: =\n---\nk: !env_var HOME\n"
        "---\nbad: {{ .X | nindent 4 }}\n---\nkind: Last\n"
    )
    docs = parse_documents(text)
    assert [d.data for d in docs] == [
        {"a": 1, "b": 2, "c": 2},
        {"matchType": "="},
        {"k": "HOME"},
        {"kind": "Last"},
    ]
    assert [d.line for d in docs] == [1, 5, 7, 11]


def test_stable_topological_order() -> None:
    """Layers move later only as far as their dependencies require; cycles keep order."""
    assert stable_topological_order(["a", "b", "c"], [("a", "c")]) == ["b", "c", "a"]
    assert stable_topological_order(["a", "b"], [("a", "b"), ("b", "a")]) == ["a", "b"]
    component = strongly_connected(["a", "b", "c"], [("a", "b"), ("b", "a"), ("c", "a")])
    assert component["a"] == component["b"] != component["c"]
