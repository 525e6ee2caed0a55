"""Fields of Flux objects that both the controllers and the scenario builders read: an
object's `Kind/namespace/name` key, a HelmRelease's chart name and HelmChart name, and the
event annotations helm-controller puts on a release's Events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def object_key(obj: Mapping[str, Any]) -> str:
    """`Kind/namespace/name` of an API object."""
    meta = obj.get("metadata", {})
    return f"{obj.get('kind')}/{meta.get('namespace', '')}/{meta.get('name', '')}"


def helm_chart_name(release: Mapping[str, Any]) -> tuple[str, str] | None:
    """(namespace, name) of the HelmChart helm-controller makes for a `spec.chart` release."""
    chart_spec = (release.get("spec", {}).get("chart") or {}).get("spec")
    if not isinstance(chart_spec, dict):
        return None
    meta = release["metadata"]
    source_ns = (chart_spec.get("sourceRef") or {}).get("namespace") or meta["namespace"]
    return str(source_ns), f"{meta['namespace']}-{meta['name']}"


def chart_name_of(release: Mapping[str, Any]) -> str:
    """`chart.spec.chart`, or the referenced OCIRepository's name for `chartRef`."""
    spec = release.get("spec", {})
    chart_spec = (spec.get("chart") or {}).get("spec")
    if isinstance(chart_spec, dict):
        return str(chart_spec.get("chart", ""))
    return str((spec.get("chartRef") or {}).get("name", ""))


def release_annotations(entry: Mapping[str, Any]) -> dict[str, str]:
    """helm-controller's event metadata for a release (revision, token, app version)."""
    annotations = {
        "helm.toolkit.fluxcd.io/revision": str(entry.get("chartVersion", "")),
        "helm.toolkit.fluxcd.io/token": str(entry.get("configDigest", "")),
        "helm.toolkit.fluxcd.io/app-version": str(entry.get("appVersion", "")),
    }
    if entry.get("ociDigest"):
        annotations["helm.toolkit.fluxcd.io/oci-digest"] = str(entry["ociDigest"])
    return annotations
