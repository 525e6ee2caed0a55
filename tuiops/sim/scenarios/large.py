"""The `large` scenario's bulk: synthetic Kustomizations and HelmReleases across ~50 tenant
namespaces on top of the example repo's own objects, for benchmarks.

Only status is written for the synthetic objects (no Helm Secrets, Events, HelmCharts or
log lines), so the scenario builds in well under a few seconds and loads fast. A small,
seeded share is failed, suspended or progressing so tables are not uniformly green.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tuiops.domain.refs import ObjectRef
from tuiops.sim.clock import rfc3339
from tuiops.sim.flux import status as flux_status
from tuiops.sim.scenarios.build import ScenarioBuilder
from tuiops.sim.scenarios.objects import flux_object

JsonObject = dict[str, Any]

TENANTS = 50


def _first(builder: ScenarioBuilder, kind: str, fallback: str) -> tuple[str, str]:
    """(namespace, name) of the first source of `kind`, preferring the name `fallback`."""
    found = [o["metadata"] for o in builder.objects.values() if o["kind"] == kind]
    chosen = next((m for m in found if m["name"] == fallback), found[0] if found else None)
    if chosen is None:
        return "flux-system", fallback
    return str(chosen["namespace"]), str(chosen["name"])


def add_synthetic(builder: ScenarioBuilder, helm_releases: int, kustomizations: int) -> None:
    """Add synthetic objects until the builder holds `helm_releases` HelmReleases and
    `kustomizations` Kustomizations in total."""
    have = {"HelmRelease": 0, "Kustomization": 0}
    for obj in builder.objects.values():
        if obj["kind"] in have:
            have[obj["kind"]] += 1
    git_ns, git_name = _first(builder, "GitRepository", "cluster")
    helm_ns, helm_name = _first(builder, "HelmRepository", "bjw-s")
    revision = builder.source_revision(
        {
            "spec": {"sourceRef": {"kind": "GitRepository", "name": git_name, "namespace": git_ns}},
            "metadata": {"namespace": git_ns},
        }
    )
    revision = revision or f"main@sha1:{builder.hex(40)}"
    owners: list[ObjectRef] = []
    for number in range(kustomizations - have["Kustomization"]):
        owners.append(_kustomization(builder, number, revision, (git_ns, git_name)))
    for number in range(helm_releases - have["HelmRelease"]):
        owner = owners[number % len(owners)] if owners else None
        _helm_release(builder, number, owner, (helm_ns, helm_name))


def _kustomization(
    builder: ScenarioBuilder, number: int, revision: str, source: tuple[str, str]
) -> ObjectRef:
    namespace = f"tenant-{number % TENANTS:02d}"
    name = f"app-{number:04d}"
    spec: JsonObject = {
        "interval": "10m",
        "path": f"./tenants/{namespace}/{name}",
        "prune": True,
        "sourceRef": {"kind": "GitRepository", "name": source[1], "namespace": source[0]},
        "wait": True,
    }
    if number % 10 == 9:
        spec["dependsOn"] = [{"name": f"app-{number - TENANTS:04d}"}] if number >= TENANTS else []
    doc = {
        "kind": "Kustomization",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }
    obj = builder.add(flux_object(doc, created=builder.born, owner=None, copy_spec=False))
    roll = builder.rng.random()
    moment = builder.ago(10, 600)
    digest = f"sha256:{builder.hex(64)}"
    if roll < 0.01:
        message = (
            f'Deployment/{namespace}/{name} dry-run failed: Deployment.apps "{name}" is '
            "invalid: spec.template.spec.containers[0].image: Required value\n"
        )
        flux_status.kustomization_failed(obj, moment, revision, message, digest=digest)
    else:
        flux_status.kustomization_applied(
            obj,
            moment,
            revision,
            digest=digest,
            inventory=[{"id": f"{namespace}_{name}_apps_Deployment", "v": "v1"}],
        )
        if roll < 0.02:
            obj["spec"]["suspend"] = True
            obj["metadata"]["generation"] += 1
        elif roll < 0.025:
            obj["metadata"]["generation"] += 1
            flux_status.mark_progressing(obj, builder.ago(1, 30))
    return ObjectRef("Kustomization", namespace, name)


def _helm_release(
    builder: ScenarioBuilder, number: int, owner: ObjectRef | None, source: tuple[str, str]
) -> None:
    namespace = f"tenant-{number % TENANTS:02d}"
    name = f"svc-{number:04d}"
    version = f"4.{number % 4}.{number % 3}"
    tag = f"1.{number % 17}.{number % 5}"
    spec: JsonObject = {
        "chart": {
            "spec": {
                "chart": "app-template",
                "version": version,
                "sourceRef": {"kind": "HelmRepository", "name": source[1], "namespace": source[0]},
            }
        },
        "interval": "30m",
        "maxHistory": 3,
        "upgrade": {"remediation": {"retries": 1}},
        "values": {
            "controllers": {
                "main": {
                    "containers": {
                        "main": {"image": {"repository": f"ghcr.io/example/{name}", "tag": tag}}
                    }
                }
            }
        },
    }
    doc = {"kind": "HelmRelease", "metadata": {"name": name, "namespace": namespace}, "spec": spec}
    obj = builder.add(flux_object(doc, created=builder.born, owner=owner, copy_spec=False))
    roll = builder.rng.random()
    installed = builder.ago(86400, 86400 * 60)
    entry = _light_entry(builder, name, namespace, version, tag, installed)
    flux_status.helm_succeeded(obj, installed, action="install", entry=entry, duration="4.2s")
    if roll < 0.01:
        newer = f"4.{number % 4 + 1}.0"
        obj["spec"]["chart"]["spec"]["version"] = newer
        obj["metadata"]["generation"] += 1
        failed = {**_light_entry(builder, name, namespace, newer, tag, installed), "version": 2}
        failed["status"] = "failed"
        flux_status.helm_failed(
            obj,
            installed + timedelta(days=1),
            action="upgrade",
            entry=failed,
            error="context deadline exceeded",
            duration="5m0.1s",
            retries=1,
        )
    elif roll < 0.02:
        obj["spec"]["suspend"] = True
        obj["metadata"]["generation"] += 1
    elif roll < 0.025:
        obj["metadata"]["generation"] += 1
        flux_status.helm_progressing(obj, builder.ago(1, 60), "upgrade", "5m0s")


def _light_entry(
    builder: ScenarioBuilder, name: str, namespace: str, version: str, app: str, at: datetime
) -> JsonObject:
    """A history entry without a stored release behind it (digests drawn, not computed)."""
    stamp = rfc3339(at)
    return {
        "appVersion": app,
        "chartName": "app-template",
        "chartVersion": version,
        "configDigest": f"sha256:{builder.hex(64)}",
        "digest": f"sha256:{builder.hex(64)}",
        "firstDeployed": stamp,
        "lastDeployed": stamp,
        "name": name,
        "namespace": namespace,
        "status": "deployed",
        "version": 1,
    }
