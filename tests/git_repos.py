"""Temporary git repositories for tests: an isolated environment (no global or system git
config, no identity unless asked), a repo made from the example repo, and a `git` on PATH
that records every argv it is given."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tuiops.sim.example_repo import copy_example

REAL_GIT = shutil.which("git") or "git"
IDENTITY = {"user.name": "Test Person", "user.email": "test@example.invalid"}


def isolated_env(home: Path) -> dict[str, str]:
    """os.environ without git's identity variables, with an empty HOME and no system config:
    git sees only the repository's own config."""
    home.mkdir(parents=True, exist_ok=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GIT_AUTHOR_", "GIT_COMMITTER_", "EMAIL"))
        and k not in ("GIT_DIR", "GIT_WORK_TREE", "GIT_CONFIG_GLOBAL")
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=str(home / ".gitconfig"),
    )
    return env


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [REAL_GIT, "-C", str(repo), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    return done.stdout


def init_repo(repo: Path, env: dict[str, str], *, identity: bool = True) -> Path:
    """`git init` in `repo` (branch main), with a local identity unless told not to, and
    everything in it committed when there is an identity."""
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "--quiet", env=env)
    git(repo, "symbolic-ref", "HEAD", "refs/heads/main", env=env)
    git(repo, "config", "user.useConfigOnly", "true", env=env)
    git(repo, "config", "commit.gpgsign", "false", env=env)
    if identity:
        for key, value in IDENTITY.items():
            git(repo, "config", key, value, env=env)
        (repo / ".git" / "info").mkdir(parents=True, exist_ok=True)
        (repo / ".git" / "info" / "exclude").write_text("age.agekey\n", encoding="utf-8")
        git(repo, "add", "--all", env=env)
        git(repo, "commit", "--quiet", "--allow-empty", "-m", "initial", env=env)
    return repo


def example_git_repo(target: Path, env: dict[str, str]) -> Path:
    """The example repo copied to `target` as a git repository with one commit."""
    return init_repo(copy_example(target), env)


def recording_git(folder: Path, log: Path) -> Path:
    """A `git` in `folder` that appends its argv (one line) to `log`, then runs the real git.
    Put `folder` first on PATH to see every git call a process makes."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "git"
    script.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\nexec "{REAL_GIT}" "$@"\n', encoding="utf-8"
    )
    script.chmod(0o755)
    return script
