"""No decrypted secret ever reaches the disk: `tuiops env` decrypts and edits in memory only.

A throwaway repo, HOME and TMPDIR are scanned byte by byte (every file, hidden ones too, and
every file name) after the CLI has set, rotated, re-keyed and re-encrypted a SOPS file holding
a random sentinel secret. A self-check first proves the scanner finds a planted sentinel.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.sops.strategies import KEY_FILE_1, KEY_FILE_2, recipient, require_tools, run_sops

CLI_TIMEOUT = 60.0
TARGET = "clusters/main/clusterenv.yaml"
PLAINTEXT = """\
## Required by clustertool
VIP: 192.168.20.200
# the gateway of every node
GATEWAY: 192.168.20.1
OTHER_KEY: initial-other-value
DOMAIN_0: example.org
"""


def _needles(secret: str) -> dict[str, bytes]:
    """The byte patterns that betray `secret`: raw UTF-8, UTF-16, hex, and its base64 at each
    of the three byte alignments (trimmed where neighbouring bytes would change it)."""
    raw = secret.encode("utf-8")
    found = {"utf-8": raw, "utf-16-le": secret.encode("utf-16-le"), "hex": raw.hex().encode()}
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw)
        start = (shift * 4 + 2) // 3
        found[f"base64+{shift}"] = encoded[start : len(encoded) - 4]
    return found


def scan(roots: list[Path], secret: str) -> list[str]:
    """Every place under `roots` where `secret` shows: file contents (in any of `_needles`'
    encodings) and file or folder names. Hidden entries are included; links are not followed."""
    needles = _needles(secret)
    hits = []
    for root in roots:
        for folder, dirnames, filenames in os.walk(root, followlinks=False):
            for name in dirnames + filenames:
                if secret in name:
                    hits.append(f"name: {Path(folder) / name}")
            for name in filenames:
                path = Path(folder) / name
                if path.is_symlink() or not path.is_file():
                    continue
                data = path.read_bytes()
                hits += [f"{kind}: {path}" for kind, needle in needles.items() if needle in data]
    return hits


@dataclass
class Sandbox:
    """A repo with a `.git` marker, and the HOME and TMPDIR every process here gets."""

    root: Path
    repo: Path
    home: Path
    tmpdir: Path
    argvs: list[list[str]] = field(default_factory=list)
    """Every command line run, to prove no secret was ever passed as an argument."""

    @property
    def env(self) -> dict[str, str]:
        """A clean environment: the age key only in the default keys file of the fake HOME."""
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "TMPDIR": str(self.tmpdir),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "LANG": "C.UTF-8",
            "SOPS_DISABLE_VERSION_CHECK": "1",
        }

    def tuiops(self, *args: str, stdin: str = "") -> str:
        """Run `python -m tuiops env ...` in the repo; returns stdout (kept in memory only)."""
        argv = [sys.executable, "-m", "tuiops", "env", *args]
        self.argvs.append(argv)
        done = subprocess.run(
            argv,
            cwd=self.repo,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT,
            check=False,
        )
        assert done.returncode == 0, f"tuiops env {' '.join(args)}: {done.stderr}"
        return done.stdout

    def sops(self, *args: str, env: dict[str, str] | None = None) -> str:
        """Run the real sops in the repo (stdout kept in memory only)."""
        self.argvs.append(["sops", *args])
        return run_sops(list(args), self.repo, env=env or self.env).stdout

    def write_rule(self, *recipients: str) -> None:
        (self.repo / ".sops.yaml").write_text(
            "creation_rules:\n"
            "    - path_regex: (^|/)clusterenv\\.yaml$\n"
            f"      age: {','.join(recipients)}\n",
            encoding="utf-8",
        )


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    """The repo with `clusterenv.yaml` encrypted by the real sops, and the key in
    `$HOME/.config/sops/age/keys.txt`."""
    require_tools()
    box = Sandbox(tmp_path, tmp_path / "repo", tmp_path / "home", tmp_path / "tmpdir")
    (box.repo / ".git").mkdir(parents=True)
    box.tmpdir.mkdir()
    keys = box.home / ".config" / "sops" / "age" / "keys.txt"
    keys.parent.mkdir(parents=True)
    shutil.copyfile(KEY_FILE_1, keys)
    box.write_rule(recipient(1))
    target = box.repo / TARGET
    target.parent.mkdir(parents=True)
    target.write_text(PLAINTEXT, encoding="utf-8")
    box.sops("-e", "-i", TARGET)
    assert "ENC[AES256_GCM" in target.read_text(encoding="utf-8")
    return box


def test_scanner_finds_a_planted_secret(sandbox: Sandbox) -> None:
    """The scan can fail: a sentinel written to a hidden file deep in TMPDIR is found (raw and
    base64-encoded), so is one in a file name; once deleted, the scan is clean again."""
    sentinel = f"TUIOPS-SENTINEL-{secrets.token_hex(16)}"
    roots = [sandbox.repo, sandbox.home, sandbox.tmpdir]
    assert scan(roots, sentinel) == []
    planted = sandbox.tmpdir / ".hidden" / "deep" / ".probe"
    planted.parent.mkdir(parents=True)
    planted.write_text(f"prefix {sentinel} suffix", encoding="utf-8")
    encoded = sandbox.home / ".cache" / "blob"
    encoded.parent.mkdir(parents=True)
    encoded.write_bytes(b"x" + base64.b64encode(b"yz" + sentinel.encode()))
    named = sandbox.repo / f".{sentinel}.tmp"
    named.write_bytes(b"")
    hits = scan(roots, sentinel)
    assert f"utf-8: {planted}" in hits
    assert any(hit.startswith("base64+2: ") and hit.endswith(str(encoded)) for hit in hits)
    assert f"name: {named}" in hits
    shutil.rmtree(planted.parent.parent)
    encoded.unlink()
    named.unlink()
    assert scan(roots, sentinel) == []


def test_cli_never_writes_a_decrypted_secret(sandbox: Sandbox) -> None:
    """`env set` (value on stdin), `env rotate`, `env updatekeys` and `env rotate-datakey` leave
    neither the set sentinel nor the generated value anywhere in the repo, HOME or TMPDIR (as
    text, UTF-16, hex or base64, nor in a file name), and never had them on a command line.
    Each step really happened: the values read back, and the second key decrypts the file."""
    sentinel = f"TUIOPS-SENTINEL-{secrets.token_hex(16)}"
    roots = [sandbox.repo, sandbox.home, sandbox.tmpdir]

    sandbox.tuiops("set", "SENTINEL_KEY", "--file", TARGET, stdin=sentinel + "\n")
    assert sandbox.tuiops("get", "SENTINEL_KEY", "--file", TARGET) == sentinel + "\n"

    sandbox.tuiops("rotate", "OTHER_KEY", "--file", TARGET)
    rotated = sandbox.tuiops("get", "OTHER_KEY", "--file", TARGET).rstrip("\n")
    assert rotated != "initial-other-value" and len(rotated) == 32

    sandbox.write_rule(recipient(1), recipient(2))
    assert "updated" in sandbox.tuiops("updatekeys")
    sandbox.tuiops("rotate-datakey", TARGET)

    # the second recipient alone (no default keys file) now decrypts the rotated file
    only_key_2 = dict(sandbox.env, XDG_CONFIG_HOME=str(sandbox.tmpdir / "nothing"))
    only_key_2["SOPS_AGE_KEY_FILE"] = str(KEY_FILE_2)
    plaintext = sandbox.sops("-d", TARGET, env=only_key_2)
    assert f"SENTINEL_KEY: {sentinel}\n" in plaintext
    assert f"OTHER_KEY: {rotated}\n" in plaintext
    assert sandbox.tuiops("get", "SENTINEL_KEY", "--file", TARGET) == sentinel + "\n"
    del plaintext

    assert scan(roots, sentinel) == []
    assert scan(roots, rotated) == []
    assert not [a for a in sandbox.argvs if any(sentinel in part for part in a)]
    assert not [a for a in sandbox.argvs if any(rotated in part for part in a)]
    leftovers = sorted(p.name for p in (sandbox.repo / TARGET).parent.iterdir())
    assert leftovers == ["clusterenv.yaml"], f"temporary files left behind: {leftovers}"
