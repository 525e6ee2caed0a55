"""Shared fixtures: where the test fixtures are, and a helper to write small repos."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES_ROOT = Path(__file__).resolve().parent / "fixtures"
"""SOPS vectors and keys, Flux objects and CRDs, talosctl outputs: copies kept in the repo so a
plain clone runs the suite (the real-repo corpus stays outside; see tests/corpus)."""

WriteRepo = Callable[[dict[str, str]], Path]


@pytest.fixture
def write_repo(tmp_path: Path) -> WriteRepo:
    """Write `{relative path: text}` into a fresh folder with a `.git` marker; returns it."""

    def write(files: dict[str, str]) -> Path:
        root = tmp_path / "repo"
        (root / ".git").mkdir(parents=True, exist_ok=True)
        for rel, text in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return root

    return write


@pytest.fixture(autouse=True, scope="session")
def _problem_log_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The console writes tracebacks of its own bugs to `$XDG_STATE_HOME/tuiops/`: in tests
    that is a temporary folder, never the developer's home."""
    import os

    os.environ["XDG_STATE_HOME"] = str(tmp_path_factory.mktemp("xdg-state"))
    # Nor does a developer's own ~/.config/tuiops/config.toml (read_only = true) change them.
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path_factory.mktemp("xdg-config"))
