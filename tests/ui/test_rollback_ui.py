"""GitOps rollback from History against the simulator and a temporary git repo: `B` on an older
revision plans the one-line chart version edit in a worker, the confirmation shows the diff,
the file, the context and the warnings (values are not reverted; a plain helm rollback would be
undone by Flux), and `y` commits exactly that line, with one notice; read-only refuses at the
key and in the apply path, and nothing is written."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.git_repos import git
from tests.pilot_waits import settle, wait_for, wait_for_screen
from tests.ui.noting_app import NotingApp
from tests.ui.test_rotation_ui import CONTEXT, Setup, backend_of, simulated_git_repo
from tuiops.domain.refs import ObjectRef
from tuiops.domain.rollback import ROLLBACK_WARNING
from tuiops.services.audit import AuditLog, audit_path
from tuiops.ui.screens.history import HistoryScreen, MergedRevision
from tuiops.ui.screens.rollback import RollbackConfirm, apply_rollback, chart_version_of
from tuiops.ui.widgets.resource_table import ResourceTable

RADARR = ObjectRef("HelmRelease", "radarr", "radarr")
RADARR_FILE = "clusters/main/kubernetes/apps/radarr/app/helm-release.yaml"

Flow = Callable[[NotingApp, Pilot[None], HistoryScreen, MergedRevision], Awaitable[None]]


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Setup]:
    with simulated_git_repo(tmp_path, monkeypatch) as running:
        yield running


def run_history(setup: Setup, flow: Flow, *, read_only: bool = False) -> NotingApp:
    """radarr's History, live, the cursor on the newest revision with an older chart."""

    async def main() -> NotingApp:
        app = NotingApp(backend_of(setup, read_only=read_only))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: app.state.connection == "live", 60, "a live console")
            await wait_for(pilot, lambda: RADARR in app.state.objects, 30, "radarr listed")
            app.open_history(RADARR)
            screen = await wait_for_screen(pilot, HistoryScreen)
            await wait_for(pilot, lambda: bool(screen.revisions), 30, "Helm storage read")
            await settle(pilot)
            newest = chart_version_of(screen.merged[0])
            older = next(r for r in screen.merged if chart_version_of(r) != newest)
            table = screen.query_one(ResourceTable)
            table.move_cursor(table.row_index(str(older.number)))
            await wait_for(pilot, lambda: table.cursor_key == str(older.number))
            await flow(app, pilot, screen, older)
        return app

    return asyncio.run(main())


def head(setup: Setup) -> str:
    return git(setup.repo, "rev-parse", "HEAD", env=setup.env).strip()


def test_rollback_from_history_commits_the_one_line_change(setup: Setup) -> None:
    before = head(setup)
    current = ""
    wanted = ""

    async def flow(
        app: NotingApp, pilot: Pilot[None], screen: HistoryScreen, row: MergedRevision
    ) -> None:
        nonlocal current, wanted
        current, wanted = chart_version_of(screen.merged[0]), chart_version_of(row)
        await pilot.press("B")
        confirm = await wait_for_screen(pilot, RollbackConfirm)
        assert confirm.context == CONTEXT
        assert confirm.question == f"Roll {RADARR} back to chart {wanted} (from {current})?"
        assert f"-      version: {current}" in confirm.objects
        assert f"+      version: {wanted}" in confirm.objects
        assert confirm.details[0].startswith(f"file: {RADARR_FILE} (line ")
        assert ROLLBACK_WARNING in confirm.details
        await pilot.press("y")
        await wait_for(
            pilot, lambda: any(m.startswith("committed ") for _s, m in app.notes), 30, "done"
        )
        await settle(pilot)
        note = next(m for _s, m in app.notes if m.startswith("committed "))
        assert f"rollback(radarr/radarr): chart {current} -> {wanted}" in note

    run_history(setup, flow)
    assert git(setup.repo, "rev-parse", "HEAD~1", env=setup.env).strip() == before
    message = git(setup.repo, "log", "-1", "--format=%B", env=setup.env).strip()
    assert message == f"rollback(radarr/radarr): chart {current} -> {wanted}"
    numstat = git(setup.repo, "show", "--numstat", "--format=", "HEAD", env=setup.env)
    assert numstat.split() == ["1", "1", RADARR_FILE]  # exactly one line changed
    diff = git(setup.repo, "show", "--format=", "-U0", "HEAD", env=setup.env)
    assert f"-      version: {current}" in diff and f"+      version: {wanted}" in diff
    entries = [e for e in AuditLog(audit_path()).entries() if e.action == "gitops rollback"]
    assert [(e.outcome.value, e.objects) for e in entries] == [("ok", (str(RADARR), RADARR_FILE))]


def test_read_only_refuses_the_rollback_at_the_key_and_in_the_code_path(setup: Setup) -> None:
    before = head(setup)
    original = (setup.repo / RADARR_FILE).read_bytes()

    async def flow(
        app: NotingApp, pilot: Pilot[None], screen: HistoryScreen, row: MergedRevision
    ) -> None:
        count = len(app.notes)
        await pilot.press("B")
        await wait_for(pilot, lambda: len(app.notes) > count, what="the refusal")
        assert app.notes[-1] == (
            "warning",
            f"read-only: GitOps rollback of {RADARR} refused (--read-only)",
        )
        assert app.screen is screen  # no plan, no confirmation
        # The apply path refuses too, as a bug reaching it would find.
        rollback = app.backend.rollback
        assert rollback is not None
        plan = rollback.plan(RADARR, chart_version_of(row))  # planning only reads
        count = len(app.notes)
        apply_rollback(screen, plan)
        await wait_for(pilot, lambda: len(app.notes) > count, what="the apply's refusal")
        await settle(pilot)
        severity, message = app.notes[-1]
        assert severity == "error"
        assert message.startswith("read-only (--read-only): gitops rollback of ")

    run_history(setup, flow, read_only=True)
    assert head(setup) == before
    assert (setup.repo / RADARR_FILE).read_bytes() == original
    entries = [e for e in AuditLog(audit_path()).entries() if e.action == "gitops rollback"]
    assert [e.outcome.value for e in entries] == ["refused"]
