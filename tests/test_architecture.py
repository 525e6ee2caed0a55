"""The layer rules of docs/architecture.md ("Layers"), and the static checks, as tests that
can fail."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_import_linter_contracts_hold() -> None:
    result = _run(str(BIN / "lint-imports"), "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_repo_reader_and_cli_do_not_import_textual_or_kubernetes() -> None:
    probe = (
        "import sys, tuiops.cli, tuiops.gitops.loader;"
        "bad = sorted(m for m in ('textual', 'kubernetes', 'rich') if m in sys.modules);"
        "print(','.join(bad))"
    )
    result = _run(sys.executable, "-c", probe)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"loaded eagerly: {result.stdout}"


def test_ruff_clean() -> None:
    result = _run(str(BIN / "ruff"), "check", "tuiops", "tests")
    assert result.returncode == 0, result.stdout


def test_mypy_strict_clean() -> None:
    result = _run(str(BIN / "mypy"), "--strict", "tuiops", "tests")
    assert result.returncode == 0, result.stdout
