"""The real sops as the judge, and tuiops' command line run in process, for the SOPS tests.

`Cli.run` calls `tuiops.cli.main` with its own argv, stdin bytes, environment and folder, and
captures what it prints; an exception escaping `main` fails the test (a user never sees a
traceback). `Sops` runs the real binary with exactly the identities a test names, so "who can
decrypt this file" is answered by sops, not by tuiops.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyrage

from tests.sops.strategies import KEYS, SOPS, SOPS_TIMEOUT, require_tools
from tuiops.cli import main

IDENTITY_1 = (KEYS / "age-test-1.txt").read_text(encoding="ascii")
IDENTITY_2 = (KEYS / "age-test-2.txt").read_text(encoding="ascii")
RECIPIENT_1 = (KEYS / "age-test-1.pub").read_text(encoding="ascii").strip()
RECIPIENT_2 = (KEYS / "age-test-2.pub").read_text(encoding="ascii").strip()


@dataclass(frozen=True, slots=True)
class Identity:
    """An age key pair: the keys-file text and its recipient."""

    secret: str
    recipient: str


def new_identity() -> Identity:
    identity = pyrage.x25519.Identity.generate()
    return Identity(str(identity) + "\n", str(identity.to_public()))


FIRST = Identity(IDENTITY_1, RECIPIENT_1)
SECOND = Identity(IDENTITY_2, RECIPIENT_2)


@dataclass(frozen=True, slots=True)
class Result:
    code: int
    out: str
    err: str

    @property
    def one_line_error(self) -> bool:
        """Exit 2 with exactly one line on stderr and no traceback."""
        lines = self.err.strip().splitlines()
        return self.code == 2 and len(lines) == 1 and "Traceback" not in self.err


@contextlib.contextmanager
def _environment(env: dict[str, str], cwd: Path) -> Iterator[None]:
    saved_env, saved_cwd = dict(os.environ), Path.cwd()
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)


def run_tuiops(
    args: list[str],
    cwd: Path,
    *,
    stdin: bytes = b"",
    keys: str = "",
    env: dict[str, str] | None = None,
) -> Result:
    """`tuiops ARGS` in process, with `keys` as the only identities (SOPS_AGE_KEY)."""
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(cwd / ".home-none"),
        "XDG_CONFIG_HOME": str(cwd / ".config-none"),
    }
    if keys:
        base["SOPS_AGE_KEY"] = keys
    base.update(env or {})
    out, err = io.StringIO(), io.StringIO()
    stdin_stream = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    saved = sys.stdin, sys.stdout, sys.stderr
    with _environment(base, cwd):
        sys.stdin, sys.stdout, sys.stderr = stdin_stream, out, err
        try:
            code = main(args)
        finally:
            sys.stdin, sys.stdout, sys.stderr = saved
    return Result(code, out.getvalue(), err.getvalue())


def run_sops(args: list[str], cwd: Path, keys: str = "") -> Result:
    """The real sops with `keys` as its only identities; never fails by itself."""
    require_tools()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(cwd / ".home-none"),
        "XDG_CONFIG_HOME": str(cwd / ".config-none"),
        "SOPS_DISABLE_VERSION_CHECK": "1",
    }
    if keys:
        env["SOPS_AGE_KEY"] = keys
    done = subprocess.run(
        [str(SOPS), *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=SOPS_TIMEOUT,
        check=False,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def sops_decrypt(path: Path, keys: str) -> Result:
    """`sops -d PATH` as a holder of `keys` would run it."""
    return run_sops(["-d", str(path)], path.parent, keys)


def sops_config(folder: Path, rules: list[str], extra: str = "") -> Path:
    """Write `.sops.yaml` with these creation rules (YAML text of each rule, without dash)."""
    body = "".join("  - " + rule.replace("\n", "\n    ").rstrip() + "\n" for rule in rules)
    path = folder / ".sops.yaml"
    path.write_text(f"{extra}creation_rules:\n{body}", encoding="utf-8")
    return path


def git_repo(folder: Path) -> Path:
    """Mark `folder` as the root of a repository (tuiops finds repos by `.git`)."""
    (folder / ".git").mkdir(parents=True, exist_ok=True)
    return folder
