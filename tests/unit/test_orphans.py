"""The objects no layer reaches (`domain/orphans.py`), from the example repo: the repo's
orphans a layer does not list, once each, then the live objects the repo does not list."""

from __future__ import annotations

from tuiops.domain.live import LiveObject
from tuiops.domain.orphans import orphan_rows
from tuiops.domain.refs import ObjectRef
from tuiops.gitops.loader import load_repo
from tuiops.services.overview import build_overview
from tuiops.sim.example_repo import EXAMPLE_REPO

BY_HAND = ObjectRef("HelmRelease", "default", "applied-by-hand")


def test_orphans_are_those_no_layer_lists_then_the_unlisted_live_ones() -> None:
    model = load_repo(EXAMPLE_REPO)
    cluster = model.clusters[0]
    repo_orphans = {
        ref.name
        for component in cluster.orphans
        for ref in [k.ref for k in component.kustomizations]
        + [h.ref for h in component.helm_releases]
    }
    assert {"wikijs", "loki"} <= repo_orphans  # loki: also in the commented-out layer
    live = LiveObject(ref=BY_HAND, api_version="helm.toolkit.fluxcd.io/v2", created="")
    overview = build_overview(cluster, [live])
    rows = orphan_rows(cluster, overview, {BY_HAND: live})
    refs = [str(row.ref) for row in rows]
    assert refs == [
        "Kustomization/flux-system/wikijs",
        "HelmRelease/wikijs/wikijs",
        str(BY_HAND),
    ]
    assert all(row.layer == "" for row in rows)
    assert rows[0].location is not None and rows[-1].live is live


def test_without_a_repo_only_the_unlisted_live_objects_are_orphans() -> None:
    assert orphan_rows(None, None, {}) == ()
