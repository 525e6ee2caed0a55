"""Pilot tests of the Recipients screen (K on Env) on the simulator and a copy of the example
repo whose `.sops.yaml` gained a recipient: the dry run lists the files, `u` asks (naming the
context and the files) and re-seals them, then the Secret update is offered (naming the context
and flux-system/sops-age) and written, which the real kubectl reads back; `--read-only` refuses
both in the code path and records it; `?` stays in the footer at 80 columns; the private key is
nowhere in the audit log, a notice or Textual's log."""

from __future__ import annotations

import asyncio
import base64
import subprocess
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pyrage
import pytest
import textual.constants
from textual.pilot import Pilot
from textual.widgets import Footer, Static

from tests.pilot_waits import settle, wait_for, wait_for_screen
from tests.services.test_recipients import FILES, add_recipient
from tests.sim.conftest import KUBECTL
from tests.ui.noting_app import NotingApp
from tests.ui.test_footer_fits import _visible_keys
from tuiops.services.audit import AuditLog, Outcome
from tuiops.services.backend import Backend
from tuiops.services.recipients import FILES_ACTION, SECRET_ACTION
from tuiops.sim.example_repo import copy_example
from tuiops.sim.session import Simulation, start_simulation
from tuiops.ui.screens.confirm import ConfirmScreen
from tuiops.ui.screens.env import EnvScreen
from tuiops.ui.screens.recipients import RecipientsScreen
from tuiops.ui.widgets.resource_table import ResourceTable
from tuiops.wiring import cluster_backend


@pytest.fixture
def new_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new identity; only the repo's age.agekey is read for keys (never the developer's)."""
    for name in ("SOPS_AGE_KEY", "SOPS_AGE_KEY_FILE", "SOPS_AGE_KEY_CMD", "SOPS_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return str(pyrage.x25519.Identity.generate())


@pytest.fixture
def repo(tmp_path: Path, new_key: str) -> Path:
    """The example repo, its rules naming a new recipient whose key the user keeps beside the
    old one in age.agekey (as clustertool users do)."""
    root = copy_example(tmp_path / "repo")
    add_recipient(root, str(pyrage.x25519.Identity.from_str(new_key).to_public()))
    with (root / "age.agekey").open("a", encoding="ascii") as keys:
        keys.write(new_key + "\n")
    return root


@pytest.fixture
def simulation(repo: Path) -> Iterator[Simulation]:
    with start_simulation(
        "degraded", repo=repo, workdir=repo.parent / "sim", frozen_clock=True, controllers=False
    ) as running:
        yield running


def backend_on(simulation: Simulation, repo: Path, *, read_only: bool = False) -> Backend:
    audit = AuditLog(repo.parent / "audit.jsonl")
    return cluster_backend(
        repo, kubeconfig=str(simulation.kubeconfig), read_only=read_only, audit=audit
    )


Flow = Callable[[NotingApp, Pilot[None], RecipientsScreen], Awaitable[None]]


def run_recipients(backend: Backend, flow: Flow, size: tuple[int, int] = (120, 30)) -> NotingApp:
    """Env (4), then K; wait for the dry run; run `flow`."""

    async def main() -> NotingApp:
        app = NotingApp(backend)
        async with app.run_test(size=size) as pilot:
            await pilot.press("4")
            await wait_for_screen(pilot, EnvScreen)
            await settle(pilot)
            await pilot.press("K")
            screen = await wait_for_screen(pilot, RecipientsScreen)
            await wait_for(pilot, lambda: screen.plan is not None, what="the dry run")
            await settle(pilot)
            await flow(app, pilot, screen)
        return app

    return asyncio.run(main())


def _text(screen: ConfirmScreen | RecipientsScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def kubectl_age_key(simulation: Simulation) -> str:
    assert KUBECTL.exists(), f"{KUBECTL} is required"
    done = subprocess.run(
        [str(KUBECTL), "--kubeconfig", str(simulation.kubeconfig), "-n", "flux-system",
         "get", "secret", "sops-age", "-o", r"jsonpath={.data.age\.agekey}"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return base64.b64decode(done.stdout).decode("ascii")


def test_dry_run_update_all_then_the_secret(
    repo: Path,
    new_key: str,
    simulation: Simulation,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    textual_log = tmp_path / "textual.log"
    monkeypatch.setattr(textual.constants, "LOG_FILE", str(textual_log))
    backend = backend_on(simulation, repo)
    before = {rel: (repo / rel).read_bytes() for rel in FILES}
    seen: dict[str, list[str]] = {}

    async def flow(app: NotingApp, pilot: Pilot[None], screen: RecipientsScreen) -> None:
        table = screen.query_one(ResourceTable)
        assert [table.cursor_key_at(i) for i in range(table.row_count)] == list(FILES)
        assert "3 SOPS file(s) to re-seal" in _text(screen, "#recipients-summary")
        await pilot.press("u")
        confirm = await wait_for_screen(pilot, ConfirmScreen)
        seen["files"] = [
            _text(confirm, "#question"),
            _text(confirm, "#context"),
            *(str(s.render()) for s in confirm.query(".object").results(Static)),
        ]
        await pilot.press("y")
        secret = await wait_for_screen(pilot, ConfirmScreen)  # offered once all are updated
        assert secret is not confirm
        seen["secret"] = [
            _text(secret, "#question"),
            _text(secret, "#context"),
            *(str(s.render()) for s in secret.query(".object").results(Static)),
        ]
        assert all(r.ok for r in screen.results.values()) and len(screen.results) == 3
        await pilot.press("y")
        await wait_for_screen(pilot, RecipientsScreen)
        await wait_for(
            pilot,
            lambda: "created" in _text(screen, "#recipients-secret"),
            what="the Secret written",
        )
        await settle(pilot)

    app = run_recipients(backend, flow)

    question, context, *objects = seen["files"]
    assert question == "Re-seal 3 SOPS file(s) for the recipients .sops.yaml names?"
    assert context == f"context: {backend.label}"
    assert [line.split(":")[0] for line in objects] == list(FILES)
    question, context, *objects = seen["secret"]
    assert question == "Update Secret flux-system/sops-age with the new private key?"
    assert context == f"context: {backend.label}" and objects == ["Secret flux-system/sops-age"]
    assert all((repo / rel).read_bytes() != before[rel] for rel in FILES)
    assert kubectl_age_key(simulation) == new_key + "\n"
    assert backend.audit is not None
    entries = [(e.action, e.outcome) for e in backend.audit.entries()]
    assert entries == [(FILES_ACTION, Outcome.OK)] * 3 + [(SECRET_ACTION, Outcome.OK)]
    assert new_key not in backend.audit.path.read_text(encoding="utf-8")
    assert not any(new_key in message for _severity, message in app.notes)
    if textual_log.exists():
        assert new_key not in textual_log.read_text(encoding="utf-8", errors="replace")


def test_read_only_refuses_both_in_the_code_path(repo: Path, simulation: Simulation) -> None:
    backend = backend_on(simulation, repo, read_only=True)
    before = {rel: (repo / rel).read_bytes() for rel in FILES}

    async def flow(app: NotingApp, pilot: Pilot[None], screen: RecipientsScreen) -> None:
        assert "read-only: view only" in _text(screen, "#recipients-summary")
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)

    app = run_recipients(backend, flow)

    warnings = [message for severity, message in app.notes if severity == "warning"]
    assert any("sops updatekeys" in w and "refused" in w for w in warnings), warnings
    assert any("flux-system/sops-age refused" in w for w in warnings), warnings
    assert {rel: (repo / rel).read_bytes() for rel in FILES} == before
    assert backend.audit is not None
    entries = [(e.action, e.outcome) for e in backend.audit.entries()]
    assert entries == [(FILES_ACTION, Outcome.REFUSED), (SECRET_ACTION, Outcome.REFUSED)]
    found = subprocess.run(
        [str(KUBECTL), "--kubeconfig", str(simulation.kubeconfig), "-n", "flux-system",
         "get", "secret", "sops-age"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert found.returncode != 0 and "NotFound" in found.stderr


def test_help_stays_in_the_footer_at_80_columns(repo: Path, simulation: Simulation) -> None:
    async def flow(app: NotingApp, pilot: Pilot[None], screen: RecipientsScreen) -> None:
        footer = screen.query_one(Footer)
        await wait_for(pilot, lambda: "?" in _visible_keys(footer), what="`?` in the footer")

    run_recipients(backend_on(simulation, repo), flow, size=(80, 24))
