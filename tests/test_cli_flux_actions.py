"""`tuiops reconcile|suspend|resume` against the simulated cluster and its Flux controllers,
run as people run them (a subprocess): the controller's answer decides the exit code, read-only
(flag, global config, per-context config) refuses before anything reaches the server, and every
attempt lands in the audit log without a secret.

Expected values come from the server's objects (read from the simulator's store before and
after), never from what the command printed."""

from __future__ import annotations

import json
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tuiops.domain.refs import ObjectRef
from tuiops.services.config import Config, ContextSettings
from tuiops.sim.apiserver.resources import type_for_kind
from tuiops.sim.cluster import CONTEXT
from tuiops.sim.session import Simulation, start_simulation

CILIUM = ObjectRef("Kustomization", "flux-system", "cilium")
NFD = ObjectRef("HelmRelease", "kube-system", "node-feature-discovery")
PLEX = ObjectRef("HelmRelease", "plex", "plex")  # suspended in the scenario
REQUESTED_AT = "reconcile.fluxcd.io/requestedAt"
FAST = ("--poll-interval", "0.05", "--timeout", "60s")
TOKEN = "tuiops-sim-token"
"""The simulator's bearer token: a secret that must never reach the audit log."""


@dataclass
class Env:
    sim: Simulation
    environ: dict[str, str]
    config: Path
    audit: Path

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tuiops", *args],
            capture_output=True,
            text=True,
            env=self.environ,
            timeout=120,
        )

    def raw(self, ref: ObjectRef) -> dict[str, Any]:
        obj = self.sim.cluster.store.get(type_for_kind(ref.kind), ref.namespace, ref.name)
        assert obj is not None, ref
        return obj

    def entries(self) -> list[dict[str, Any]]:
        if not self.audit.exists():
            return []
        return [json.loads(line) for line in self.audit.read_text().splitlines()]


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    with start_simulation("degraded", workdir=tmp_path / "sim", controller_delay=0.02) as sim:
        environ = sim.environment()
        environ["XDG_CONFIG_HOME"] = str(tmp_path / "config")  # never the developer's settings
        environ["XDG_STATE_HOME"] = str(tmp_path / "state")
        environ["LOGNAME"] = "ada"
        yield Env(
            sim,
            environ,
            tmp_path / "config" / "tuiops" / "config.toml",
            tmp_path / "state" / "tuiops" / "audit.jsonl",
        )
        assert sim.controllers is not None and sim.controllers.errors == []


def write_config(env: Env, text: str) -> None:
    env.config.parent.mkdir(parents=True, exist_ok=True)
    env.config.write_text(text)


def steps(result: subprocess.CompletedProcess[str]) -> list[str]:
    return result.stderr.splitlines()


# -- what each command does ---------------------------------------------------------------


def test_reconcile_of_a_ready_kustomization_exits_0_once_handled(env: Env) -> None:
    before = env.raw(CILIUM)["status"].get("lastHandledReconcileAt")
    result = env.run("reconcile", "ks/cilium", *FAST)
    assert result.returncode == 0, result.stderr
    after = env.raw(CILIUM)
    handled = after["status"]["lastHandledReconcileAt"]
    assert handled != before
    assert handled == after["metadata"]["annotations"][REQUESTED_AT]
    assert steps(result) == [
        "► annotating Kustomization cilium in flux-system namespace",
        "✔ Kustomization annotated",
        "◎ waiting for Kustomization reconciliation",
        f"✔ applied revision {after['status']['lastAppliedRevision']}",
    ]


def test_reconcile_of_a_failing_release_exits_1(env: Env) -> None:
    result = env.run("reconcile", "helmrelease", NFD.name, "-n", NFD.namespace, *FAST)
    assert result.returncode == 1, result.stderr
    ready = next(c for c in env.raw(NFD)["status"]["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "False"
    assert f"✗ HelmRelease reconciliation failed: {ready['message']}" in steps(result)
    assert "Traceback" not in result.stderr


def test_suspend_resume_round_trip(env: Env) -> None:
    suspended = env.run("suspend", "kustomization", "cilium", *FAST)
    assert suspended.returncode == 0, suspended.stderr
    assert env.raw(CILIUM)["spec"]["suspend"] is True
    refused = env.run("reconcile", "ks/cilium", *FAST)  # flux refuses a suspended object
    assert refused.returncode == 1
    assert "✗ resource is suspended" in steps(refused)
    resumed = env.run("resume", "ks/cilium", *FAST)
    assert resumed.returncode == 0, resumed.stderr
    obj = env.raw(CILIUM)
    assert "suspend" not in obj["spec"]
    assert obj["status"]["observedGeneration"] == obj["metadata"]["generation"]
    assert "✔ Kustomization cilium reconciliation completed" in steps(resumed)


def test_flux_words_name_the_same_objects(env: Env) -> None:
    result = env.run("reconcile", "source", "git", "no-such-repo", *FAST, "--json")
    assert result.returncode == 1  # nothing to reconcile: a failed outcome, as flux
    outcome = json.loads(result.stdout)
    assert (outcome["kind"], outcome["namespace"], outcome["name"]) == (
        "GitRepository",
        "flux-system",
        "no-such-repo",
    )
    assert outcome["succeeded"] is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("reconcile", "deployment/cilium"), "'deployment' is not a Flux kind"),
        (("reconcile", "ks/cilium", "--force"), "--force and --reset apply to HelmReleases only"),
        (("reconcile", "ks", "a", "b"), "name one object"),
        (("resume", "ks/cilium", "--timeout", "soon"), 'invalid duration "soon"'),
    ],
)
def test_usage_errors_exit_2_with_one_line(env: Env, args: tuple[str, ...], message: str) -> None:
    before = env.raw(CILIUM)["metadata"]["resourceVersion"]
    result = env.run(*args)
    assert result.returncode == 2
    assert result.stderr.startswith("tuiops: ") and message in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert env.raw(CILIUM)["metadata"]["resourceVersion"] == before
    assert env.entries() == []


def test_no_reachable_cluster_exits_2(tmp_path: Path) -> None:
    with start_simulation("healthy", controllers=False, workdir=tmp_path / "sim") as running:
        environ = running.environment()
    environ["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    environ["XDG_STATE_HOME"] = str(tmp_path / "state")
    result = subprocess.run(
        [sys.executable, "-m", "tuiops", "reconcile", "ks/cilium", *FAST],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("tuiops: cannot reach the API server at http://127.0.0.1:")
    assert len(result.stderr.splitlines()) == 1


# -- read-only ------------------------------------------------------------------------------

MUTATIONS = [
    ("reconcile", "ks/cilium"),
    ("reconcile", "ks/cilium", "--with-source"),
    ("reconcile", "hr/node-feature-discovery", "-n", "kube-system", "--force", "--reset"),
    ("suspend", "ks/cilium"),
    ("resume", "hr/plex", "-n", "plex"),
]
READ_ONLY_MODES = {
    "flag": ("", ("--read-only",), (), "--read-only"),
    "flag before the command": ("", (), ("--read-only",), "--read-only"),
    "global config": ("read_only = true\n", (), (), "read_only = true in {config}"),
    "context config": (
        f'[contexts."{CONTEXT}"]\nread_only = true\n',
        (),
        (),
        f'read_only = true for context "{CONTEXT}" in {{config}}',
    ),
}


@pytest.mark.parametrize("mode", list(READ_ONLY_MODES))
def test_read_only_refuses_every_mutation_and_changes_nothing(env: Env, mode: str) -> None:
    config_text, after, before_command, reason = READ_ONLY_MODES[mode]
    if config_text:
        write_config(env, config_text)
    refs = (CILIUM, NFD, PLEX)
    versions = {ref: env.raw(ref)["metadata"]["resourceVersion"] for ref in refs}
    for mutation in MUTATIONS:
        result = env.run(*before_command, *mutation, *after, *FAST)
        assert result.returncode == 1, (mutation, result.stderr)
        expected_reason = reason.format(config=env.config)
        (line,) = steps(result)
        assert line.startswith(f"✗ read-only ({expected_reason}): flux {mutation[0]}"), line
    assert {ref: env.raw(ref)["metadata"]["resourceVersion"] for ref in refs} == versions
    assert env.raw(PLEX)["spec"]["suspend"] is True
    entries = env.entries()
    assert [e["outcome"] for e in entries] == ["refused"] * len(MUTATIONS)
    assert [e["action"] for e in entries] == [
        "flux reconcile",
        "flux reconcile --with-source",
        "flux reconcile --force --reset",
        "flux suspend",
        "flux resume",
    ]


def test_another_contexts_table_or_an_override_leaves_this_one_writable(env: Env) -> None:
    write_config(env, 'read_only = true\n[contexts."home-prod"]\nread_only = true\n')
    assert env.run("suspend", "ks/cilium", *FAST).returncode == 1  # the global value
    # As k9s: the context's own `read_only = false` overrides the global value.
    write_config(env, f'read_only = true\n[contexts."{CONTEXT}"]\nread_only = false\n')
    result = env.run("suspend", "ks/cilium", *FAST)
    assert result.returncode == 0, result.stderr
    assert env.raw(CILIUM)["spec"]["suspend"] is True


def test_a_broken_config_is_one_line_and_nothing_is_sent(env: Env) -> None:
    write_config(env, "# settings\nread_only = ture\n")
    before = env.raw(CILIUM)["metadata"]["resourceVersion"]
    for args in (("reconcile", "ks/cilium", *FAST), ("--demo",)):
        result = env.run(*args)
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        (line,) = result.stderr.splitlines()
        assert line.startswith(f"tuiops: {env.config}:2: invalid TOML: "), line
    assert env.raw(CILIUM)["metadata"]["resourceVersion"] == before
    assert env.entries() == []


def test_a_read_only_backend_refuses_in_process_whatever_asks(tmp_path: Path) -> None:
    """The console's path: a backend wiring builds from the config refuses in its control, not
    only in the screens (k9s' read-only still lets its Flux plugin reconcile)."""
    from tuiops.sim.example_repo import copy_example
    from tuiops.wiring import simulated_backend

    config = Config(contexts={CONTEXT: ContextSettings(read_only=True)}, source="cfg")
    repo = copy_example(tmp_path / "repo")
    with simulated_backend(repo, controllers=False, config=config) as backend:
        assert backend.read_only and backend.control is not None
        outcome = backend.control.reconcile(CILIUM)
        assert not outcome.succeeded
        assert outcome.message == (
            f'read-only (read_only = true for context "{CONTEXT}" in cfg): '
            f"flux reconcile of {CILIUM} refused"
        )
        switched = backend.switch_context  # the same rules on every context of the kubeconfig
        assert switched is not None and switched(CONTEXT).read_only


# -- the audit log ----------------------------------------------------------------------------


def test_every_attempt_is_audited_without_a_secret(env: Env) -> None:
    assert env.run("reconcile", "ks/cilium", *FAST).returncode == 0
    assert env.run("reconcile", "hr/node-feature-discovery", "-n", "kube-system", *FAST).returncode
    assert env.run("suspend", "ks/cilium", "--read-only", *FAST).returncode == 1
    entries = env.entries()
    assert [(e["action"], e["objects"], e["outcome"]) for e in entries] == [
        ("flux reconcile", [str(CILIUM)], "ok"),
        ("flux reconcile", [str(NFD)], "failed"),
        ("flux suspend", [str(CILIUM)], "refused"),
    ]
    for entry in entries:
        assert entry["user"] == "ada"
        assert entry["context"] == CONTEXT
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry["time"])
        assert "\n" not in entry["message"] and entry["message"]
    assert entries[0]["message"].endswith(env.raw(CILIUM)["status"]["lastAppliedRevision"])
    assert entries[1]["message"].startswith("HelmRelease reconciliation failed")
    text = env.audit.read_text()
    assert TOKEN in env.sim.kubeconfig.read_text()  # the secret exists ...
    assert TOKEN not in text  # ... and never reaches the log
    assert stat.S_IMODE(env.audit.stat().st_mode) == 0o600
