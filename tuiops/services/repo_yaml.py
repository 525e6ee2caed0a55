"""The YAML of one object as the repo writes it: the document at a `SourceLocation`, read from
its file. Offline, Detail's `y` shows this instead of the live object.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tuiops.domain.refs import SourceLocation
from tuiops.errors import RepoLayoutError
from tuiops.gitops.yamldocs import load_documents

MAX_BYTES = 8 << 20
"""A manifest file larger than this is not shown."""
TRAILING = frozenset({"", "---", "..."})
"""Lines dropped from the end of a document's text (the next document's separator)."""


@dataclass(frozen=True, slots=True)
class RepoYaml:
    """One document of a repo file."""

    location: SourceLocation
    """The file (relative to the repo root) and the line the document starts at."""
    text: str


def read_document(root: Path, location: SourceLocation) -> RepoYaml:
    """The text of the document that starts at (or holds) `location.line`.

    Args:
        root: The repo's root folder.
        location: Where the object came from (`AppRow.location`).

    Returns:
        The document's lines, from its first line to the line before the next document.

    Raises:
        RepoLayoutError: the file is outside the repo, unreadable, too large, or holds no
            document at that line (changed since the repo was read).
    """
    try:
        base = root.resolve()
        path = (base / location.file).resolve()
    except OSError as error:
        raise RepoLayoutError(f"{location.file}: {error.strerror or error}") from error
    if not path.is_relative_to(base):
        raise RepoLayoutError(f"{location.file}: outside the repo")
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise RepoLayoutError(f"{location.file}: {error.strerror or error}") from error
    if len(raw) > MAX_BYTES:
        raise RepoLayoutError(f"{location.file}: larger than {MAX_BYTES >> 20} MiB")
    text = raw.decode("utf-8", errors="replace")
    lines = text.removeprefix("\ufeff").splitlines()
    starts = sorted({document.line for document in load_documents(text).documents})
    before = [start for start in starts if start <= location.line]
    if not before or location.line > len(lines):
        raise RepoLayoutError(f"{location}: no document there (changed since it was read?)")
    start = before[-1]
    after = [line for line in starts if line > start]
    end = after[0] - 1 if after else len(lines)
    shown = lines[start - 1 : end]
    # A document ends at a marker in column 0 (in YAML even a block scalar ends there): what
    # follows it (the next document's comments) is not this object's.
    marker = next((i for i, line in enumerate(shown) if i and _is_marker(line)), len(shown))
    shown = shown[:marker]
    while shown and shown[-1].strip() in TRAILING:
        shown.pop()
    return RepoYaml(SourceLocation(location.file, start), "\n".join(shown))


def _is_marker(line: str) -> bool:
    """A document start (`---`) or end (`...`) marker line."""
    head = line[:3]
    return head in ("---", "...") and (len(line) == 3 or line[3] in " \t")
