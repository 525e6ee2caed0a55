"""The bundled example GitOps repo (clustertool layout, fictional homelab, fake secrets)."""

from __future__ import annotations

from pathlib import Path

EXAMPLE_REPO = Path(__file__).resolve().parent / "data" / "example-repo"
"""Read-only package data; the demo works on a temporary copy."""

DEMO_KEY_FILE = Path(__file__).resolve().parent / "data" / "demo-only.agekey"
"""DEMO ONLY age identity that decrypts the example repo; it protects nothing real."""


def copy_example(target: Path) -> Path:
    """A writable copy of the example repo at `target`, with its demo key as `age.agekey`
    (where clustertool repos keep theirs), so `env` commands work on it as on a real repo.

    Raises:
        UsageError: `target` exists and is not an empty folder.
    """
    import shutil

    from tuiops.errors import UsageError

    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"{target} exists and is not empty; name a new folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(EXAMPLE_REPO, target, dirs_exist_ok=True)
    shutil.copy(DEMO_KEY_FILE, target / "age.agekey")
    return target


def is_example_data(path: Path) -> bool:
    """Whether `path` lies in the installed example repo (package data, never written)."""
    try:
        Path(path).resolve().relative_to(EXAMPLE_REPO.parent)
    except ValueError:
        return False
    return True
