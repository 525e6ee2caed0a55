"""`tuiops env ...` as people use it: values masked, stdin only, one-line errors, exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES_ROOT

FIXTURES = FIXTURES_ROOT / "sops"
SOPS = Path(sys.executable).parent / "sops"


def tuiops(
    *args: str, stdin: str = "", env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SOPS_")}
    return subprocess.run(
        [sys.executable, "-m", "tuiops", *args],
        input=stdin,
        text=True,
        capture_output=True,
        env={**base, **(env or {})},
        cwd=cwd,
        timeout=120,
    )


@pytest.fixture
def clusterenv(tmp_path: Path) -> Path:
    target = tmp_path / "clusterenv.yaml"
    shutil.copy(FIXTURES / "clusterenv.enc.yaml", target)
    return target


KEY = {"SOPS_AGE_KEY_FILE": str(FIXTURES / "keys/age-test-1.txt"), "HOME": "/nonexistent"}


def test_show_masks_secrets_unless_revealed(clusterenv: Path) -> None:
    masked = tuiops("env", "show", "--file", str(clusterenv), "--json", env=KEY)
    assert masked.returncode == 0, masked.stderr
    rows = {r["key"]: r for r in json.loads(masked.stdout)["entries"]}
    assert rows["PLEX_IP"]["secret"] and "192.168" not in rows["PLEX_IP"]["value"]
    revealed = tuiops("env", "show", "--file", str(clusterenv), "--reveal", env=KEY)
    assert "192.168.20.225" in revealed.stdout


def test_set_reads_stdin_and_gives_the_sops_set_diff(clusterenv: Path) -> None:
    before = clusterenv.read_text().splitlines()
    result = tuiops("env", "set", "PLEX_IP", "--file", str(clusterenv), stdin="10.0.0.9\n", env=KEY)
    assert result.returncode == 0, result.stderr
    after = clusterenv.read_text().splitlines()
    assert sum(a != b for a, b in zip(before, after, strict=True)) == 3
    got = tuiops("env", "get", "PLEX_IP", "--file", str(clusterenv), env=KEY)
    assert got.stdout == "10.0.0.9\n"
    env = {**os.environ, **KEY, "SOPS_DISABLE_VERSION_CHECK": "1"}
    by_sops = subprocess.run(
        [str(SOPS), "-d", "--extract", '["PLEX_IP"]', str(clusterenv)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert by_sops.stdout == "10.0.0.9"


def test_same_value_writes_nothing(clusterenv: Path) -> None:
    before = clusterenv.stat().st_mtime_ns, clusterenv.read_bytes()
    result = tuiops("env", "set", "VIP", "--file", str(clusterenv), stdin="192.168.20.200", env=KEY)
    assert result.returncode == 0 and "unchanged" in result.stderr
    assert (clusterenv.stat().st_mtime_ns, clusterenv.read_bytes()) == before


def test_rm_and_rotate(clusterenv: Path) -> None:
    assert tuiops("env", "rm", "S3ID", "--file", str(clusterenv), env=KEY).returncode == 0
    missing = tuiops("env", "get", "S3ID", "--file", str(clusterenv), env=KEY)
    assert missing.returncode == 2 and "no key S3ID" in missing.stderr
    old = tuiops("env", "get", "RADARR_API", "--file", str(clusterenv), env=KEY).stdout
    rotated = tuiops(
        "env",
        "rotate",
        "RADARR_API",
        "--file",
        str(clusterenv),
        "--length",
        "40",
        "--charset",
        "hex",
        env=KEY,
    )
    assert rotated.returncode == 0, rotated.stderr
    assert rotated.stdout == ""  # the new value is never printed
    new = tuiops("env", "get", "RADARR_API", "--file", str(clusterenv), env=KEY).stdout.strip()
    assert new != old.strip() and len(new) == 40 and set(new) <= set("0123456789abcdef")


@pytest.mark.parametrize(
    ("args", "env", "words"),
    [
        (
            ("env", "get", "VIP", "--file", "tampered/clusterenv.mac-bitflip.enc.yaml"),
            KEY,
            "cannot decrypt the MAC",
        ),
        (
            ("env", "get", "VIP", "--file", "clusterenv.enc.yaml"),
            {"SOPS_AGE_KEY_FILE": str(FIXTURES / "keys/age-wrong.txt"), "HOME": "/nonexistent"},
            "none of your age identities",
        ),
        (
            ("env", "get", "VIP", "--file", "clusterenv.enc.yaml"),
            {"HOME": "/nonexistent"},
            "no age identity found",
        ),
        (
            ("env", "get", "VIP", "--file", "tampered/clusterenv.no-metadata.yaml"),
            KEY,
            "not a SOPS file",
        ),
        (("env", "get", "VIP", "--file", "no-such-file.yaml"), KEY, "cannot read"),
    ],
)
def test_errors_are_one_line_exit_2(args: tuple[str, ...], env: dict[str, str], words: str) -> None:
    result = tuiops(*args, env=env, cwd=FIXTURES)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_example_repo_decrypts_with_its_demo_key_and_passes_policy() -> None:
    got = tuiops("env", "get", "DOMAIN_0", "--example", env={"HOME": "/nonexistent"})
    assert got.returncode == 0 and got.stdout.strip(), got.stderr
    check = tuiops("env", "check", "--example", "--json", env={"HOME": "/nonexistent"})
    assert check.returncode == 0, check.stdout + check.stderr
    assert json.loads(check.stdout)["findings"] == []


def test_check_reports_a_plaintext_secret(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".sops.yaml").write_text(
        "creation_rules:\n  - path_regex: (^|/)clusterenv\\.yaml$\n"
        f"    age: {(FIXTURES / 'keys/age-test-1.pub').read_text().strip()}\n"
    )
    (tmp_path / "clusters/main").mkdir(parents=True)
    (tmp_path / "clusters/main/clusterenv.yaml").write_text('TOKEN: "plain"\n')
    result = tuiops("env", "check", "--json", cwd=tmp_path)
    assert result.returncode == 1
    (finding,) = json.loads(result.stdout)["findings"]
    assert (
        finding["code"] == "sops-plaintext" and finding["file"] == "clusters/main/clusterenv.yaml"
    )
