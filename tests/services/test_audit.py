"""The audit log (one whole JSON line per attempt, 0600, names never values) and the backend's
guard: a read-only backend's control refuses without calling the adapter, and every attempt is
recorded with its outcome."""

from __future__ import annotations

import dataclasses
import inspect
import json
import os
import re
import stat
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path, PurePosixPath

import pytest

from tuiops.domain.actions import ActionOutcome, FluxVerb, StepKind
from tuiops.domain.refs import ObjectRef
from tuiops.services import audit
from tuiops.services.audit import AuditError, AuditLog, Outcome, audit_path, rfc3339_utc
from tuiops.services.backend import Backend, GuardedControl, ReadOnly

KS = ObjectRef("Kustomization", "flux-system", "apps")
HR = ObjectRef("HelmRelease", "apps", "podinfo")
MOMENT = datetime(2025, 11, 25, 11, 9, 41, 702917, tzinfo=timezone(timedelta(hours=1)))
SENTINEL = "s3ntinel-Value-9f4c"


def log_at(tmp_path: Path, context: str = "home") -> AuditLog:
    return AuditLog(tmp_path / "state" / "tuiops" / "audit.jsonl", context=context, user="ada")


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_an_entry_is_one_json_line_with_every_field(tmp_path: Path) -> None:
    log = AuditLog(
        tmp_path / "a" / "b" / "audit.jsonl", context="home-prod", user="ada", now=lambda: MOMENT
    )
    log.record("flux reconcile --with-source", [KS], "ok", "applied revision main@sha1:1")
    log.record("env save", [PurePosixPath("clusters/main/clusterenv.yaml")], Outcome.FAILED, "x")
    assert lines(log.path) == [
        {
            "time": "2025-11-25T10:09:41.702Z",
            "user": "ada",
            "context": "home-prod",
            "action": "flux reconcile --with-source",
            "objects": ["Kustomization/flux-system/apps"],
            "outcome": "ok",
            "message": "applied revision main@sha1:1",
        },
        {
            "time": "2025-11-25T10:09:41.702Z",
            "user": "ada",
            "context": "home-prod",
            "action": "env save",
            "objects": ["clusters/main/clusterenv.yaml"],
            "outcome": "failed",
            "message": "x",
        },
    ]
    assert [e.outcome for e in log.entries()] == [Outcome.OK, Outcome.FAILED]


def test_the_file_is_private_and_its_folder_created(tmp_path: Path) -> None:
    log = log_at(tmp_path)
    log.record("flux suspend", [KS], "ok")
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.path.parent.stat().st_mode) == 0o700
    log.path.chmod(0o644)  # loosened by hand: the next write tightens it again
    log.record("flux resume", [KS], "ok")
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600
    assert len(lines(log.path)) == 2


def test_default_path_and_time_are_xdg_state_and_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", "/srv/state")
    assert audit_path() == Path("/srv/state/tuiops/audit.jsonl")
    assert audit_path({"XDG_STATE_HOME": "rel"}) == Path.home() / ".local/state/tuiops/audit.jsonl"
    assert (
        rfc3339_utc(datetime(2025, 1, 2, 3, 4, 5, 6000, tzinfo=UTC)) == "2025-01-02T03:04:05.006Z"
    )


def test_module_record_writes_to_the_xdg_state_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    monkeypatch.setenv("LOGNAME", "grace")
    entry = audit.record("git commit", ["clusters/main/clusterenv.yaml"], "ok", "abc1234")
    (written,) = lines(tmp_path / "tuiops" / "audit.jsonl")
    assert written["user"] == "grace" == entry.user
    assert written["context"] == ""
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", str(written["time"]))


def test_parallel_appends_never_interleave(tmp_path: Path) -> None:
    log = log_at(tmp_path)
    long = "m" * 400  # lines of ~600 bytes: a torn write would show

    def writer(number: int) -> None:
        for index in range(50):
            log.record(
                "flux reconcile",
                [ObjectRef("Kustomization", "ns", f"k{number}-{index}")],
                "ok",
                long,
            )

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entries = lines(log.path)  # every line parses
    assert len(entries) == 400
    assert len({str(e["objects"]) for e in entries}) == 400


def test_the_api_takes_names_never_values(tmp_path: Path) -> None:
    # No value, data or catch-all parameter to put a secret in.
    parameters = inspect.signature(AuditLog.record).parameters
    assert list(parameters) == ["self", "action", "objects", "outcome", "message"]
    assert all(
        p.kind is not p.VAR_KEYWORD and p.kind is not p.VAR_POSITIONAL for p in parameters.values()
    )
    log = log_at(tmp_path)
    with pytest.raises(ValueError, match="one-line name"):
        log.record("env save", [f"clusterenv.yaml:KEY\n{SENTINEL}"], "ok")
    with pytest.raises(ValueError, match="one-line name"):
        log.record("env save", ["x" * 600], "ok")
    with pytest.raises(ValueError):
        log.record("env save", ["clusterenv.yaml:KEY"], "maybe")
    assert not log.path.exists()  # nothing written for a refused call
    # A message is folded to one line and cut.
    log.record("env save", ["clusterenv.yaml:DB_PASSWORD"], "ok", "a\nb\r\n" + "c" * 900)
    (entry,) = lines(log.path)
    assert entry["message"] == ("a b " + "c" * 900)[: audit.MAX_MESSAGE - 1] + "…"


def test_an_unwritable_log_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "state"
    blocker.write_text("a file where the folder should be")
    log = AuditLog(blocker / "tuiops" / "audit.jsonl", user="ada")
    with pytest.raises(AuditError, match=rf"^cannot write the audit log {log.path}: "):
        log.record("flux reconcile", [KS], "ok")


# -- the backend's guard ------------------------------------------------------------------


class FakeControl:
    """Answers every action with a preset outcome and counts the calls."""

    def __init__(self, succeeded: bool = True, error: Exception | None = None) -> None:
        self.calls: list[tuple[str, ObjectRef]] = []
        self._succeeded = succeeded
        self._error = error

    def _answer(self, verb: FluxVerb, ref: ObjectRef) -> ActionOutcome:
        self.calls.append((verb.value, ref))
        if self._error is not None:
            raise self._error
        message = "applied revision v1" if self._succeeded else "reconciliation failed: boom"
        return ActionOutcome(verb, ref, self._succeeded, message)

    def reconcile(
        self, ref: ObjectRef, *, with_source: bool = False, force: bool = False, reset: bool = False
    ) -> ActionOutcome:
        return self._answer(FluxVerb.RECONCILE, ref)

    def suspend(self, ref: ObjectRef) -> ActionOutcome:
        return self._answer(FluxVerb.SUSPEND, ref)

    def resume(self, ref: ObjectRef, *, wait: bool = True) -> ActionOutcome:
        return self._answer(FluxVerb.RESUME, ref)


def test_a_read_only_backend_refuses_every_action_without_the_adapter(tmp_path: Path) -> None:
    fake = FakeControl()
    log = log_at(tmp_path)
    backend = Backend(None, control=fake, read_only=True, audit=log)
    control = backend.control
    assert isinstance(control, GuardedControl)
    outcomes = [
        control.reconcile(KS),
        control.reconcile(HR, with_source=True, force=True, reset=True),
        control.suspend(KS),
        control.resume(HR),
    ]
    assert fake.calls == []
    assert [o.succeeded for o in outcomes] == [False] * 4
    assert outcomes[0].message == (
        "read-only (--read-only): flux reconcile of Kustomization/flux-system/apps refused"
    )
    assert [s.kind for s in outcomes[0].steps] == [StepKind.FAILURE]
    entries = lines(log.path)
    assert [e["outcome"] for e in entries] == ["refused"] * 4
    assert [e["action"] for e in entries] == [
        "flux reconcile",
        "flux reconcile --with-source --force --reset",
        "flux suspend",
        "flux resume",
    ]
    assert entries[1]["objects"] == ["HelmRelease/apps/podinfo"]
    assert {e["context"] for e in entries} == {"home"}


def test_the_guard_cannot_be_lost_by_copying_the_backend(tmp_path: Path) -> None:
    fake = FakeControl()
    writable = Backend(None, control=fake, audit=log_at(tmp_path))
    assert writable.control is not None and writable.control.reconcile(KS).succeeded
    frozen = dataclasses.replace(writable, read_only=True, read_only_reason="read_only = true in X")
    assert frozen.control is not None
    refused = frozen.control.suspend(KS)
    assert not refused.succeeded and refused.message.startswith("read-only (read_only = true in X)")
    assert fake.calls == [("reconcile", KS)]
    guard = frozen.control
    assert isinstance(guard, GuardedControl) and guard.inner is fake  # wrapped once, not twice


def test_every_attempt_is_recorded_with_its_outcome(tmp_path: Path) -> None:
    log = log_at(tmp_path)
    Backend(None, control=FakeControl(True), audit=log).control.reconcile(KS)  # type: ignore[union-attr]
    Backend(None, control=FakeControl(False), audit=log).control.resume(HR)  # type: ignore[union-attr]
    broken = Backend(None, control=FakeControl(error=RuntimeError("bug")), audit=log)
    with pytest.raises(RuntimeError):
        broken.control.suspend(KS)  # type: ignore[union-attr]
    assert [(e["action"], e["outcome"], e["message"]) for e in lines(log.path)] == [
        ("flux reconcile", "ok", "applied revision v1"),
        ("flux resume", "failed", "reconciliation failed: boom"),
        ("flux suspend", "failed", "bug"),
    ]


def test_an_unwritable_log_does_not_hide_the_verdict(tmp_path: Path) -> None:
    blocker = tmp_path / "blocked"
    blocker.write_text("")
    backend = Backend(None, control=FakeControl(), audit=AuditLog(blocker / "x" / "audit.jsonl"))
    outcome = backend.control.reconcile(KS)  # type: ignore[union-attr]
    assert outcome.succeeded
    assert outcome.steps[-1].kind is StepKind.WARNING
    assert outcome.steps[-1].text.startswith("cannot write the audit log")


def test_changes_outside_control_use_the_same_guard(tmp_path: Path) -> None:
    log = log_at(tmp_path)
    writable = Backend(None, audit=log)
    writable.refuse_if_read_only("env save", ["clusterenv.yaml:DB_PASSWORD"])  # no error
    writable.record("env save", ["clusterenv.yaml:DB_PASSWORD"], "ok", "1 key changed")
    read_only = Backend(None, read_only=True, audit=log)
    with pytest.raises(ReadOnly, match=r"^read-only \(--read-only\): git commit of a.yaml, b.yaml"):
        read_only.refuse_if_read_only("git commit", [Path("a.yaml"), Path("b.yaml")])
    assert [(e["action"], e["outcome"]) for e in lines(log.path)] == [
        ("env save", "ok"),
        ("git commit", "refused"),
    ]
    assert SENTINEL not in log.path.read_text()
    assert os.stat(log.path).st_size > 0
