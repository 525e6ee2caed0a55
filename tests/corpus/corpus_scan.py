"""Independent plain scan of a GitOps repo tree for Flux documents.

This module deliberately shares no code with ``tuiops``: it is the yardstick the corpus
acceptance tests measure the CLI against. It walks every ``*.yaml``/``*.yml`` file, parses
each document with a tolerant PyYAML loader and records Flux ``Kustomization`` and
``HelmRelease`` documents with their file, start line, namespace and ``dependsOn``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

CORPUS_SKIP = frozenset({"_manifests", "_summary.json", "README.md"})
YAML_SUFFIXES = (".yaml", ".yml")
KS_API_PREFIX = "kustomize.toolkit.fluxcd.io/"
HR_API_PREFIX = "helm.toolkit.fluxcd.io/"
KIND_KS = "Kustomization"
KIND_HR = "HelmRelease"
_DOC_SEPARATOR = re.compile(r"^---(?:[ \t].*)?$")


CORPUS_ENV = "TUIOPS_CORPUS"
"""Environment variable naming the real-repo corpus folder (it overrides the default)."""
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = PROJECT_ROOT.parent / "shared" / "corpus"
"""Where the corpus is looked for when ``TUIOPS_CORPUS`` is not set: beside the checkout."""
CORPUS_MISSING = (
    f"real-repo corpus not found: set {CORPUS_ENV} or put shared/corpus beside the checkout"
)


def corpus_from_env() -> Path | None:
    """The folder ``TUIOPS_CORPUS`` names (relative to the working directory), or None if unset."""
    value = os.environ.get(CORPUS_ENV, "").strip()
    return Path(value).expanduser().resolve() if value else None


def corpus_dir() -> Path:
    """The real-repo corpus: ``$TUIOPS_CORPUS`` when set, else ``DEFAULT_CORPUS`` (the
    ``shared/corpus`` folder beside the project root). The corpus is never part of the
    repository; the one lookup is shared by the corpus tests and the benchmark scripts.
    """
    return corpus_from_env() or DEFAULT_CORPUS


def corpus_repos(root: Path) -> list[Path]:
    """List the repo folders of the corpus (helper files and folders excluded)."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and p.name not in CORPUS_SKIP)


# --------------------------------------------------------------------------- loading


class TolerantLoader(yaml.SafeLoader):
    """SafeLoader that accepts the YAML quirks found in real GitOps repos.

    * unknown tags (``!env_var``) are constructed as the plain node value;
    * bare ``=`` scalars (``tag:yaml.org,2002:value``) become the string ``"="``;
    * an anchor may be redefined within one document (YAML 1.2 allows it).
    """

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        """Forget an anchor that is about to be redefined, then compose as usual."""
        if not self.check_event(AliasEvent):
            event: object = self.peek_event()  # type: ignore[no-untyped-call]
            anchor = getattr(event, "anchor", None)
            if anchor is not None and anchor in self.anchors:
                del self.anchors[anchor]
        return super().compose_node(parent, index)


def _construct_untagged(loader: TolerantLoader, node: Node) -> Any:
    """Build a node with an unknown tag as if it had no tag."""
    if isinstance(node, ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, SequenceNode):
        return loader.construct_sequence(node, deep=True)
    if isinstance(node, MappingNode):
        return loader.construct_mapping(node, deep=True)
    return None


def _construct_multi(loader: TolerantLoader, _suffix: str, node: Node) -> Any:
    """Multi-constructor adapter for :func:`_construct_untagged`."""
    return _construct_untagged(loader, node)


TolerantLoader.add_constructor("tag:yaml.org,2002:value", _construct_untagged)
TolerantLoader.add_constructor(None, _construct_untagged)
TolerantLoader.add_multi_constructor("!", _construct_multi)


def read_text(path: Path) -> str:
    """Read a file as UTF-8 (undecodable bytes replaced) without a leading BOM."""
    return path.read_bytes().decode("utf-8", errors="replace").removeprefix("\ufeff")


@dataclass(frozen=True)
class RawDoc:
    """One parsed YAML document and the 1-based line of its first node."""

    line: int
    data: Any


def _load_docs(text: str, line_offset: int = 0) -> list[RawDoc]:
    """Parse every document of ``text``; raise ``yaml.YAMLError`` on the first failure."""
    loader = TolerantLoader(text)
    docs: list[RawDoc] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            data = loader.construct_document(node)
            docs.append(RawDoc(node.start_mark.line + 1 + line_offset, data))
    finally:
        loader.dispose()
    return docs


def _split_documents(text: str) -> Iterator[tuple[int, str]]:
    """Split a stream at ``---`` lines; yield (0-based first line, chunk text)."""
    lines = text.splitlines(keepends=True)
    start = 0
    for number, line in enumerate(lines):
        if _DOC_SEPARATOR.match(line.rstrip("\r\n")):
            yield start, "".join(lines[start:number])
            start = number
    yield start, "".join(lines[start:])


def parse_documents(text: str) -> list[RawDoc]:
    """Parse a YAML stream tolerantly; documents that still fail are skipped."""
    try:
        return _load_docs(text)
    except yaml.YAMLError:
        pass
    docs: list[RawDoc] = []
    for offset, chunk in _split_documents(text):
        try:
            docs.extend(_load_docs(chunk, offset))
        except yaml.YAMLError:
            continue
    return docs


def plain_load_fails(path: Path) -> bool:
    """Tell whether strict ``yaml.safe_load_all`` rejects the file."""
    try:
        for _ in yaml.safe_load_all(read_text(path)):
            pass
    except yaml.YAMLError:
        return True
    return False


def yaml_files(repo: Path) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` file in the tree (``*.yaml.ct`` templates excluded)."""
    return sorted(p for p in repo.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())


# --------------------------------------------------------------------------- documents


@dataclass(frozen=True)
class DependsOn:
    """One ``spec.dependsOn`` entry; ``namespace`` is ``None`` when omitted."""

    name: str
    namespace: str | None


@dataclass(frozen=True)
class FluxDoc:
    """A Flux Kustomization or (chart-carrying) HelmRelease document."""

    kind: str
    name: str
    namespace: str | None
    file: str
    line: int
    depends_on: tuple[DependsOn, ...]
    spec_path: str | None

    @property
    def templated(self) -> bool:
        """True when the name is not a literal (``${VAR}`` or Go template)."""
        return "${" in self.name or "{{" in self.name

    @property
    def key(self) -> tuple[str, str, str]:
        """(kind, name, file): how a document is matched against the CLI output."""
        return (self.kind, self.name, self.file)


def _mapping(value: Any) -> dict[Any, Any]:
    """Return ``value`` if it is a mapping, else an empty dict."""
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    """Return ``value`` if it is a string, else ``None``."""
    return value if isinstance(value, str) else None


def flux_kind(data: Any) -> str | None:
    """Classify a document: ``Kustomization``/``HelmRelease`` for Flux objects, else None.

    HelmReleases without ``spec.chart`` and ``spec.chartRef`` are kustomize patch fragments
    and are not releases.
    """
    doc = _mapping(data)
    api, kind = _text(doc.get("apiVersion")) or "", doc.get("kind")
    if kind == KIND_KS and api.startswith(KS_API_PREFIX):
        return KIND_KS
    if kind == KIND_HR and api.startswith(HR_API_PREFIX):
        spec = _mapping(doc.get("spec"))
        if spec.get("chart") is not None or spec.get("chartRef") is not None:
            return KIND_HR
    return None


def _depends_on(spec: dict[Any, Any]) -> tuple[DependsOn, ...]:
    """Read ``spec.dependsOn`` entries that have a string name."""
    entries = spec.get("dependsOn")
    if not isinstance(entries, list):
        return ()
    result: list[DependsOn] = []
    for entry in entries:
        item = _mapping(entry)
        name = _text(item.get("name"))
        if name is not None:
            result.append(DependsOn(name, _text(item.get("namespace"))))
    return tuple(result)


def to_flux_doc(raw: RawDoc, rel_file: str) -> FluxDoc | None:
    """Build a :class:`FluxDoc` from a parsed document, or None if not Flux/not named."""
    kind = flux_kind(raw.data)
    if kind is None:
        return None
    doc = _mapping(raw.data)
    meta = _mapping(doc.get("metadata"))
    name = _text(meta.get("name"))
    if name is None:
        return None
    spec = _mapping(doc.get("spec"))
    return FluxDoc(
        kind=kind,
        name=name,
        namespace=_text(meta.get("namespace")),
        file=rel_file,
        line=raw.line,
        depends_on=_depends_on(spec),
        spec_path=_text(spec.get("path")),
    )


@dataclass(frozen=True)
class RepoScan:
    """Everything the independent scan found in one repo."""

    repo: Path
    docs: tuple[FluxDoc, ...]
    plain_failures: tuple[str, ...]

    def of_kind(self, kind: str) -> list[FluxDoc]:
        """Documents of one kind, templated names included."""
        return [d for d in self.docs if d.kind == kind]

    def plain(self) -> list[FluxDoc]:
        """Documents whose name is a literal (the ones the CLI must report)."""
        return [d for d in self.docs if not d.templated]

    def in_file(self, rel_file: str) -> list[FluxDoc]:
        """Documents defined in one file."""
        return [d for d in self.docs if d.file == rel_file]


def rel(repo: Path, path: Path) -> str:
    """POSIX path of ``path`` relative to ``repo``."""
    return path.relative_to(repo).as_posix()


def scan_repo(repo: Path) -> RepoScan:
    """Scan all YAML files of ``repo`` for Flux documents and strict-parse failures."""
    docs: list[FluxDoc] = []
    failures: list[str] = []
    for path in yaml_files(repo):
        rel_file = rel(repo, path)
        if plain_load_fails(path):
            failures.append(rel_file)
        for raw in parse_documents(read_text(path)):
            flux = to_flux_doc(raw, rel_file)
            if flux is not None:
                docs.append(flux)
    return RepoScan(repo, tuple(docs), tuple(failures))


@cache
def cached_scan(repo: Path) -> RepoScan:
    """:func:`scan_repo`, computed once per repo for the whole test session."""
    return scan_repo(repo)


def load_yaml_mapping(path: Path) -> dict[Any, Any]:
    """First document of a file as a mapping (empty when missing or unparsable)."""
    if not path.is_file():
        return {}
    docs = parse_documents(read_text(path))
    return _mapping(docs[0].data) if docs else {}
