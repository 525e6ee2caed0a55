"""The JSON shapes of the command line (stable: people script against them)."""

from __future__ import annotations

from typing import Any

from tuiops.domain.charts import version_kind
from tuiops.domain.findings import Finding
from tuiops.domain.flux import FluxKustomization, HelmRelease, RenovateHint
from tuiops.domain.repo import Cluster, Component, RepoModel
from tuiops.domain.variables import Variable, VariableUse


def kustomization_json(ks: FluxKustomization, cluster: Cluster | None = None) -> dict[str, Any]:
    note = cluster.note(ks.ref) if cluster is not None else None
    return {
        "name": ks.ref.name,
        "nameRaw": note.name_raw if note is not None else ks.ref.name,
        "namespace": ks.ref.namespace,
        "path": ks.path,
        "components": list(note.components) if note is not None else [],
        "file": ks.location.file,
        "line": ks.location.line,
        "dependsOn": [d.namespaced_name for d in ks.depends_on],
        "suspend": ks.suspend,
        "interval": ks.interval,
        "wait": ks.wait,
        "prune": ks.prune,
        "sourceRef": str(ks.source) if ks.source else None,
        "substitute": dict(ks.substitute),
        "substituteFrom": [f"{v.kind}/{v.name}" for v in ks.substitute_from],
    }


def renovate_json(hint: RenovateHint) -> dict[str, Any]:
    return {
        "datasource": hint.datasource,
        "depName": hint.dep_name,
        "file": hint.location.file,
        "line": hint.location.line,
        "key": hint.key,
        "value": hint.value,
        "targetLine": hint.target_line,
        **dict(hint.extra),
    }


def helm_release_json(
    release: HelmRelease, model: RepoModel, cluster: Cluster | None = None
) -> dict[str, Any]:
    return {
        "name": release.ref.name,
        "nameRaw": cluster.name_raw(release.ref) if cluster is not None else release.ref.name,
        "namespace": release.ref.namespace,
        "chart": release.chart,
        "version": release.version,
        "versionKind": version_kind(release.version).value,
        "file": release.location.file,
        "line": release.location.line,
        "dependsOn": [d.namespaced_name for d in release.depends_on],
        "apiVersion": release.api_version,
        "sourceRef": str(release.chart_source) if release.chart_source else None,
        "installRetries": release.install_retries,
        "upgradeRetries": release.upgrade_retries,
        "renovate": renovate_json(hint) if (hint := model.renovate_for(release)) else None,
    }


def component_json(
    component: Component, model: RepoModel, cluster: Cluster | None = None
) -> dict[str, Any]:
    return {
        "name": component.name,
        "path": component.path,
        "file": component.file,
        "kustomizations": [kustomization_json(k, cluster) for k in component.kustomizations],
        "helmReleases": [helm_release_json(h, model, cluster) for h in component.helm_releases],
    }


def finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "severity": finding.severity.value,
        "code": finding.code,
        "file": finding.file,
        "line": finding.line,
        "message": finding.message,
    }


def cluster_json(cluster: Cluster, model: RepoModel) -> dict[str, Any]:
    return {
        "name": cluster.name,
        "layerRoot": cluster.layer_root,
        "entrypoints": [component_json(c, model, cluster) for c in cluster.entrypoints],
        "layers": [
            {
                "name": layer.name,
                "path": layer.path,
                "state": layer.state.value,
                "exists": layer.exists,
                "generated": layer.generated,
                "movedAfter": [{"after": m.after, "reason": m.reason} for m in layer.moved_after],
                "cycleWith": list(layer.cycle_with),
                "components": [component_json(c, model, cluster) for c in layer.components],
            }
            for layer in cluster.layers
        ],
        "orphans": [component_json(c, model, cluster) for c in cluster.orphans],
    }


def status_json(model: RepoModel, clusters: tuple[Cluster, ...]) -> dict[str, Any]:
    return {
        "repo": model.root,
        "layout": model.layout.value,
        "clusters": [cluster_json(c, model) for c in clusters],
        "sources": [
            {
                "kind": s.ref.kind,
                "name": s.ref.name,
                "namespace": s.ref.namespace,
                "apiVersion": s.api_version,
                "url": s.url,
                "type": s.type,
                "ref": s.reference,
                "file": s.location.file,
                "line": s.location.line,
            }
            for s in model.sources
        ],
        "renovate": [renovate_json(h) for h in model.renovate],
        "findings": [finding_json(f) for f in model.findings],
    }


def use_json(use: VariableUse) -> dict[str, Any]:
    return {
        "file": use.location.file,
        "line": use.location.line,
        "object": use.consumer_label,
        "hasDefault": use.has_default,
    }


def variable_json(variable: Variable) -> dict[str, Any]:
    return {
        "name": variable.name,
        "definedIn": [
            {
                "origin": d.origin,
                "file": d.location.file,
                "line": d.location.line,
                "object": str(d.object) if d.object else None,
                "encrypted": d.encrypted,
            }
            for d in variable.definitions
        ],
        "usedBy": [use_json(u) for u in variable.uses],
        "usedByClustertool": variable.clustertool or None,
    }


def vars_json(cluster: Cluster) -> dict[str, Any]:
    report = cluster.variables
    return {
        "cluster": cluster.name,
        "variables": [variable_json(v) for v in report.variables],
        "undefined": [{"name": u.name, **use_json(u)} for u in report.undefined],
        "unused": list(report.unused),
        "clustertool": list(report.clustertool),
    }
