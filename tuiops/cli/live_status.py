"""`tuiops status` against the cluster: per layer and component, Ready, reason, message,
suspended, applied revision or chart version next to the repo's desired version.

Exit 0 when every listed object is ready, 1 when anything is not, 2 for usage errors (no
kubeconfig, unreachable API server) with a one-line message. All cluster text is made inert:
messages folded to one line here, the whole output again by `tuiops.cli.output`.

The whole command has a deadline (`STATUS_SECONDS`): every request is cut at it, so a server
that accepts and never answers, dribbles its answer, or is stopped ends the command with one
line within 10 s. An object is called "not in the cluster" only when the list of its kind
succeeded (`domain/feed.absence_text`).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterable
from typing import Any

from tuiops.cli.output import write_json, write_text
from tuiops.domain.feed import FeedState, FeedStatus, absence_text, feed_for
from tuiops.domain.kinds import api_kind
from tuiops.domain.overview import AppRow, ClusterOverview
from tuiops.domain.repo import Cluster
from tuiops.domain.text import inert
from tuiops.services.overview import build_overview
from tuiops.wiring import flux_reader

EXIT_OK = 0
EXIT_NOT_READY = 1

_HEALTH_MARK = {"ready": " ", "suspended": "~", "progressing": ">", "unknown": "?", "failed": "!"}


STATUS_SECONDS = 8.5
"""From the start of `tuiops status` to its last cluster request (Python's start and the
kubernetes import come on top: the command ends within 10 s)."""
MIN_CLUSTER_SECONDS = 3.0
"""What the cluster reads get at least, when reading a big repo took most of the budget."""


def status_deadline(started: float) -> float:
    """The `time.monotonic()` moment the cluster reads of a status begun at `started` end."""
    return max(started + STATUS_SECONDS, time.monotonic() + MIN_CLUSTER_SECONDS)


def live_overviews(
    args: argparse.Namespace, clusters: tuple[Cluster, ...], *, deadline: float | None = None
) -> list[ClusterOverview]:
    reader = flux_reader(args.kubeconfig, args.context, deadline=deadline)
    objects, feeds = reader.read_appliers()
    return [
        build_overview(c, objects, feeds, context=reader.context, server=reader.server)
        for c in clusters
    ]


def _version(row: AppRow) -> str:
    applied = inert(row.applied_version, one_line=True)
    if row.ref.kind != "HelmRelease":
        return applied or "-"
    desired = row.desired_version or "?"
    attempted = row.live.last_attempted_revision if row.live else ""
    tried = (  # compared as read: `applied` is already shown inert
        f", attempted {inert(attempted, one_line=True)}"
        if attempted not in ("", row.applied_version)
        else ""
    )
    if not applied:
        return f"- (repo {desired}{tried})"
    return f"{applied} (repo {desired}{tried}){' DRIFT' if row.drift else ''}"


def _row_line(row: AppRow, feeds: Iterable[FeedStatus]) -> str:
    live = row.live
    reason = inert(live.ready.reason, one_line=True) if live and live.ready else "-"
    message = inert(live.message, one_line=True) if live else absence_text(row.ref.kind, feeds)
    suspended = " suspended" if live and live.suspended else ""
    kind = api_kind(row.ref.kind).short
    return (
        f"    {_HEALTH_MARK[row.health.value]} {kind} {row.ref.namespaced_name:<44} "
        f"{row.ready_status:<7} {reason:<24} {_version(row)}{suspended}  {message}"
    ).rstrip()


def overview_text(overview: ClusterOverview) -> str:
    lines = [f"cluster {overview.cluster}  context {overview.context} ({overview.server})"]
    for feed in overview.feeds:
        if feed.state is not FeedState.LIVE:
            lines.append(f"  {feed.kind}: {feed.state.value}: {inert(feed.message, one_line=True)}")
    for number, layer in enumerate(overview.layers):
        counts = ", ".join(
            f"{layer.count(h)} {h.value}"
            for h in sorted({r.health for r in layer.rows}, key=lambda h: h.rank)
        )
        note = "" if layer.applied else "  (not applied: the repo does not list this layer)"
        lines.append(f"  {number:>2}. {layer.name}  {counts or 'empty'}{note}")
        lines.extend(_row_line(row, overview.feeds) for row in layer.rows)
    if overview.unlisted:
        lines.append(f"  not in the repo ({len(overview.unlisted)}):")
        lines.extend(_row_line(row, overview.feeds) for row in overview.unlisted)
    not_ready = overview.not_ready
    total = len(overview.rows)
    lines.append(
        f"{total - len(not_ready)}/{total} ready"
        + (
            f"; not ready: {', '.join(str(r.ref) for r in not_ready[:5])}"
            + (f" +{len(not_ready) - 5}" if len(not_ready) > 5 else "")
            if not_ready
            else ""
        )
    )
    return "\n".join(lines) + "\n"


def _in_cluster(row: AppRow, feeds: Iterable[FeedStatus]) -> bool | None:
    """True, False only when a list of the kind succeeded, else None (not known)."""
    if row.live is not None:
        return True
    feed = feed_for(feeds, row.ref.kind)
    return False if feed is not None and feed.listed else None


def row_json(row: AppRow, feeds: Iterable[FeedStatus] = ()) -> dict[str, Any]:
    live = row.live
    ready = live.ready if live else None
    return {
        "kind": row.ref.kind,
        "namespace": row.ref.namespace,
        "name": row.ref.name,
        "layer": row.layer,
        "component": row.component,
        "file": row.location.file if row.location else None,
        "line": row.location.line if row.location else None,
        "inCluster": _in_cluster(row, feeds),
        "health": row.health.value,
        "ready": ready.status.value if ready else None,
        "reason": ready.reason if ready else None,
        "message": inert(ready.message) if ready else None,
        "suspended": live.suspended if live else None,
        "appliedVersion": row.applied_version or None,
        "desiredVersion": row.desired_version or None,
        "drift": row.drift,
        "lastAttemptedRevision": live.last_attempted_revision or None if live else None,
    }


def overview_json(overview: ClusterOverview) -> dict[str, Any]:
    return {
        "cluster": overview.cluster,
        "context": overview.context,
        "server": overview.server,
        "feeds": [
            {"kind": f.kind, "state": f.state.value, "message": f.message} for f in overview.feeds
        ],
        "layers": [
            {
                "name": layer.name,
                "applied": layer.applied,
                "objects": [row_json(r, overview.feeds) for r in layer.rows],
            }
            for layer in overview.layers
        ],
        "notInRepo": [row_json(r, overview.feeds) for r in overview.unlisted],
        "notReady": len(overview.not_ready),
    }


def print_live_status(
    args: argparse.Namespace, clusters: tuple[Cluster, ...], *, started: float | None = None
) -> int:
    """Print the live status; `started` is when the command began (for its deadline)."""
    deadline = status_deadline(time.monotonic() if started is None else started)
    overviews = live_overviews(args, clusters, deadline=deadline)
    if args.json:
        write_json({"clusters": [overview_json(o) for o in overviews]})
    else:
        write_text("".join(overview_text(o) for o in overviews))
    anything_wrong = any(o.not_ready for o in overviews) or any(
        f.state is not FeedState.LIVE for o in overviews for f in o.feeds
    )
    return EXIT_NOT_READY if anything_wrong else EXIT_OK
