"""A sentinel secret through every command-line path that touches secrets (issue 16): set on
stdin, read back, rotated with `--commit --reconcile` against the simulator (git commit, the
audited Flux reconciles), and a save that fails (an I/O error, and an unexpected exception with
its traceback) after the secret was read.

Afterwards neither the sentinel nor the value the rotation generated is anywhere under the
test's whole folder (the repo, HOME, TMPDIR, the XDG state with `audit.jsonl`, the simulator's
files) as text, UTF-16, hex or base64, nor in a file name; nor in git's objects, in any command
line (tuiops' own and every git call it made), in the audit entries, in anything printed, or
in a traceback. The Env screen's save is checked the same way by
`tests/ui/test_env_screen.py::test_a_sentinel_secret_set_through_the_ui_is_nowhere_unencrypted`,
and `tests/sops/test_no_plaintext_on_disk.py` covers updatekeys and rotate-datakey.
"""

from __future__ import annotations

import errno
import os
import secrets
import subprocess
import sys
import traceback
from pathlib import Path

import pytest

from tests.git_repos import example_git_repo, isolated_env, recording_git
from tests.sops.oracle import run_tuiops
from tests.sops.test_no_plaintext_on_disk import scan
from tuiops.services.audit import AuditLog
from tuiops.sim.session import start_simulation

KEY = "NEXTCLOUD_ADMIN_PWD"
"""A key the example repo uses (its rotation reconciles real objects)."""


def git_objects(repo: Path, env: dict[str, str]) -> bytes:
    """Every object in the repository, decompressed."""
    return subprocess.run(
        ["git", "-C", str(repo), "cat-file", "--batch-all-objects", "--batch"],
        capture_output=True,
        env=env,
        timeout=60,
        check=True,
    ).stdout


def test_a_sentinel_secret_leaves_no_trace(tmp_path: Path) -> None:
    sentinel = f"TUIOPS-SENTINEL-{secrets.token_hex(12)}"
    failed_sentinel = f"TUIOPS-SENTINEL-FAILED-{secrets.token_hex(12)}"
    env = isolated_env(tmp_path / "home")
    repo = example_git_repo(tmp_path / "repo", env)
    git_argv = tmp_path / "git-argv.log"
    fake_git = recording_git(tmp_path / "bin", git_argv)
    (tmp_path / "tmpdir").mkdir()
    state = tmp_path / "state"
    argvs: list[list[str]] = []
    printed: list[str] = []

    with start_simulation(repo=repo, workdir=tmp_path / "sim", controller_delay=0.05) as sim:
        env = {
            **{k: v for k, v in env.items() if not k.startswith("SOPS_")},
            "KUBECONFIG": str(sim.kubeconfig),
            "PATH": f"{fake_git.parent}{os.pathsep}{env.get('PATH', '')}",
            "TMPDIR": str(tmp_path / "tmpdir"),
            "XDG_STATE_HOME": str(state),
        }

        def tuiops(*args: str, stdin: str = "") -> str:
            argv = [sys.executable, "-m", "tuiops", *args]
            argvs.append(argv)
            done = subprocess.run(
                argv, input=stdin, capture_output=True, text=True, env=env, cwd=repo, timeout=120
            )
            printed.extend((done.stdout, done.stderr))
            assert done.returncode == 0, done.stderr
            return done.stdout

        tuiops("env", "set", KEY, "--repo", str(repo), stdin=sentinel + "\n")
        assert tuiops("env", "get", KEY, "--repo", str(repo)) == sentinel + "\n"
        printed.pop(-2)  # the `get` printed it, as asked; kept in memory only
        tuiops(
            "env", "rotate", KEY, "--repo", str(repo), "--commit", "--reconcile",
            "--poll-interval", "0.05",
        )  # fmt: skip
        rotated = tuiops("env", "get", KEY, "--repo", str(repo)).rstrip("\n")
        printed.pop(-2)
        assert rotated != sentinel and len(rotated) == 32

        # A save failing after the value was read: an I/O error, then a bug (a traceback).
        with pytest.MonkeyPatch.context() as patched:
            patched.setattr(os, "replace", _raise(OSError(errno.EIO, os.strerror(errno.EIO))))
            result = run_tuiops(
                ["env", "set", KEY, "--repo", str(repo)], repo,
                stdin=failed_sentinel.encode(), env=env,
            )  # fmt: skip
        assert result.one_line_error, result
        printed.extend((result.out, result.err))
        with pytest.MonkeyPatch.context() as patched:
            patched.setattr(os, "replace", _raise(RuntimeError("a bug while saving")))
            with pytest.raises(RuntimeError) as bug:
                run_tuiops(
                    ["env", "set", KEY, "--repo", str(repo)], repo,
                    stdin=failed_sentinel.encode(), env=env,
                )  # fmt: skip
        printed.append("".join(traceback.format_exception(bug.value)))

    audit = AuditLog(state / "tuiops" / "audit.jsonl")
    entries = list(audit.entries())
    assert any("reconcile" in entry.action for entry in entries), "the audit log was written"
    audit_text = audit.path.read_text(encoding="utf-8")
    objects = git_objects(repo, env)
    every_argv = "\n".join(" ".join(argv) for argv in argvs) + git_argv.read_text("utf-8")
    for secret in (sentinel, rotated, failed_sentinel):
        assert scan([tmp_path], secret) == [], secret
        assert secret.encode() not in objects
        assert secret not in audit_text
        assert secret not in every_argv
        assert not [text for text in printed if secret in text]


def _raise(error: BaseException) -> object:
    def patched(*_args: object, **_kwargs: object) -> None:
        raise error

    return patched
