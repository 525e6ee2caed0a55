"""The repo's files read once: every YAML document with its place, plus the folder listing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from tuiops.gitops.yamldocs import YamlDocument, YamlFile, YamlProblem, load_documents

YAML_SUFFIXES = (".yaml", ".yml")
MAX_FILE_BYTES = 16 * 1024 * 1024
"""Files larger than this are not parsed (no real manifest comes near; corpus max is 467 KB)."""
SKIPPED_DIRS = frozenset({".git", ".github", ".gitea", ".forgejo", ".venv", "node_modules"})


@dataclass(frozen=True, slots=True)
class DocumentAt:
    """A parsed document and the file it lives in."""

    file: str
    document: YamlDocument

    @property
    def data(self) -> Any:
        return self.document.data

    @property
    def key(self) -> tuple[str, int]:
        """Identity of the document: (file, index)."""
        return (self.file, self.document.index)


@dataclass(slots=True)
class RepoTree:
    """Files of a repo, relative POSIX paths throughout."""

    root: Path
    yaml: dict[str, YamlFile] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    """Text of every YAML and dotenv file, for comment-level scans."""
    files_in_dir: dict[str, list[str]] = field(default_factory=dict)
    """Folder → the names of the files directly in it."""
    subdirs: dict[str, list[str]] = field(default_factory=dict)
    """Folder → the names of its sub-folders."""
    unreadable: dict[str, YamlProblem] = field(default_factory=dict)
    """Files that could not even be read as text (permissions, size)."""

    def is_dir(self, rel: str) -> bool:
        return rel in self.files_in_dir

    def is_file(self, rel: str) -> bool:
        parent = str(PurePosixPath(rel).parent) if "/" in rel else ""
        return PurePosixPath(rel).name in self.files_in_dir.get(parent, ())

    def documents(self, rel: str) -> tuple[YamlDocument, ...]:
        loaded = self.yaml.get(rel)
        return loaded.documents if loaded else ()

    def all_documents(self) -> Iterator[DocumentAt]:
        for rel, loaded in self.yaml.items():
            for document in loaded.documents:
                yield DocumentAt(rel, document)


def _read_text(path: Path) -> str:
    # newline=None turns CRLF into LF; undecodable bytes become U+FFFD instead of failing.
    with path.open(encoding="utf-8", errors="replace", newline=None) as handle:
        return handle.read()


def read_tree(root: Path) -> RepoTree:
    """Walk `root` and parse every YAML file; never raises for a bad file.

    Args:
        root: the repo's top folder.

    Returns:
        The tree; unreadable files are recorded in `unreadable` or as YAML problems.
    """
    tree = RepoTree(root)
    for current, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS)
        rel_dir = Path(current).relative_to(root).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir
        tree.subdirs[rel_dir] = list(dirnames)
        tree.files_in_dir[rel_dir] = sorted(filenames)
        for name in tree.files_in_dir[rel_dir]:
            if not (name.endswith(YAML_SUFFIXES) or name.endswith(".env")):
                continue
            rel = f"{rel_dir}/{name}" if rel_dir else name
            _load_file(tree, root / rel, rel)
    return tree


def _load_file(tree: RepoTree, path: Path, rel: str) -> None:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            tree.unreadable[rel] = YamlProblem(None, "file larger than 16 MiB, not read", False)
            return
        text = _read_text(path)
    except OSError as error:
        tree.unreadable[rel] = YamlProblem(None, f"cannot read: {error.strerror}", False)
        return
    tree.texts[rel] = text
    if rel.endswith(YAML_SUFFIXES):
        tree.yaml[rel] = load_documents(text)
