"""What a rotated key reaches, read from the repo: the Kustomizations whose manifests use it
(in dependsOn order), the GitRepository they read, the HelmReleases whose values use it, and the
Secrets, ConfigMaps and pod templates that hold it. Pure over the repo model (the rotation
service runs the steps, `services/rotation.py`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from tuiops.domain.decode import as_map, as_str, kind_of, name_of
from tuiops.domain.flux import FluxKustomization
from tuiops.domain.refs import ObjectRef
from tuiops.domain.repo import RepoModel
from tuiops.domain.rotation import WORKLOAD_KINDS, RotationTargets, ValueHolder
from tuiops.gitops.yamldocs import load_documents

DEFAULT_SOURCE = ObjectRef("GitRepository", "flux-system", "flux-system")


# -- what the keys reach, from the repo ------------------------------------------------------


def _ordered(kustomizations: dict[ObjectRef, FluxKustomization]) -> list[ObjectRef]:
    """Every Kustomization, dependencies first (listing order otherwise; a cycle is cut)."""
    order: list[ObjectRef] = []
    state: dict[ObjectRef, int] = {}

    def visit(ref: ObjectRef) -> None:
        if state.get(ref):
            return
        state[ref] = 1
        for dep in kustomizations[ref].depends_on:
            if dep in kustomizations:
                visit(dep)
        state[ref] = 2
        order.append(ref)

    for ref in kustomizations:
        visit(ref)
    return order


def _document_at(
    root: Path, file: str, line: int, cache: dict[str, list[tuple[int, int, object]]]
) -> object:
    if file not in cache:
        try:
            text = (root / file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = ""
        cache[file] = [(d.line, d.end_line, d.data) for d in load_documents(text).documents]
    return next((data for first, last, data in cache[file] if first <= line <= last), None)


def rotation_targets(
    model: RepoModel, root: Path, keys: Sequence[str], files: Sequence[Path] = ()
) -> RotationTargets:
    """The Kustomizations (dependencies first), HelmReleases, Secrets/ConfigMaps and workloads
    whose manifests use one of `keys` as `${KEY}`, plus the Kustomizations that apply one of
    `files` itself (a SOPS-encrypted Secret manifest)."""
    wanted = set(keys)
    kustomizations: dict[ObjectRef, FluxKustomization] = {}
    releases: dict[ObjectRef, list[tuple[ObjectRef, str]]] = {}
    affected: set[ObjectRef] = set()
    helm: dict[tuple[ObjectRef, ObjectRef], None] = {}
    holders: dict[ValueHolder, None] = {}
    templates: dict[tuple[ObjectRef, ObjectRef], None] = {}
    cache: dict[str, list[tuple[int, int, object]]] = {}
    relative = []
    for file in files:
        try:
            relative.append(Path(file).resolve().relative_to(root.resolve()).as_posix())
        except ValueError:
            continue
    for cluster in model.clusters:
        for component in cluster.all_components():
            for ks in component.kustomizations:
                kustomizations.setdefault(ks.ref, ks)
                for release in component.helm_releases:
                    releases.setdefault(ks.ref, []).append((release.ref, release.location.file))
                if any(ks.path and rel.startswith(ks.path.rstrip("/") + "/") for rel in relative):
                    affected.add(ks.ref)
        for variable in cluster.variables.variables:
            if variable.name not in wanted:
                continue
            for use in variable.uses:
                owner = use.consumer
                if owner is None:
                    continue  # talconfig: talhelper, not Flux
                affected.add(owner)
                for release_ref, release_file in releases.get(owner, []):
                    if release_file == use.location.file:
                        helm[(release_ref, owner)] = None
                data = as_map(_document_at(root, use.location.file, use.location.line, cache))
                kind = kind_of(data)
                namespace = as_str(as_map(data.get("metadata")).get("namespace"))
                owning = kustomizations.get(owner)
                namespace = namespace or (owning.target_namespace if owning is not None else "")
                if kind in ("Secret", "ConfigMap") and namespace:
                    holders[ValueHolder(kind, namespace, name_of(data), owner)] = None
                elif kind in WORKLOAD_KINDS and namespace:
                    templates[(ObjectRef(kind, namespace, name_of(data)), owner)] = None
    order = [ref for ref in _ordered(kustomizations) if ref in affected]
    sources = []
    for ref in order:
        source = kustomizations[ref].source or DEFAULT_SOURCE
        if source.kind == "GitRepository" and source not in sources:
            sources.append(source)
    if not sources:  # no Kustomization uses the key: the commit still lands in the repo's source
        sources.append(_repo_source(kustomizations.values()))
    return RotationTargets(
        kustomizations=tuple(order),
        sources=tuple(sources),
        helm_releases=tuple(helm),
        holders=tuple(holders),
        templates=tuple(templates),
    )


def _repo_source(kustomizations: Iterable[FluxKustomization]) -> ObjectRef:
    """The GitRepository most of the repo's Kustomizations read (`flux-system/cluster` in a
    clustertool repo); flux bootstrap's `flux-system/flux-system` when none names one."""
    named = Counter(
        ks.source for ks in kustomizations if ks.source and ks.source.kind == "GitRepository"
    )
    return named.most_common(1)[0][0] if named else DEFAULT_SOURCE
