"""One pass over every document: Flux objects, sources and the objects variables come from."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from tuiops.domain.decode import (
    as_map,
    as_str,
    decode_source,
    is_chart_origin,
    is_flux_kustomization,
    is_helm_release,
    is_source,
    kind_of,
    name_of,
    namespace_of,
)
from tuiops.domain.flux import Source
from tuiops.domain.refs import ObjectRef, SourceLocation
from tuiops.gitops.kustomize import Kustomize
from tuiops.gitops.scope import ENCRYPTED_VALUE, ValuesObject
from tuiops.gitops.tree import DocumentAt, RepoTree


@dataclass(slots=True)
class RepoIndex:
    """Documents of interest, by kind."""

    kustomizations: list[DocumentAt] = field(default_factory=list)
    helm_releases: list[DocumentAt] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    chart_origins: list[DocumentAt] = field(default_factory=list)
    """OCIRepositories, HelmCharts, GitRepositories and Buckets: where charts come from."""
    values: dict[tuple[str, str], list[ValuesObject]] = field(
        default_factory=lambda: defaultdict(list)
    )
    """(kind, name) → every ConfigMap/Secret (written or generated) with that name."""
    our_source: tuple[str, str] | None = None
    """(kind, name) of the source that is this repo: the most used GitRepository."""

    def is_ours(self, source: ObjectRef | None) -> bool:
        return source is not None and (source.kind, source.name) == self.our_source


def _plain_values(data: Any) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    for key, value in as_map(data).items():
        text = as_str(value)
        values[str(key)] = None if ENCRYPTED_VALUE.match(text) else text
    return values


def _location(doc: DocumentAt) -> SourceLocation:
    return SourceLocation(doc.file, doc.document.line)


def parse_dotenv(text: str) -> dict[str, str | None]:
    """Keys of a dotenv file (SOPS dotenv included: its `sops_*` lines are metadata)."""
    values: dict[str, str | None] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        key = key.removeprefix("export ").strip()
        if key.startswith("sops_"):
            continue
        value = value.strip().strip("'\"")
        values[key] = None if ENCRYPTED_VALUE.match(value) else value
    return values


def build_index(tree: RepoTree, kustomize: Kustomize) -> RepoIndex:
    """Index every document of `tree` (generators included) in one pass."""
    index = RepoIndex()
    git_sources: Counter[tuple[str, str]] = Counter()
    for doc in tree.all_documents():
        data = doc.data
        if not isinstance(data, dict):
            continue
        if is_flux_kustomization(data):
            index.kustomizations.append(doc)
            source = as_map(as_map(data.get("spec")).get("sourceRef"))
            if as_str(source.get("kind"), "GitRepository") == "GitRepository":
                git_sources["GitRepository", as_str(source.get("name"))] += 1
        elif is_helm_release(data):
            index.helm_releases.append(doc)
        elif is_source(data) or is_chart_origin(data):
            if is_source(data):
                index.sources.append(decode_source(data, _location(doc), namespace_of(data)))
            if is_chart_origin(data):
                index.chart_origins.append(doc)
        elif kind_of(data) in ("ConfigMap", "Secret") and "/" not in as_str(data.get("apiVersion")):
            merged = {**_plain_values(data.get("data")), **_plain_values(data.get("stringData"))}
            ref = ObjectRef(kind_of(data), namespace_of(data), name_of(data))
            index.values[ref.kind, ref.name].append(
                ValuesObject(ref, _location(doc), merged, ref.kind.lower())
            )
    if git_sources:
        index.our_source = git_sources.most_common(1)[0][0]
    _index_generators(tree, kustomize, index)
    return index


def _index_generators(tree: RepoTree, kustomize: Kustomize, index: RepoIndex) -> None:
    for folder_path in list(tree.files_in_dir):
        if kustomize.kustomization_file(folder_path) is None:
            continue
        folder = kustomize.folder(folder_path)
        if folder is None or folder.file is None:
            continue
        for generator in folder.generators:
            values: dict[str, str | None] = dict.fromkeys((*generator.literals, *generator.files))
            for env_file in generator.env_files:
                values.update(parse_dotenv(tree.texts.get(env_file, "")))
            ref = ObjectRef(generator.kind, folder.namespace, generator.name)
            index.values[ref.kind, ref.name].append(
                ValuesObject(ref, SourceLocation(folder.file, 1), values, "dotenv")
            )
