"""What `kustomize build` of a folder would include, as Flux's kustomize-controller runs it.

Only the parts that decide which documents end up in a build: `resources`, `components`,
`namespace`, generators (whose inputs are opaque files, never parsed as manifests), and Flux's
rule for a folder without a kustomization file (it generates one, see corpus-facts §7).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Any

from tuiops.domain.decode import as_list, as_map, as_str
from tuiops.gitops.tree import YAML_SUFFIXES, DocumentAt, RepoTree

KUSTOMIZATION_FILE_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
SUBSTITUTE_MARKER = "kustomize.toolkit.fluxcd.io/substitute"
_TOP_LEVEL_KEY = re.compile(r"^([A-Za-z][\w-]*)\s*:")
_COMMENTED_ITEM = re.compile(r"^\s*#\s*-\s+['\"]?([^\s'\"#]+)")
_ENTRY_SECTIONS = frozenset({"resources", "bases", "components", "crds"})


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of a kustomization's `resources` (or `components`)."""

    written: str
    """As written in the file."""
    path: str
    """Resolved repo-relative path."""
    is_dir: bool
    exists: bool


@dataclass(frozen=True, slots=True)
class Generator:
    """A `configMapGenerator` or `secretGenerator` entry: an object made from files."""

    kind: str
    name: str
    literals: tuple[str, ...]
    """Keys given as `literals`."""
    env_files: tuple[str, ...]
    """Repo-relative dotenv files whose keys become the object's keys."""
    files: tuple[str, ...]
    """Keys given by `files` (the file name or the `key=` part)."""


@dataclass(frozen=True, slots=True)
class Folder:
    """A folder as kustomize sees it."""

    path: str
    file: str | None
    """Its kustomization file; None when Flux generates one."""
    resources: tuple[Entry, ...]
    components: tuple[Entry, ...]
    commented: tuple[str, ...]
    """Entries commented out of `resources` (`# - name`), as written."""
    namespace: str
    generators: tuple[Generator, ...]
    substitution_disabled: bool
    """Generated objects carry `kustomize.toolkit.fluxcd.io/substitute: disabled`."""


@dataclass(frozen=True, slots=True)
class BuildItem:
    """A document that a build emits, with the namespace kustomize gives it."""

    doc: DocumentAt
    namespace: str
    """The outermost `namespace:` transform on the way in; empty if none."""


def _join(base: str, written: str) -> str:
    joined = (
        posixpath.normpath(posixpath.join(base, written)) if base else posixpath.normpath(written)
    )
    return "" if joined == "." else joined


def _commented_entries(text: str) -> tuple[str, ...]:
    section = ""
    found = []
    for line in text.splitlines():
        top = _TOP_LEVEL_KEY.match(line)
        if top:
            section = top.group(1)
            continue
        commented = _COMMENTED_ITEM.match(line)
        if commented and section in _ENTRY_SECTIONS:
            found.append(commented.group(1))
    return tuple(found)


class Kustomize:
    """Folder and build lookups over one repo tree, memoised."""

    def __init__(self, tree: RepoTree) -> None:
        self._tree = tree
        self._folders: dict[str, Folder | None] = {}
        self._builds: dict[str, tuple[BuildItem, ...]] = {}

    def kustomization_file(self, folder: str) -> str | None:
        names = self._tree.files_in_dir.get(folder, ())
        for candidate in KUSTOMIZATION_FILE_NAMES:
            if candidate in names:
                return f"{folder}/{candidate}" if folder else candidate
        return None

    def folder(self, path: str) -> Folder | None:
        """The folder at `path`, or None if the repo has no such folder."""
        if path not in self._folders:
            self._folders[path] = self._read_folder(path) if self._tree.is_dir(path) else None
        return self._folders[path]

    def _entry(self, base: str, written: str) -> Entry | None:
        if "://" in written or written.startswith(("github.com/", "git@")):
            return None  # remote bases are outside the repo
        path = _join(base, written)
        is_dir = self._tree.is_dir(path)
        return Entry(written, path, is_dir, is_dir or self._tree.is_file(path))

    def _read_folder(self, path: str) -> Folder:
        file = self.kustomization_file(path)
        if file is None:
            return Folder(path, None, self._generated_entries(path), (), (), "", (), False)
        documents = self._tree.documents(file)
        spec: Any = documents[0].data if documents else {}
        spec = as_map(spec)

        def entries(*keys: str) -> tuple[Entry, ...]:
            found = []
            for key in keys:
                for written in as_list(spec.get(key)):
                    entry = self._entry(path, as_str(written).strip())
                    if entry is not None and entry.written:
                        found.append(entry)
            return tuple(found)

        options = as_map(spec.get("generatorOptions"))
        marks = {**as_map(options.get("annotations")), **as_map(options.get("labels"))}
        return Folder(
            path=path,
            file=file,
            resources=entries("resources", "bases", "crds"),
            components=entries("components"),
            commented=_commented_entries(self._tree.texts.get(file, "")),
            namespace=as_str(spec.get("namespace")),
            generators=self._generators(path, spec),
            substitution_disabled=as_str(marks.get(SUBSTITUTE_MARKER)) == "disabled",
        )

    def _generators(self, path: str, spec: Any) -> tuple[Generator, ...]:
        generators = []
        for key, kind in (("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")):
            for raw in as_list(spec.get(key)):
                item = as_map(raw)
                generators.append(
                    Generator(
                        kind=kind,
                        name=as_str(item.get("name")),
                        literals=tuple(
                            as_str(lit).split("=", 1)[0] for lit in as_list(item.get("literals"))
                        ),
                        env_files=tuple(
                            _join(path, as_str(env))
                            for env in [*as_list(item.get("envs")), item.get("env")]
                            if as_str(env)
                        ),
                        files=tuple(
                            as_str(f).split("=", 1)[0]
                            if "=" in as_str(f)
                            else posixpath.basename(as_str(f))
                            for f in as_list(item.get("files"))
                        ),
                    )
                )
        return tuple(generators)

    def _generated_entries(self, path: str) -> tuple[Entry, ...]:
        """Flux's generated kustomization: sub-folders with a kustomization file become one
        resource each; other sub-folders are walked; every YAML file is a resource."""
        entries = []
        for name in self._tree.files_in_dir.get(path, ()):
            if name.endswith(YAML_SUFFIXES):
                rel = _join(path, name)
                entries.append(Entry(name, rel, False, True))
        for name in self._tree.subdirs.get(path, ()):
            rel = _join(path, name)
            if self.kustomization_file(rel) is not None:
                entries.append(Entry(name, rel, True, True))
            else:
                entries.extend(
                    Entry(f"{name}/{e.written}", e.path, e.is_dir, e.exists)
                    for e in self._generated_entries(rel)
                )
        return tuple(entries)

    def build(self, path: str) -> tuple[BuildItem, ...]:
        """Every document `kustomize build path` would emit (generated objects aside)."""
        return self._build(path, frozenset())

    def _build(self, path: str, visiting: frozenset[str]) -> tuple[BuildItem, ...]:
        if path in self._builds:
            return self._builds[path]
        folder = self.folder(path)
        if folder is None or path in visiting:
            return ()
        inner = visiting | {path}
        items: list[BuildItem] = []
        for entry in (*folder.resources, *folder.components):
            if entry.is_dir:
                items.extend(self._build(entry.path, inner))
            elif entry.exists:
                items.extend(
                    BuildItem(DocumentAt(entry.path, d), "")
                    for d in self._tree.documents(entry.path)
                    if isinstance(d.data, dict)
                )
        if folder.namespace:
            items = [BuildItem(i.doc, folder.namespace) for i in items]
        result = tuple(items)
        self._builds[path] = result
        return result

    def listed_files(self, path: str) -> frozenset[str]:
        """Every file a build of `path` reads as manifests, parseable or not."""
        return self._listed_files(path, frozenset())

    def _listed_files(self, path: str, visiting: frozenset[str]) -> frozenset[str]:
        folder = self.folder(path)
        if folder is None or path in visiting:
            return frozenset()
        files: set[str] = set()
        for entry in (*folder.resources, *folder.components):
            if entry.is_dir:
                files |= self._listed_files(entry.path, visiting | {path})
            elif entry.exists:
                files.add(entry.path)
        return frozenset(files)

    def subfolders(self, path: str) -> list[str]:
        """Names of the folders directly inside `path`, sorted."""
        return sorted(self._tree.subdirs.get(path, ()))
