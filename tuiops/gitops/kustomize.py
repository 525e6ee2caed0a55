"""What `kustomize build` of a folder would include, as Flux's kustomize-controller runs it.

Only the parts that decide which documents end up in a build: `resources`, `components`,
`namespace`, generators (whose inputs are opaque files, never parsed as manifests), and Flux's
rule for a folder without a kustomization file (it generates one, see docs/real-repos.md §5).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tuiops.domain.decode import as_list, as_map, as_str
from tuiops.gitops.tree import YAML_SUFFIXES, DocumentAt, RepoTree
from tuiops.gitops.yamldocs import YamlDocument

KUSTOMIZATION_FILE_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
SUBSTITUTE_MARKER = "kustomize.toolkit.fluxcd.io/substitute"
_TOP_LEVEL_KEY = re.compile(r"^([A-Za-z][\w-]*)\s*:")
_COMMENTED_ITEM = re.compile(r"^\s*#\s*-\s+['\"]?([^\s'\"#]+)")
_ENTRY_SECTIONS = frozenset({"resources", "bases", "components", "crds"})
GENERATED_INDEX = -1
"""Document index of a generator input's stand-in (negative: no parsed document has it)."""


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
    inputs: tuple[str, ...] = ()
    """Repo-relative paths of the files read (`files` and `envs`), in that order."""
    substitution_disabled: bool = False
    """The generated object carries `kustomize.toolkit.fluxcd.io/substitute: disabled`."""


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
    is_component: bool = False
    """Its kustomization file is `kind: Component`: only ever built as part of another."""
    patch_files: tuple[str, ...] = ()
    """Files its `patches`, `patchesStrategicMerge` and `patchesJson6902` read."""


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
        self._with_components: dict[tuple[str, tuple[str, ...]], tuple[BuildItem, ...]] = {}

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
            is_component=as_str(spec.get("kind")) == "Component",
            patch_files=self._patch_files(path, spec),
        )

    def _patch_files(self, path: str, spec: Any) -> tuple[str, ...]:
        written = [as_str(as_map(p).get("path")) for p in as_list(spec.get("patches"))]
        written += [as_str(as_map(p).get("path")) for p in as_list(spec.get("patchesJson6902"))]
        written += [as_str(p) for p in as_list(spec.get("patchesStrategicMerge"))]
        found = (_join(path, w.strip()) for w in written if w.strip() and "\n" not in w)
        return tuple(f for f in found if self._tree.is_file(f))

    def _generators(self, path: str, spec: Any) -> tuple[Generator, ...]:
        generators = []
        for key, kind in (("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")):
            for raw in as_list(spec.get(key)):
                item = as_map(raw)
                files = [as_str(f) for f in as_list(item.get("files")) if as_str(f)]
                env_files = tuple(
                    _join(path, as_str(env))
                    for env in [*as_list(item.get("envs")), item.get("env")]
                    if as_str(env)
                )
                options = as_map(item.get("options"))
                marks = {**as_map(options.get("annotations")), **as_map(options.get("labels"))}
                generators.append(
                    Generator(
                        kind=kind,
                        name=as_str(item.get("name")),
                        literals=tuple(
                            as_str(lit).split("=", 1)[0] for lit in as_list(item.get("literals"))
                        ),
                        env_files=env_files,
                        files=tuple(
                            f.split("=", 1)[0] if "=" in f else posixpath.basename(f) for f in files
                        ),
                        inputs=(
                            *(_join(path, f.split("=", 1)[-1].strip()) for f in files),
                            *env_files,
                        ),
                        substitution_disabled=as_str(marks.get(SUBSTITUTE_MARKER)) == "disabled",
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
        """Every document `kustomize build path` would emit, plus stand-ins for the other text
        that reaches its output (see `_generated`)."""
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
        items.extend(self._generated(folder))
        if folder.namespace:
            items = [BuildItem(i.doc, folder.namespace) for i in items]
        result = tuple(items)
        self._builds[path] = result
        return result

    def _generated(self, folder: Folder) -> list[BuildItem]:
        """What lands in the build's output text besides the listed documents, as stand-in
        documents that span a whole file (Flux substitutes that text too): the kustomization
        file itself (generator names, inline patches), each patch file, and each generator
        input (marked like the generated object when substitution is disabled for it)."""
        items = []
        inputs: list[tuple[str, dict[str, Any]]] = [
            (f, {"kind": "Patch"}) for f in folder.patch_files
        ]
        if folder.file is not None:
            # Stand-ins, never the parsed document: a Flux object misfiled as a kustomization
            # file must not look like something the build applies.
            inputs.insert(0, (folder.file, {"kind": "KustomizationFile"}))
        for generator in folder.generators:
            metadata: dict[str, Any] = {"name": generator.name}
            if folder.substitution_disabled or generator.substitution_disabled:
                metadata["annotations"] = {SUBSTITUTE_MARKER: "disabled"}
            data = {"apiVersion": "v1", "kind": generator.kind, "metadata": metadata}
            inputs.extend((file, data) for file in generator.inputs)
        for number, (file, stand_in) in enumerate(inputs):
            text = self._tree.texts.get(file)
            if text is not None:
                end = max(1, text.count("\n") + (0 if text.endswith("\n") else 1))
                document = YamlDocument(GENERATED_INDEX - number, 1, end, stand_in)
                items.append(BuildItem(DocumentAt(file, document), ""))
        return items

    def build_with(self, path: str, components: tuple[str, ...]) -> tuple[BuildItem, ...]:
        """What Flux builds for a Kustomization with `spec.path` `path` and `spec.components`
        `components` (repo-relative folders): Flux adds them to the `components:` of the
        kustomization at `path`, so its `namespace:` applies to their objects too."""
        if not components:
            return self.build(path)
        key = (path, components)
        if key not in self._with_components:
            folder = self.folder(path)
            namespace = folder.namespace if folder is not None else ""
            items = list(self.build(path))
            for component in components:
                items.extend(
                    BuildItem(i.doc, namespace or i.namespace)
                    for i in self._build(component, frozenset({path}))
                )
            self._with_components[key] = tuple(items)
        return self._with_components[key]

    def listed_files(self, path: str, components: tuple[str, ...] = ()) -> frozenset[str]:
        """Every file a build of `path` (plus Flux `spec.components`) reads as manifests,
        parseable or not."""
        files = self._listed_files(path, frozenset())
        for component in components:
            files |= self._listed_files(component, frozenset({path}))
        return files

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

    def component_files(self, flux_components: Iterable[str] = ()) -> frozenset[str]:
        """Files that only components or patches bring in: every file a `kind: Component`
        folder, a `components:` entry or one of `flux_components` (Flux `spec.components`
        folders) builds, and every patch file. They are templates for whoever includes them,
        never applied alone."""
        roots = set(flux_components)
        patches: set[str] = set()
        for path in self._tree.files_in_dir:
            if self.kustomization_file(path) is None:
                continue
            folder = self.folder(path)
            if folder is None:
                continue
            if folder.is_component:
                roots.add(path)
            roots.update(entry.path for entry in folder.components if entry.is_dir)
            patches.update(folder.patch_files)
        files = patches
        for root in roots:
            files |= self.listed_files(root)
        return frozenset(files)

    def subfolders(self, path: str) -> list[str]:
        """Names of the folders directly inside `path`, sorted."""
        return sorted(self._tree.subdirs.get(path, ()))
