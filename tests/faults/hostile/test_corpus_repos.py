"""Every corpus repo as hostile input (issue 16): real GitOps repos, with their odd YAML, their
templated names and their SOPS files, read the way tuiops reads them.

Per repo: `status --offline`, `lint` and `vars` end with 0 or 1 and no traceback, printing
nothing a terminal acts on; the console's Apps rows render inert; and every SOPS file in it,
opened with no key that fits, is refused in one line (never a crash). With no corpus this
module is one skipped line (see tests/corpus/corpus_scan.py for where it is looked for).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.corpus.corpus_scan import CORPUS_MISSING, corpus_dir, corpus_repos
from tests.faults.hostile.test_generated_input import ACTED_ON, assert_painted_inert
from tuiops.cli import main
from tuiops.gitops.sops.errors import SopsError
from tuiops.gitops.sops.files import open_sops_file
from tuiops.services.backend import Backend
from tuiops.services.console_state import ConsoleSession
from tuiops.ui.tables import app_cells

REPOS = corpus_repos(corpus_dir())
SOPS_SUFFIXES = (".yaml", ".yml", ".json", ".env", ".ini")

if not REPOS:
    pytest.skip(CORPUS_MISSING, allow_module_level=True)


def _inert_output(text: str) -> None:
    found = sorted({f"U+{ord(c):04X}" for c in text if ord(c) in ACTED_ON})
    assert not found, f"printed controls {found}"


def sops_files(repo: Path) -> list[Path]:
    """Files holding SOPS metadata (a `sops:` block or key with `ENC[` values)."""
    found = []
    for path in sorted(repo.rglob("*")):
        if ".git" in path.parts or not path.is_file() or path.suffix not in SOPS_SUFFIXES:
            continue
        data = path.read_bytes()
        if b"ENC[AES256_GCM" in data and b"sops" in data:
            found.append(path)
    return found


@pytest.mark.parametrize("repo", REPOS, ids=[repo.name for repo in REPOS])
def test_a_corpus_repo_reads_without_a_crash(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(repo / "no-kubeconfig"))
    for command in (["status", "--offline"], ["lint"], ["vars"]):
        code = main([*command, "--repo", str(repo)])
        out, err = capsys.readouterr()
        assert code in (0, 1), (command, err)
        assert "Traceback" not in err
        _inert_output(out + err)

    session = ConsoleSession(Backend(repo, offline_reason="offline (--offline)"))
    session.read_repo()
    rows = session.snapshot().rows
    assert rows, "the console shows the repo's objects"
    for row in rows:
        for cell in app_cells(row, ""):
            assert_painted_inert(cell, row.ref.name)

    for path in sops_files(repo):
        try:
            open_sops_file(path, [])
        except SopsError as error:
            assert str(error) and "\n" not in str(error), (path, str(error))
        else:
            pytest.fail(f"{path} opened with no key")
