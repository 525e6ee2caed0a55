"""Recipient rotation on a copy of the example repo whose `.sops.yaml` gains a recipient: the
dry run lists the files, the update re-seals them (the real `sops -d` decrypts each with either
recipient's key), the `sops-age` Secret is written on the simulator and read back with the real
kubectl, read-only refuses in the code path, and the audit log names files and the Secret
without any key material."""

from __future__ import annotations

import base64
import json
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

import pyrage
import pytest

from tests.sim.conftest import KUBECTL
from tests.sops.strategies import SOPS, sops_env
from tuiops.errors import TuiopsError
from tuiops.gitops.sops.keys import IdentitySource, parse_identities
from tuiops.services.audit import AuditLog, Outcome
from tuiops.services.backend import Backend, ReadOnly
from tuiops.services.recipients import (
    FILES_ACTION,
    SECRET_ACTION,
    AgeKeyChoice,
    RecipientRotation,
)
from tuiops.sim.example_repo import DEMO_KEY_FILE, copy_example
from tuiops.sim.session import Simulation, start_simulation
from tuiops.wiring import cluster_backend

OLD = "age1gk9avkw4yfhkcqs9ajfngkq95654e5q8k5nhsp3wmcaaz800lu3qnldkcm"
FILES = (
    "clusters/main/clusterenv.yaml",
    "clusters/main/kubernetes/flux-system/flux/clustersettings.secret.yaml",
    "clusters/main/kubernetes/flux-system/flux/deploykey.secret.yaml",
)


def add_recipient(repo: Path, recipient: str) -> None:
    """Every creation rule of the example's `.sops.yaml` also names `recipient`."""
    config = repo / ".sops.yaml"
    text = config.read_text(encoding="utf-8")
    assert text.count(f"age: {OLD}") == 5
    config.write_text(text.replace(f"age: {OLD}", f"age: {OLD},{recipient}"), encoding="utf-8")


@pytest.fixture
def new_key() -> str:
    return str(pyrage.x25519.Identity.generate())


@pytest.fixture
def repo(tmp_path: Path, new_key: str) -> Path:
    root = copy_example(tmp_path / "repo")
    add_recipient(root, str(pyrage.x25519.Identity.from_str(new_key).to_public()))
    return root


def key_sources(*keys: str) -> Sequence[IdentitySource]:
    """The demo key (the old recipient) and `keys`; never the developer's own keys."""
    demo = parse_identities(DEMO_KEY_FILE.read_text(encoding="ascii"), "demo")
    return [demo, *(parse_identities(key, f"key {n}") for n, key in enumerate(keys))]


def rotation(backend: Backend, *keys: str) -> RecipientRotation:
    return RecipientRotation(backend, sources=lambda: key_sources(*keys))


def audit_of(tmp_path: Path, context: str = "test-context") -> AuditLog:
    return AuditLog(tmp_path / "audit" / "audit.jsonl", context=context, user="tester")


def sops_decrypt(repo: Path, rel: str, key: str, keys_dir: Path) -> str:
    """The real sops' plaintext of `rel` with only `key`."""
    key_file = keys_dir / f"{abs(hash(key))}.txt"
    key_file.write_text(key + "\n", encoding="ascii")
    done = subprocess.run(
        [str(SOPS), "-d", rel],
        cwd=repo,
        env=sops_env(key_file),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_dry_run_lists_the_files_then_update_reseals_them_for_every_recipient(
    repo: Path, tmp_path: Path, new_key: str
) -> None:
    new = str(pyrage.x25519.Identity.from_str(new_key).to_public())
    audit = audit_of(tmp_path)
    service = rotation(Backend(repo, audit=audit, label="test-context"), new_key)
    before = {rel: (repo / rel).read_bytes() for rel in FILES}

    plan = service.plan()

    assert plan.files == FILES
    assert all(c.current == (OLD,) and c.wanted == (OLD, new) for c in plan.changes)
    assert plan.added == (new,) and set(plan.common) == {OLD, new}
    assert plan.problems == () and plan.up_to_date == ()
    assert {rel: (repo / rel).read_bytes() for rel in FILES} == before  # a dry run
    keys_dir = tmp_path / "keys"
    keys_dir.mkdir()
    demo = DEMO_KEY_FILE.read_text(encoding="ascii").strip().splitlines()[-1]
    plain = {rel: sops_decrypt(repo, rel, demo, keys_dir) for rel in FILES}

    results = service.apply(plan)

    assert [(r.rel, r.ok) for r in results] == [(rel, True) for rel in FILES]
    assert all("2 checked with your keys" in r.message for r in results)
    for rel in FILES:
        for key in (demo, new_key):
            assert sops_decrypt(repo, rel, key, keys_dir) == plain[rel]
    assert service.plan().changes == ()
    entries = list(audit.entries())
    assert [(e.action, e.objects, e.outcome) for e in entries] == [
        (FILES_ACTION, (rel,), Outcome.OK) for rel in FILES
    ]
    assert all(e.context == "test-context" for e in entries)
    assert "AGE-SECRET-KEY" not in audit.path.read_text(encoding="utf-8")


def test_a_file_changed_since_the_dry_run_is_refused_and_the_others_updated(
    repo: Path, tmp_path: Path, new_key: str
) -> None:
    service = rotation(Backend(repo, audit=audit_of(tmp_path)), new_key)
    plan = service.plan()
    changed = repo / FILES[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n", encoding="utf-8")

    results = service.apply(plan)

    assert [r.ok for r in results] == [False, True, True]
    assert FILES[0] in results[0].message and str(repo) not in results[0].message
    assert [r.rel for r in service.plan().changes] == [FILES[0]]


def test_a_file_no_identity_opens_is_a_problem_not_a_change(repo: Path, tmp_path: Path) -> None:
    service = RecipientRotation(Backend(repo, audit=audit_of(tmp_path)), sources=lambda: [])
    plan = service.plan()
    assert plan.changes == ()
    assert [rel for rel, _why in plan.problems] == list(FILES)
    assert all("no age identity" in why for _rel, why in plan.problems)


def test_read_only_refuses_in_the_code_path_and_records_it(
    repo: Path, tmp_path: Path, new_key: str
) -> None:
    audit = audit_of(tmp_path)
    service = rotation(Backend(repo, read_only=True, audit=audit), new_key)
    plan = service.plan()
    before = {rel: (repo / rel).read_bytes() for rel in FILES}

    with pytest.raises(ReadOnly, match="read-only"):
        service.apply(plan)
    choice = service.key_choice(plan)
    assert isinstance(choice, AgeKeyChoice)
    with pytest.raises(ReadOnly, match="flux-system/sops-age"):
        service.update_secret(choice)

    assert {rel: (repo / rel).read_bytes() for rel in FILES} == before
    entries = list(audit.entries())
    assert [(e.action, e.outcome) for e in entries] == [
        (FILES_ACTION, Outcome.REFUSED),
        (SECRET_ACTION, Outcome.REFUSED),
    ]
    assert entries[0].objects == FILES
    assert entries[1].objects == ("Secret/flux-system/sops-age",)
    assert "AGE-SECRET-KEY" not in audit.path.read_text(encoding="utf-8")


def test_the_key_is_the_new_recipients_and_never_shown(repo: Path, new_key: str) -> None:
    service = rotation(Backend(repo), new_key)
    choice = service.key_choice(service.plan())
    assert isinstance(choice, AgeKeyChoice)
    assert choice.identity == new_key
    assert choice.recipient == str(pyrage.x25519.Identity.from_str(new_key).to_public())
    assert new_key not in repr(choice)


def test_without_the_new_key_there_is_no_choice_but_a_reason(repo: Path) -> None:
    service = rotation(Backend(repo))
    reason = service.key_choice(service.plan())
    assert isinstance(reason, str)
    assert "none of your age identities" in reason


@pytest.fixture
def simulation(repo: Path) -> Iterator[Simulation]:
    with start_simulation(
        "degraded",
        repo=repo,
        workdir=repo.parent / "sim",
        frozen_clock=True,
        controllers=False,
    ) as running:
        yield running


def kubectl_secret(simulation: Simulation, jsonpath: str) -> str:
    assert KUBECTL.exists(), f"{KUBECTL} is required"
    done = subprocess.run(
        [str(KUBECTL), "--kubeconfig", str(simulation.kubeconfig), "-n", "flux-system",
         "get", "secret", "sops-age", "-o", f"jsonpath={jsonpath}"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_secret_is_created_then_replaced_on_the_simulator(
    repo: Path, tmp_path: Path, new_key: str, simulation: Simulation
) -> None:
    audit = audit_of(tmp_path, "")
    backend = cluster_backend(repo, kubeconfig=str(simulation.kubeconfig), audit=audit)
    service = rotation(backend, new_key)
    choice = service.key_choice(service.plan())
    assert isinstance(choice, AgeKeyChoice)

    created = service.update_secret(choice)

    assert "created" in created and new_key not in created
    stored = kubectl_secret(simulation, r"{.data.age\.agekey}")
    assert base64.b64decode(stored).decode("ascii") == new_key + "\n"

    # Replaced: only age.agekey changes; another key of the Secret is kept.
    other = base64.b64encode(b"kept").decode("ascii")
    stale = base64.b64encode(b"stale").decode("ascii")
    patch = json.dumps({"data": {"other.agekey": other, "age.agekey": stale}})
    subprocess.run(
        [str(KUBECTL), "--kubeconfig", str(simulation.kubeconfig), "-n", "flux-system",
         "patch", "secret", "sops-age", "--type=merge", "-p", patch],
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    replaced = service.update_secret(choice)

    assert "replaced" in replaced
    stored = kubectl_secret(simulation, r"{.data.age\.agekey}")
    assert base64.b64decode(stored).decode("ascii") == new_key + "\n"
    assert kubectl_secret(simulation, r"{.data.other\.agekey}") == other
    entries = list(audit.entries())
    assert [(e.action, e.objects, e.outcome) for e in entries] == [
        (SECRET_ACTION, ("Secret/flux-system/sops-age",), Outcome.OK)
    ] * 2
    assert entries[0].context == backend.label
    assert "AGE-SECRET-KEY" not in audit.path.read_text(encoding="utf-8")


def test_offline_the_secret_update_fails_and_is_recorded(
    repo: Path, tmp_path: Path, new_key: str
) -> None:
    audit = audit_of(tmp_path)
    service = rotation(Backend(repo, audit=audit, offline_reason="offline: no kubeconfig"), new_key)
    choice = service.key_choice(service.plan())
    assert isinstance(choice, AgeKeyChoice)
    with pytest.raises(TuiopsError, match="offline: no kubeconfig"):
        service.update_secret(choice)
    assert [e.outcome for e in audit.entries()] == [Outcome.FAILED]
