"""Plain-text output of the command line: compact, aligned, greppable."""

from __future__ import annotations

from collections.abc import Iterable

from tuiops.domain.findings import Finding
from tuiops.domain.refs import ObjectRef
from tuiops.domain.repo import Cluster, Component, Layer, LayerState, RepoModel

_STATE_MARK = {
    LayerState.LISTED: "",
    LayerState.COMMENTED: "  (commented out)",
    LayerState.UNLISTED: "  (on disk only, not listed)",
}


def _component_lines(component: Component, indent: str) -> list[str]:
    lines = [f"{indent}{component.name:<32} {component.path}"]
    for ks in component.kustomizations:
        flags = " suspended" if ks.suspend else ""
        lines.append(f"{indent}  ks {ks.ref.namespaced_name}{flags}{_depends_on(ks.depends_on)}")
    for release in component.helm_releases:
        chart = f"{release.chart}@{release.version}" if release.version else release.chart
        needs = _depends_on(release.depends_on)
        lines.append(f"{indent}  hr {release.ref.namespaced_name}  {chart}{needs}")
    return lines


def _depends_on(refs: tuple[ObjectRef, ...]) -> str:
    return f"  dependsOn {', '.join(d.name for d in refs)}" if refs else ""


def _layer_notes(layer: Layer) -> list[str]:
    """Why a layer sits where it does, and whether Flux generates its kustomization."""
    notes = ["generated"] if layer.generated else []
    if layer.moved_after:
        notes.append(
            "moved " + "; ".join(f"after {m.after}: {m.reason}" for m in layer.moved_after)
        )
    if layer.cycle_with:
        notes.append(f"listed order kept: dependsOn cycle with {', '.join(layer.cycle_with)}")
    return notes


def status_text(model: RepoModel, clusters: Iterable[Cluster]) -> str:
    lines = [f"repo {model.root} ({model.layout.value})"]
    for cluster in clusters:
        lines.append(f"cluster {cluster.name}  layers from {cluster.layer_root or '-'}")
        for component in cluster.entrypoints:
            lines.extend(_component_lines(component, "  entry "))
        for number, layer in enumerate(cluster.layers, start=1):
            releases = sum(len(c.helm_releases) for c in layer.components)
            notes = "".join(f"  ({note})" for note in _layer_notes(layer))
            lines.append(
                f"  {number:>2}. {layer.name}  {len(layer.components)} components, "
                f"{releases} HelmReleases{_STATE_MARK[layer.state]}{notes}"
            )
            for component in layer.components:
                lines.extend(_component_lines(component, "      "))
        if cluster.orphans:
            lines.append(f"  orphans ({len(cluster.orphans)}): referenced by nothing")
            for component in cluster.orphans:
                lines.extend(_component_lines(component, "      "))
    counts = {
        s: sum(1 for f in model.findings if f.severity.value == s)
        for s in ("error", "warning", "info")
    }
    lines.append(
        "findings: " + ", ".join(f"{n} {s}" for s, n in counts.items()) + " (details: tuiops lint)"
    )
    return "\n".join(lines) + "\n"


def vars_text(clusters: Iterable[Cluster]) -> str:
    lines = []
    for cluster in clusters:
        report = cluster.variables
        lines.append(f"cluster {cluster.name}: {len(report.variables)} variables")
        for variable in report.variables:
            derived_only = all(d.origin == "derived" for d in variable.definitions)
            if not variable.uses and not variable.clustertool and derived_only:
                continue  # clustertool derives these for every IP key; only used ones matter
            origins = sorted({d.origin for d in variable.definitions}) or ["undefined"]
            users = sorted({u.consumer_label for u in variable.uses})
            if variable.clustertool:
                users.append("clustertool")
            shown = ", ".join(users[:4]) + (f" +{len(users) - 4}" if len(users) > 4 else "")
            lines.append(
                f"  {variable.name:<36} {'/'.join(origins):<22} "
                f"{len(variable.uses):>4} uses  {shown}"
            )
        if report.undefined:
            lines.append("  undefined:")
            lines.extend(
                f"    {u.name:<34} {u.location}  ({u.consumer_label})" for u in report.undefined
            )
        needed = [v for v in report.variables if v.clustertool]
        if needed:
            lines.append(f"  used by clustertool ({len(needed)}), never unused:")
            lines.extend(f"    {v.name:<34} {v.clustertool}" for v in needed)
        if report.unused:
            lines.append(f"  unused ({len(report.unused)}): {', '.join(report.unused)}")
    return "\n".join(lines) + "\n"


def findings_text(findings: Iterable[Finding]) -> str:
    lines = []
    for finding in findings:
        where = f"{finding.file}:{finding.line}" if finding.line else finding.file
        lines.append(f"{finding.severity.value:<7} {where}: {finding.message} [{finding.code}]")
    return "\n".join(lines) + "\n" if lines else "no findings\n"
