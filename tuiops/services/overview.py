"""Merge the repo's view of a cluster with the live Flux objects into a ClusterOverview.

Pure: the live objects come from a port (`ports.FluxReader`), the repo from `gitops`. Rows keep
the repo's layer order; live objects the repo does not list come last, so nothing the cluster
runs is hidden.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from tuiops.domain.feed import FeedStatus
from tuiops.domain.live import LiveObject
from tuiops.domain.overview import AppRow, ClusterOverview, LayerOverview
from tuiops.domain.refs import ObjectRef
from tuiops.domain.repo import Cluster, Component, LayerState

ENTRY_LAYER = "entry"
"""Pseudo-layer for the Kustomizations that bootstrap the layers (clustertool's flux-entry)."""


NOT_APPLIED_BECAUSE = {LayerState.COMMENTED: "commented out", LayerState.UNLISTED: "not listed"}
"""Why Flux does not apply a layer, in the words `tuiops status` uses."""


def _rows(
    layer: str, components: Iterable[Component], live: Mapping[ObjectRef, LiveObject]
) -> list[AppRow]:
    rows: list[AppRow] = []
    for component in components:
        for kustomization in component.kustomizations:
            rows.append(
                AppRow(
                    kustomization.ref,
                    layer,
                    component.name,
                    kustomization.location,
                    "",
                    live.get(kustomization.ref),
                )
            )
        for release in component.helm_releases:
            rows.append(
                AppRow(
                    release.ref,
                    layer,
                    component.name,
                    release.location,
                    release.version,
                    live.get(release.ref),
                )
            )
    return rows


def build_overview(
    cluster: Cluster,
    live_objects: Iterable[LiveObject],
    feeds: Iterable[FeedStatus] = (),
    *,
    context: str = "",
    server: str = "",
) -> ClusterOverview:
    """One row per object the repo lists (live state attached) plus the unlisted live ones."""
    live = {obj.ref: obj for obj in live_objects}
    layers: list[LayerOverview] = []
    if cluster.entrypoints:
        layers.append(
            LayerOverview(ENTRY_LAYER, tuple(_rows(ENTRY_LAYER, cluster.entrypoints, live)))
        )
    for layer in cluster.layers:
        layers.append(
            LayerOverview(
                layer.name,
                tuple(_rows(layer.name, layer.components, live)),
                applied=layer.state is LayerState.LISTED,
                why_not_applied=NOT_APPLIED_BECAUSE.get(layer.state, ""),
            )
        )
    listed = {row.ref for layer in layers for row in layer.rows}
    unlisted = tuple(
        AppRow(ref, "", "", None, "", obj)
        for ref, obj in sorted(live.items())
        if ref not in listed and ref.kind in ("Kustomization", "HelmRelease")
    )
    return ClusterOverview(
        cluster.name, tuple(layers), unlisted, tuple(feeds), context=context, server=server
    )
