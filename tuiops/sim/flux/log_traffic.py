"""Log traffic the tests and benchmarks make: a controller pod replaced as a rollout does, and a
flood of realistic controller lines (the messages of `docs` §3, zap's key order) pumped into
any container's log."""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta
from typing import Any

from tuiops.sim.apiserver.podlogs import LogRecord
from tuiops.sim.apiserver.resources import type_for_kind
from tuiops.sim.clock import rfc3339
from tuiops.sim.cluster import SimulatedCluster
from tuiops.sim.flux.pods import (
    FLUX_NAMESPACE,
    controller_pods,
    generated_suffix,
    pod_template_hash,
)
from tuiops.sim.flux.recorder import log_line, new_reconcile_id

JsonObject = dict[str, Any]

BATCH = 1000
"""Lines appended (and followers woken) at once by `pump_logs`."""


def replace_controller_pod(cluster: SimulatedCluster, controller: str) -> str:
    """A rollout of `controller`: a new pod (new name, empty log) starts, then the old one is
    deleted, so its followed log ends after its last line. From then on the simulated
    controller writes its lines to the new pod (`pods.current_pod`). Returns the new pod's
    name."""
    old = controller_pods(cluster.store, controller)[-1]
    old_name = str(old["metadata"]["name"])
    now = cluster.clock.now()
    fresh: JsonObject = {key: value for key, value in old.items() if key != "metadata"}
    labels = dict(old["metadata"].get("labels") or {})
    name = f"{controller}-{pod_template_hash(controller)}-" + generated_suffix(
        f"pod:{controller}:{old_name}:{now.isoformat()}", 5
    )
    fresh["metadata"] = {
        "name": name,
        "namespace": FLUX_NAMESPACE,
        "labels": labels,
        "creationTimestamp": rfc3339(now),
        "uid": f"{old['metadata'].get('uid', '')}-{name}",
    }
    status = dict(fresh.get("status") or {})
    status["startTime"] = rfc3339(now)
    fresh["status"] = status
    cluster.store.create(type_for_kind("Pod"), fresh)
    cluster.delete_pod(FLUX_NAMESPACE, old_name)
    return name


REVISION = "main@sha1:9b8a7c6d5e4f30211203948576a6b5c4d3e2f1a0"
APPS = ("podinfo", "cert-manager", "ingress-nginx", "longhorn", "kube-prometheus-stack")


def controller_line(number: int, moment: datetime, rng: random.Random) -> str:
    """Line `number` of a deterministic run of kustomize-, helm- and source-controller lines."""
    revision = REVISION
    app = APPS[number % len(APPS)]
    rid = new_reconcile_id(rng)
    step = number % 6
    if step == 0:
        return log_line(
            moment,
            "info",
            "server-side apply completed",
            ref=("Kustomization", "flux-system", app),
            reconcile_id=rid,
            extra={"output": {f"Deployment/{app}/{app}": "unchanged"}, "revision": revision},
        )
    elif step == 1:
        took = rng.uniform(0.05, 3.0)
        return log_line(
            moment,
            "info",
            f"Reconciliation finished in {took:.6f}s, next run in 10m0s",
            ref=("Kustomization", "flux-system", app),
            reconcile_id=rid,
            extra={"revision": revision},
        )
    elif step == 2:
        return log_line(
            moment,
            "info",
            "release in-sync with desired state",
            ref=("HelmRelease", app, app),
            reconcile_id=rid,
        )
    elif step == 3:
        return log_line(
            moment,
            "info",
            f"no changes since last reconcilation: observed revision '{revision}'",
            ref=("GitRepository", "flux-system", "flux-system"),
            reconcile_id=rid,
        )
    elif step == 4:
        return log_line(
            moment,
            "error",
            "Reconciliation failed after 312.446571ms, next try in 2m0s",
            ref=("Kustomization", "flux-system", f"{app}-configs"),
            reconcile_id=rid,
            extra={"revision": revision},
            error=f'ClusterIssuer/{app} dry-run failed: no matches for kind "ClusterIssuer"',
        )
    else:
        return log_line(
            moment,
            "info",
            f"HelmChart/flux-system/{app}-{app} with SourceRef"
            f" 'HelmRepository/flux-system/{app}' is in-sync",
            ref=("HelmRelease", app, app),
            reconcile_id=rid,
        )


def pump_logs(
    cluster: SimulatedCluster,
    namespace: str,
    pod: str,
    container: str,
    *,
    total: int,
    lines_per_second: float | None = None,
    seed: int = 0,
) -> int:
    """Append `total` controller lines to a container's log, in batches of `BATCH`, as fast as
    possible or paced at `lines_per_second`. Each line is stamped with the cluster's clock,
    strictly increasing. The log book keeps at least `total` lines afterwards, so a follower
    that lags never misses one. Returns the number of lines appended."""
    cluster.logs.keep_lines(max(2 * total, 50_000))
    rng = random.Random(seed)
    started = time.monotonic()
    last = cluster.clock.now()
    step = timedelta(microseconds=1)
    done = 0
    while done < total:
        count = min(BATCH, total - done)
        now = cluster.clock.now()
        records = []
        for number in range(done, done + count):
            last = max(now, last + step)
            records.append(LogRecord(last, controller_line(number, last, rng)))
        cluster.logs.extend(namespace, pod, container, records)
        done += count
        if lines_per_second:
            ahead = started + done / lines_per_second - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
    return done
