"""`tuiops env rotate KEY --commit --reconcile` end to end against the simulator and a
temporary git repo: the commit (no value in it), the source and the Kustomizations that use
the key reconciled, the consumers listed, a failing reconcile reported per object with a
non-zero exit, and the new value nowhere on disk unencrypted nor on git's argv."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.git_repos import example_git_repo, git, isolated_env, recording_git
from tuiops.sim.session import Simulation, start_simulation

KEY = "NEXTCLOUD_ADMIN_PWD"
CLUSTERENV = "clusters/main/clusterenv.yaml"
NEXTCLOUD_KS = "Kustomization/flux-system/nextcloud"
SOURCE = "GitRepository/flux-system/cluster"


@dataclass
class Setup:
    repo: Path
    sim: Simulation
    env: dict[str, str]
    argv_log: Path


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    env = isolated_env(tmp_path / "home")
    repo = example_git_repo(tmp_path / "repo", env)
    log = tmp_path / "git-argv.log"
    fake = recording_git(tmp_path / "bin", log)
    sim = start_simulation(repo=repo, workdir=tmp_path / "sim", controller_delay=0.05)
    env = {
        **{k: v for k, v in env.items() if not k.startswith("SOPS_")},
        "KUBECONFIG": str(sim.kubeconfig),
        "PATH": f"{fake.parent}{os.pathsep}{env.get('PATH', '')}",
    }
    try:
        yield Setup(repo, sim, env, log)
    finally:
        sim.stop()


def tuiops(setup: Setup, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tuiops", *args],
        capture_output=True,
        text=True,
        env=setup.env,
        cwd=setup.repo,
        timeout=120,
    )


def rotate(setup: Setup, *extra: str) -> subprocess.CompletedProcess[str]:
    return tuiops(
        setup, "env", "rotate", KEY, "--repo", str(setup.repo), "--commit", "--reconcile",
        "--poll-interval", "0.05", *extra,
    )  # fmt: skip


def current_value(setup: Setup) -> str:
    done = tuiops(setup, "env", "get", KEY, "--repo", str(setup.repo))
    assert done.returncode == 0, done.stderr
    value = done.stdout.rstrip("\n")
    assert len(value) == 32
    return value


def every_git_object(repo: Path, env: dict[str, str]) -> bytes:
    done = subprocess.run(
        ["git", "-C", str(repo), "cat-file", "--batch-all-objects", "--batch"],
        capture_output=True,
        env=env,
        timeout=60,
        check=True,
    )
    return done.stdout


def test_rotate_commits_reconciles_and_lists_consumers(setup: Setup) -> None:
    head = git(setup.repo, "rev-parse", "HEAD", env=setup.env).strip()
    done = rotate(setup)
    assert done.returncode == 0, done.stdout + done.stderr
    value = current_value(setup)
    # One commit of exactly the SOPS file, with the key in its message, never the value.
    assert git(setup.repo, "rev-parse", "HEAD~1", env=setup.env).strip() == head
    message = git(setup.repo, "log", "-1", "--format=%B", env=setup.env).strip()
    assert message == f"chore(env): rotate {KEY}"
    changed = git(setup.repo, "show", "--name-only", "--format=", "HEAD", env=setup.env).split()
    assert changed == [CLUSTERENV]
    sha = git(setup.repo, "rev-parse", "HEAD", env=setup.env).strip()
    # Steps as they happened, then the summary per object.
    steps = done.stderr
    assert f"✔ commit: committed {sha[:12]}: chore(env): rotate {KEY}" in steps
    assert steps.index(f"reconciling {SOURCE}") < steps.index(f"reconciling {NEXTCLOUD_KS}")
    summary = done.stdout.splitlines()
    assert summary[0] == f"rotation of {KEY}: succeeded"
    assert f"  ✔ {SOURCE}: GitRepository flux-system/cluster reconciled: main@sha1:{sha}" in summary
    assert (
        f"  ✔ {NEXTCLOUD_KS}: Kustomization flux-system/nextcloud reconciled: main@sha1:{sha}"
        in (summary)
    )
    assert any(line.startswith("  ✔ HelmRelease/nextcloud/nextcloud:") for line in summary)
    consumer = next(line for line in summary if "Deployment/nextcloud/nextcloud" in line)
    assert "(HelmRelease nextcloud/nextcloud values): restart needed" in consumer
    # The source serves the new commit.
    assert not setup.sim.controllers or not setup.sim.controllers.errors
    # The value: nowhere in the work tree, the git objects or git's argv.
    needle = value.encode()
    for path in setup.repo.rglob("*"):
        if path.is_file():
            assert needle not in path.read_bytes(), path
    assert needle not in every_git_object(setup.repo, setup.env)
    assert value not in setup.argv_log.read_text(encoding="utf-8")
    assert value not in done.stdout + done.stderr
    assert "commit --quiet -F - --only -- clusters/main/clusterenv.yaml" in (
        setup.argv_log.read_text(encoding="utf-8")
    )


def test_restart_rolls_the_consumers(setup: Setup) -> None:
    done = rotate(setup, "--restart")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "✔ restart: Deployment/nextcloud/nextcloud: restarted (restartedAt " in done.stderr
    assert "Deployment/nextcloud/nextcloud (HelmRelease nextcloud/nextcloud values): restarted" in (
        done.stdout
    )
    assert "  ✔ Deployment/nextcloud/nextcloud: restarted" in done.stdout


def test_a_failing_reconcile_is_reported_per_object(setup: Setup) -> None:
    assert setup.sim.controllers is not None
    setup.sim.controllers.fail(NEXTCLOUD_KS, "Secret/nextcloud/creds dry-run failed: boom")
    done = rotate(setup)
    assert done.returncode == 1, done.stdout + done.stderr
    summary = done.stdout.splitlines()
    assert summary[0] == f"rotation of {KEY}: FAILED"
    assert any(line.startswith("  ✔ commit: committed ") for line in summary)
    assert any(line.startswith(f"  ✔ {SOURCE}:") for line in summary)
    failed = next(line for line in summary if line.startswith(f"  ✗ {NEXTCLOUD_KS}:"))
    assert "boom" in failed
    assert "  ✗ HelmRelease/nextcloud/nextcloud: not reconciled: " in done.stdout
    assert f"✗ reconcile: {NEXTCLOUD_KS}:" in done.stderr


def test_follow_up_flags_need_commit(setup: Setup) -> None:
    done = tuiops(setup, "env", "rotate", KEY, "--repo", str(setup.repo), "--reconcile")
    assert done.returncode != 0
    assert "need --commit" in done.stderr
    assert git(setup.repo, "status", "--porcelain", env=setup.env) == ""


def test_a_read_only_context_refuses_before_anything_is_written(setup: Setup) -> None:
    """config.toml's read-only for the simulator's context stops `env rotate --commit
    --reconcile` before the file changes: nothing saved, committed or reconciled."""
    context = subprocess.run(
        ["/usr/bin/kubectl", "config", "current-context"],
        capture_output=True,
        text=True,
        env=setup.env,
        check=True,
        timeout=30,
    ).stdout.strip()
    config = Path(setup.env["XDG_CONFIG_HOME"]) / "tuiops" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[contexts."{context}"]\nread_only = true\n', encoding="utf-8")

    def value() -> str:
        done = tuiops(setup, "env", "get", KEY, "--repo", str(setup.repo))
        assert done.returncode == 0, done.stderr
        return done.stdout

    before = value()
    head = git(setup.repo, "rev-parse", "HEAD", env=setup.env).strip()
    done = rotate(setup)
    assert done.returncode != 0
    assert "read-only" in done.stderr
    assert value() == before
    assert git(setup.repo, "rev-parse", "HEAD", env=setup.env).strip() == head
    assert git(setup.repo, "status", "--porcelain", env=setup.env) == ""
