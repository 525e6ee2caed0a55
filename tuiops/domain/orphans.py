"""The Flux objects no layer reaches: the repo's orphans (a ks.yaml nothing includes) and the
live objects the repo does not list at all (applied by hand, or by another repo). Layers lists
them under their own heading instead of among the layers."""

from __future__ import annotations

from collections.abc import Mapping

from tuiops.domain.live import LiveObject
from tuiops.domain.overview import AppRow, ClusterOverview
from tuiops.domain.refs import ObjectRef
from tuiops.domain.repo import Cluster

ORPHANS_HEADING = "not in any layer"
"""The heading the orphans are listed under."""


def orphan_rows(
    cluster: Cluster | None,
    overview: ClusterOverview | None,
    live: Mapping[ObjectRef, LiveObject],
) -> tuple[AppRow, ...]:
    """Rows for every Kustomization and HelmRelease no layer lists, each once.

    Args:
        cluster: The repo's cluster (its `orphans`); None before the repo is read.
        overview: The layers' rows (an orphan a layer also lists, such as a commented-out
            layer's, stays in that layer) and the live objects the repo does not list.
        live: The live objects by ref, attached to the repo's orphans.

    Returns:
        The repo's orphans in the repo's order, then the unlisted live objects.
    """
    listed = {row.ref for layer in overview.layers for row in layer.rows} if overview else set()
    rows: list[AppRow] = []
    seen: set[ObjectRef] = set()
    for component in cluster.orphans if cluster is not None else ():
        objects = [(ks.ref, ks.location, "") for ks in component.kustomizations] + [
            (hr.ref, hr.location, hr.version) for hr in component.helm_releases
        ]
        for ref, location, version in objects:
            if ref in listed or ref in seen:
                continue
            seen.add(ref)
            rows.append(AppRow(ref, "", component.name, location, version, live.get(ref)))
    unlisted = overview.unlisted if overview is not None else ()
    rows += [row for row in unlisted if row.ref not in seen]
    return tuple(rows)
