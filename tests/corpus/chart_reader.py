"""An independent reading of a GitOps repo for the chart and component acceptance tests.

It shares no code with ``tuiops``: documents come from :mod:`corpus_scan`'s tolerant PyYAML
loader, and the rules below are written from the Flux API (source-controller and
helm-controller docs), not from the product:

* ``spec.chart.spec`` names the chart and its version directly. A chart from a GitRepository
  or Bucket is a folder: its name is the folder's last segment and its version is the Git
  reference it is read at (``tag:v1.2.3``); ``spec.chart.spec.version`` is ignored there.
* ``spec.chartRef`` names an OCIRepository (the chart is the URL's last path segment; the
  version is ``ref.digest`` shortened to 8 hex after ``ref.tag`` when both are given, else
  ``ref.semver``, else ``ref.tag``) or a HelmChart (its ``spec.chart``/``spec.version``).
* A source is matched by kind and name; when several documents share them, the one whose
  folder is closest to the release wins (real repos put it beside the release).
* Flux ``spec.components`` are folders relative to the Kustomization's ``spec.path``;
  kustomize ``components:`` and ``resources:`` are relative to their kustomization file.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from tests.corpus.corpus_scan import parse_documents, read_text, yaml_files

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
SUBSTITUTE_DISABLED = "kustomize.toolkit.fluxcd.io/substitute: disabled"
DIGEST_SHOWN = 8
_VAR = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?=[}:=\-])")


@dataclass(frozen=True)
class Doc:
    """One parsed document with its repo-relative file and first line."""

    file: str
    line: int
    data: dict[str, Any]


@dataclass(frozen=True)
class ExpectedChart:
    """What a chart-carrying HelmRelease document asks for."""

    file: str
    line: int
    name: str
    """``metadata.name`` as written."""
    chart: str
    version: str
    how: str
    """``HelmRepository``, ``GitRepository``, ``Bucket``, ``OCIRepository`` or ``HelmChart``."""
    source_found: bool
    """For the forms that need the source object: whether the repo has it."""


@dataclass(frozen=True)
class FluxComponents:
    """A Flux Kustomization: its ``spec.path``, the folders its ``spec.components`` resolve to
    and whether Flux substitutes its build."""

    file: str
    line: int
    name: str
    path: str
    folders: tuple[str, ...]
    substitutes: bool


def _map(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, str | int | float) else ""


def _api_group(data: dict[str, Any]) -> str:
    return _str(data.get("apiVersion")).split("/", 1)[0]


@cache
def documents(repo: Path) -> tuple[Doc, ...]:
    """Every mapping document of every YAML file of ``repo``."""
    found = []
    for path in yaml_files(repo):
        rel = path.relative_to(repo).as_posix()
        for raw in parse_documents(read_text(path)):
            if isinstance(raw.data, dict):
                found.append(Doc(rel, raw.line, raw.data))
    return tuple(found)


def _sources(repo: Path) -> dict[tuple[str, str], list[Doc]]:
    found: dict[tuple[str, str], list[Doc]] = defaultdict(list)
    for doc in documents(repo):
        if _api_group(doc.data) == "source.toolkit.fluxcd.io":
            name = _str(_map(doc.data.get("metadata")).get("name"))
            found[_str(doc.data.get("kind")), name].append(doc)
    return found


def _closest(candidates: list[Doc], file: str) -> Doc | None:
    """The candidate whose folder shares the longest path prefix with ``file``."""
    if not candidates:
        return None
    folder = posixpath.dirname(file).split("/")

    def shared(doc: Doc) -> int:
        other = posixpath.dirname(doc.file).split("/")
        count = 0
        for mine, theirs in zip(folder, other, strict=False):
            if mine != theirs:
                break
            count += 1
        return count

    return max(candidates, key=shared)


def _oci(spec: dict[str, Any]) -> tuple[str, str]:
    url = _str(spec.get("url")).rstrip("/")
    last = url.rsplit("/", 1)[-1] if "://" in url and "/" in url.split("://", 1)[1] else ""
    chart = re.split(r"[@:]", last, maxsplit=1)[0]
    ref = _map(spec.get("ref"))
    tag, semver, digest = (_str(ref.get(k)).strip() for k in ("tag", "semver", "digest"))
    if digest:
        algorithm, _, hex_part = digest.partition(":")
        short = f"{algorithm}:{hex_part[:DIGEST_SHOWN]}"
        return chart, f"{tag}@{short}" if tag else short
    return chart, semver or tag


def _git_ref(spec: dict[str, Any]) -> str:
    ref = _map(spec.get("ref"))
    if _str(ref.get("commit")):
        return "commit:" + _str(ref.get("commit"))[:7]
    for key in ("name", "semver", "tag", "branch"):
        if _str(ref.get(key)):
            return f"{key}:{_str(ref.get(key))}"
    return ""


def _is_release(data: dict[str, Any]) -> bool:
    if data.get("kind") != "HelmRelease" or _api_group(data) != "helm.toolkit.fluxcd.io":
        return False
    spec = _map(data.get("spec"))
    return spec.get("chart") is not None or spec.get("chartRef") is not None


def expected_charts(repo: Path) -> list[ExpectedChart]:
    """Chart and version of every chart-carrying HelmRelease document of ``repo``."""
    sources = _sources(repo)
    found = []
    for doc in documents(repo):
        if not _is_release(doc.data):
            continue
        spec = _map(doc.data.get("spec"))
        name = _str(_map(doc.data.get("metadata")).get("name"))
        chart_ref = _map(spec.get("chartRef"))
        if chart_ref:
            kind = _str(chart_ref.get("kind")) or "OCIRepository"
            source = _closest(sources.get((kind, _str(chart_ref.get("name"))), []), doc.file)
            chart, version = _str(chart_ref.get("name")), ""
            if source is not None and kind == "OCIRepository":
                chart, version = _oci(_map(source.data.get("spec")))
            elif source is not None and kind == "HelmChart":
                source_spec = _map(source.data.get("spec"))
                chart, version = _str(source_spec.get("chart")), _str(source_spec.get("version"))
            found.append(
                ExpectedChart(doc.file, doc.line, name, chart, version, kind, source is not None)
            )
            continue
        chart_spec = _map(_map(spec.get("chart")).get("spec"))
        source_ref = _map(chart_spec.get("sourceRef"))
        kind = _str(source_ref.get("kind")) or "HelmRepository"
        chart, version = _str(chart_spec.get("chart")), _str(chart_spec.get("version"))
        present = True
        if kind in ("GitRepository", "Bucket"):
            chart = chart.rstrip("/").rsplit("/", 1)[-1]
            source = _closest(sources.get((kind, _str(source_ref.get("name"))), []), doc.file)
            present = source is not None
            version = _git_ref(_map(source.data.get("spec"))) if source and kind != "Bucket" else ""
        found.append(ExpectedChart(doc.file, doc.line, name, chart, version, kind, present))
    return found


# --------------------------------------------------------------------------- components


def _kustomization(repo: Path, folder: str) -> dict[str, Any] | None:
    for name in KUSTOMIZATION_NAMES:
        path = repo / folder / name
        if path.is_file():
            docs = parse_documents(read_text(path))
            return _map(docs[0].data) if docs else {}
    return None


def _join(folder: str, written: str) -> str:
    return posixpath.normpath(posixpath.join(folder, written))


def build_files(repo: Path, folder: str, components: tuple[str, ...] = ()) -> dict[str, bool]:
    """The YAML files ``kustomize build folder`` reads as manifests (``resources``: files, and
    folders recursively; ``components``, recursively), plus those of the Flux
    ``components``; each with whether it came in through a component."""
    files: dict[str, bool] = {}
    todo = [(folder, False), *((c, True) for c in components)]
    seen: set[tuple[str, bool]] = set()
    while todo:
        current, via_component = todo.pop()
        if (current, via_component) in seen:
            continue
        seen.add((current, via_component))
        spec = _kustomization(repo, current)
        if spec is None:
            continue
        for key in ("resources", "components"):
            entries = spec.get(key)
            inner = via_component or key == "components"
            for entry in entries if isinstance(entries, list) else []:
                path = _join(current, _str(entry).strip())
                if (repo / path).is_dir():
                    todo.append((path, inner))
                elif (repo / path).is_file():
                    files[path] = files.get(path, False) or inner
    return files


def resource_files(repo: Path, folder: str) -> set[str]:
    """The files ``kustomize build folder`` reads as manifests."""
    return set(build_files(repo, folder))


def _injects_post_build(data: dict[str, Any]) -> bool:
    """A Flux Kustomization whose ``spec.patches`` give its child Kustomizations a
    ``postBuild`` (how clustertool's flux-entry and home-ops' cluster-apps reach them)."""
    patches = _map(data.get("spec")).get("patches")
    for patch in patches if isinstance(patches, list) else []:
        target = _map(_map(patch).get("target"))
        if _str(target.get("kind")) in ("", "Kustomization") and "postBuild:" in _str(
            _map(patch).get("patch")
        ):
            return True
    return False


def flux_kustomizations(repo: Path) -> list[FluxComponents]:
    """Every Flux Kustomization with its path, its ``spec.components`` and whether Flux
    substitutes its build: its own ``postBuild``, or one a patch of the repo's injects
    (unless it opts out with ``substitution.flux.home.arpa/disabled: "true"``)."""
    flux = [
        doc
        for doc in documents(repo)
        if doc.data.get("kind") == "Kustomization"
        and _api_group(doc.data) == "kustomize.toolkit.fluxcd.io"
    ]
    injectors = {(d.file, d.line) for d in flux if _injects_post_build(d.data)}
    found = []
    for doc in flux:
        spec = _map(doc.data.get("spec"))
        metadata = _map(doc.data.get("metadata"))
        written = spec.get("components")
        path = _str(spec.get("path")).strip().removeprefix("./").rstrip("/")
        folders = tuple(
            _join(path, _str(c).strip())
            for c in (written if isinstance(written, list) else [])
            if _str(c).strip()
        )
        opted_out = _str(_map(metadata.get("labels")).get("substitution.flux.home.arpa/disabled"))
        injected = bool(injectors) and (doc.file, doc.line) not in injectors
        substitutes = spec.get("postBuild") is not None or (injected and opted_out != "true")
        name = _str(metadata.get("name"))
        found.append(FluxComponents(doc.file, doc.line, name, path, folders, substitutes))
    return found


def flux_components(repo: Path) -> list[FluxComponents]:
    """Every Flux Kustomization that lists ``spec.components``."""
    return [ks for ks in flux_kustomizations(repo) if ks.folders]


def component_folders(repo: Path) -> set[str]:
    """Folders that are components: ``kind: Component`` kustomizations, and every folder a
    ``components`` list (kustomize or Flux) names."""
    folders: set[str] = set()
    for path in repo.rglob("*"):
        if path.name not in KUSTOMIZATION_NAMES or not path.is_file():
            continue
        folder = path.parent.relative_to(repo).as_posix()
        spec = _kustomization(repo, folder) or {}
        if spec.get("kind") == "Component":
            folders.add(folder)
        entries = spec.get("components")
        for entry in entries if isinstance(entries, list) else []:
            folders.add(_join(folder, _str(entry).strip()))
    for uses in flux_components(repo):
        folders.update(uses.folders)
    return folders


def component_files(repo: Path) -> set[str]:
    """Every file some component brings in."""
    files: set[str] = set()
    for folder in component_folders(repo):
        files |= resource_files(repo, folder)
    return files


def variable_refs(repo: Path, file: str) -> list[tuple[int, str]]:
    """(line, name) of the ``${NAME}`` references Flux would substitute in ``file``: outside
    comment lines and trailing comments, not escaped; none in a file that switches
    substitution off."""
    text = read_text(repo / file)
    if SUBSTITUTE_DISABLED in text:
        return []
    found: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        code = re.split(r"\s#", line, maxsplit=1)[0]
        found.extend((number, match.group(1)) for match in _VAR.finditer(code))
    return found
