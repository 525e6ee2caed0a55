"""Finding the repo a command works on."""

from __future__ import annotations

from pathlib import Path

from tuiops.errors import RepoLayoutError


def find_repo_root(start: Path) -> Path:
    """The git root at or above `start` (a `.git` folder, or a `.git` file for worktrees).

    Raises:
        RepoLayoutError: when `start` is not inside a git repository.
    """
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    raise RepoLayoutError(f"{start} is not inside a git repository; pass --repo DIR")


def check_repo_dir(path: Path) -> Path:
    """`path` resolved, if it is a readable folder.

    Raises:
        RepoLayoutError: when it is missing or not a folder.
    """
    if not path.exists():
        raise RepoLayoutError(f"--repo {path}: no such folder")
    if not path.is_dir():
        raise RepoLayoutError(f"--repo {path}: not a folder")
    return path.resolve()
