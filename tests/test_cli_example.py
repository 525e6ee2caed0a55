"""The bundled example repo is package data: read by every command, written by none.
`tuiops example copy DIR` gives a copy that can be changed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.sops.oracle import run_tuiops
from tuiops.sim.example_repo import EXAMPLE_REPO


def _fingerprint(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


MUTATIONS = [
    ["env", "set", "TZ", "--example"],
    ["env", "rm", "TZ", "--example"],
    ["env", "rotate", "TZ", "--example"],
    ["env", "updatekeys", "--example"],
    ["env", "rotate-datakey", "--example"],
    ["env", "set", "TZ", "--file", str(EXAMPLE_REPO / "clusters/main/clusterenv.yaml")],
    ["env", "rotate-datakey", str(EXAMPLE_REPO / "clusters/main/clusterenv.yaml")],
]


@pytest.mark.parametrize("args", MUTATIONS, ids=[" ".join(a[:3]) for a in MUTATIONS])
def test_the_example_repo_is_never_written(tmp_path: Path, args: list[str]) -> None:
    before = _fingerprint(EXAMPLE_REPO)
    result = run_tuiops(args, tmp_path, stdin=b"Europe/Paris")
    assert result.one_line_error, result
    assert "tuiops example copy" in result.err
    assert _fingerprint(EXAMPLE_REPO) == before


def test_reading_the_example_still_works(tmp_path: Path) -> None:
    result = run_tuiops(["env", "get", "DOMAIN_0", "--example"], tmp_path)
    assert result.code == 0 and result.out.strip(), result
    dry = run_tuiops(["env", "rotate-datakey", "--example", "--dry-run"], tmp_path)
    assert dry.code == 0 and "to rotate" in dry.out, dry


def test_a_copy_can_be_edited_and_read_back(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    copied = run_tuiops(["example", "copy", str(target)], tmp_path)
    assert copied.code == 0, copied
    changed = run_tuiops(
        ["env", "set", "TZ", "--repo", str(target)], tmp_path, stdin=b"Europe/Paris"
    )
    assert changed.code == 0, changed
    got = run_tuiops(["env", "get", "TZ", "--repo", str(target)], tmp_path)
    assert got.out == "Europe/Paris\n"
    again = run_tuiops(["example", "copy", str(target)], tmp_path)
    assert again.one_line_error and "not empty" in again.err
