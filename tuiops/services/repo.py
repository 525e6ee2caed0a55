"""The repo model for the console (the UI never calls `gitops` directly)."""

from __future__ import annotations

from pathlib import Path

from tuiops.domain.repo import RepoModel
from tuiops.gitops.loader import load_repo


def read_repo(root: Path) -> RepoModel:
    """The offline model of the GitOps repo at `root` (never raises for bad content)."""
    return load_repo(root)
