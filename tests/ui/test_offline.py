"""Honest offline (issue 13): without a cluster the console shows what the repo says and never
pretends to know the live side. The repo's chart version without a drift arrow, the bar's
`offline (reason) · N in the repo`, `y` showing the repo's YAML with its file and line, the
Talos screen listing talconfig's machines, and outside a git repo the one-line reason instead
of "reading the repo…"."""

from __future__ import annotations

import asyncio
from contextlib import ExitStack
from pathlib import Path

import pytest
from rich.text import Text
from textual.content import Content
from textual.widgets import Static

from tests.corpus.corpus_scan import CORPUS_MISSING, corpus_dir
from tests.pilot_waits import settle, wait_for, wait_for_screen
from tuiops.cli.console import build_console
from tuiops.cli.parser import build_parser
from tuiops.domain.refs import ObjectRef
from tuiops.services.backend import Backend
from tuiops.services.console_snapshot import ConsoleState, offline_detail
from tuiops.services.console_state import ConsoleSession
from tuiops.sim.example_repo import EXAMPLE_REPO
from tuiops.ui.app import TuiopsApp
from tuiops.ui.screens.apps import AppsScreen
from tuiops.ui.screens.detail import DetailScreen, TextScreen
from tuiops.ui.screens.talos import TalosScreen
from tuiops.ui.widgets.resource_table import ResourceTable, as_content
from tuiops.ui.widgets.status_bar import StatusBar, status_line

NO_KUBECONFIG = "offline: no kubeconfig"
CILIUM = ObjectRef("HelmRelease", "kube-system", "cilium")
CILIUM_FILE = "clusters/main/kubernetes/kube-system/cilium/app/helm-release.yaml"
CORPUS_REPO = "PrivatePuffin__cluster"
"""A corpus repo with a talconfig listing control planes and workers."""


def _plain(static: Static) -> str:
    content = static.content
    return content.plain if isinstance(content, Text | Content) else str(content)


def _screen_text(app: TuiopsApp) -> str:
    return "\n".join(_plain(static) for static in app.screen.query(Static))


def _bar(app: TuiopsApp) -> str:
    return app.screen.query_one(StatusBar).render().plain


def test_offline_detail_names_the_reason_once() -> None:
    assert offline_detail("offline (--offline)") == "--offline"
    assert offline_detail("offline: no kubeconfig") == "no kubeconfig"
    assert offline_detail("offline: /x/config: not YAML") == "/x/config: not YAML"
    state = ConsoleState(offline_reason="offline (--offline)")
    assert status_line(state, "", False).plain == "no context  offline (--offline)"


def test_example_repo_offline() -> None:
    async def run() -> None:
        app = TuiopsApp(Backend(EXAMPLE_REPO, offline_reason=NO_KUBECONFIG))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: app.state.overview is not None, what="the repo rows")
            total = len(app.state.rows)
            await wait_for(pilot, lambda: "in the repo" in _bar(app), what="the bar's count")
            bar = f"no context · cluster main  offline (no kubeconfig) · {total} in the repo"
            assert _bar(app) == bar
            assert "ready" not in _bar(app)

            await pilot.press("2")
            table = (await wait_for_screen(pilot, AppsScreen)).query_one(ResourceTable)
            await wait_for(pilot, lambda: table.row_count == total, what="every repo row")
            cells = [as_content(cell).plain for cell in table.cells(str(CILIUM))]
            assert "1.18.3" in cells
            assert not any("→" in cell for cell in cells)

            app.open_detail(CILIUM)
            await wait_for_screen(pilot, DetailScreen)
            await wait_for(pilot, lambda: "live status unknown (offline)" in _screen_text(app))
            await wait_for(pilot, lambda: "unknown · offline (no kubeconfig)" in _screen_text(app))
            assert "does not exist" not in _screen_text(app)
            assert "first failing" not in _screen_text(app)
            assert "could not read" not in _screen_text(app)
            assert "not in the cluster" not in _screen_text(app)

            await pilot.press("d")
            said = "describe needs the cluster: offline (no kubeconfig)"
            await wait_for(pilot, lambda: any(n.message == said for n in app._notifications))
            await pilot.press("y")
            screen = await wait_for_screen(pilot, TextScreen)
            body = screen.query_one("#body", Static)
            await wait_for(pilot, lambda: "loading…" not in _plain(body), what="the YAML")
            title = _plain(screen.query_one("#title", Static))
            assert f"{CILIUM_FILE}:3" in title and "live status unknown" in title
            text = _plain(body)
            assert text.startswith(f"# {CILIUM_FILE}:3\napiVersion: helm.toolkit.fluxcd.io/v2")
            assert "kind: HelmRelease" in text and "name: cilium" in text
            assert "could not read" not in text

            await pilot.press("escape", "escape")
            await pilot.press("3")
            talos = await wait_for_screen(pilot, TalosScreen)
            nodes = talos.query_one("#talos-nodes", ResourceTable)
            await wait_for(pilot, lambda: nodes.row_count == 5, what="talconfig's 5 nodes")
            row = [as_content(cell).plain for cell in nodes.cells("k8s-cp-1")]
            assert row[1:5] == ["k8s-cp-1", "controlplane", "v1.11.3", "v1.34.1"]
            assert [as_content(c).plain for c in nodes.cells("k8s-w-1")][2] == "worker"
            status = _plain(talos.query_one("#talos-status", Static))
            assert status == "Talos: live state unknown · offline (no kubeconfig)"
            summary = _plain(talos.query_one("#talos-nodes-summary", Static))
            assert (
                summary
                == "5 nodes in talconfig (3 controlplane, 2 worker) · live state unknown (offline)"
            )
            await settle(pilot)

    asyncio.run(run())


def test_online_detail_keeps_the_live_yaml() -> None:
    """Offline only: with a cluster, `y` asks the cluster (here a stub) as before."""

    class Details:
        def yaml(self, ref: ObjectRef) -> str:
            return f"live: {ref.name}"

        def events_for(self, ref: ObjectRef) -> tuple[()]:
            return ()

    async def run() -> None:
        backend = Backend(EXAMPLE_REPO, details=Details())  # type: ignore[arg-type]
        app = TuiopsApp(backend)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.state.overview is not None, what="the repo rows")
            app.open_detail(CILIUM)
            await wait_for_screen(pilot, DetailScreen)
            await pilot.press("y")
            screen = await wait_for_screen(pilot, TextScreen)
            body = screen.query_one("#body", Static)
            await wait_for(pilot, lambda: _plain(body) == "live: cilium", what="the live YAML")
            await settle(pilot)

    asyncio.run(run())


def test_corpus_repo_offline() -> None:
    root = corpus_dir() / CORPUS_REPO
    if not root.is_dir():
        pytest.skip(CORPUS_MISSING)
    session = ConsoleSession(Backend(root, offline_reason="offline (--offline)"))
    session.read_repo()
    rows = [row for row in session.snapshot().rows if row.location is not None]
    release = next(row for row in rows if row.ref.kind == "HelmRelease")

    async def run() -> None:
        app = TuiopsApp(Backend(root, offline_reason="offline (--offline)", read_only=True))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: "in the repo" in _bar(app), what="the bar's count")
            assert "offline (--offline) · " in _bar(app)
            app.open_detail(release.ref)
            await wait_for_screen(pilot, DetailScreen)
            await pilot.press("y")
            screen = await wait_for_screen(pilot, TextScreen)
            body = screen.query_one("#body", Static)
            await wait_for(pilot, lambda: "loading…" not in _plain(body), what="the YAML")
            assert _plain(body).startswith(f"# {release.location}\n")
            assert "kind: HelmRelease" in _plain(body)
            await pilot.press("escape", "escape", "3")
            talos = await wait_for_screen(pilot, TalosScreen)
            nodes = talos.query_one("#talos-nodes", ResourceTable)
            await wait_for(pilot, lambda: nodes.row_count == 4, what="talconfig's 4 nodes")
            roles = [
                as_content(nodes.cells(key)[2]).plain for key in ("k8s-control-1", "k8s-worker-0")
            ]
            assert roles == ["controlplane", "worker"]
            await settle(pilot)

    asyncio.run(run())


def test_console_outside_a_git_repo_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No repo and no kubeconfig: the reason `tuiops status` prints, not "reading the repo…"."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing-kubeconfig"))
    monkeypatch.setenv("HOME", str(tmp_path))
    args = build_parser([]).parse_args([])
    reason = f"{tmp_path.resolve()} is not inside a git repository; pass --repo DIR"

    async def run() -> None:
        with ExitStack() as stack:
            app = build_console(args, stack)
            async with app.run_test(size=(80, 24)) as pilot:
                await wait_for(
                    pilot, lambda: reason in _screen_text(app), seconds=5, what="the reason"
                )
                assert "reading the repo" not in _screen_text(app)
                await wait_for(pilot, lambda: "offline" in _bar(app), what="the offline bar")
                assert _bar(app).startswith("no context  offline (no kubeconfig)")
                await settle(pilot)

    asyncio.run(run())
