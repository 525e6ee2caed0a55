"""`:ctx` and `:cluster`.

`:ctx` against two simulated clusters in one merged kubeconfig (the degraded and the healthy
scenario, same repo): the status bar names the context and the repo cluster, `:ctx NAME`
switches live, every snapshot built on the new context holds only the new cluster's objects
(nothing stale), a pushed Detail is closed, confirmations name the new context, `:ctx` alone
lists both contexts to pick from, and a context the kubeconfig cannot use is one line while
the console stays where it was. `:cluster NAME` shows another cluster of a repo that has
several (`clusters/<name>/`), `:cluster` lists them.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import yaml
from textual.widgets import OptionList, Static

from tests.pilot_waits import wait_for, wait_for_screen
from tuiops.domain.refs import ObjectRef
from tuiops.domain.status import Health
from tuiops.services.console_snapshot import ConsoleState
from tuiops.sim.example_repo import EXAMPLE_REPO, copy_example
from tuiops.sim.session import Simulation, start_simulation
from tuiops.ui.app import TuiopsApp
from tuiops.ui.screens.choose import ChooseScreen
from tuiops.ui.screens.confirm import ConfirmScreen
from tuiops.ui.screens.detail import DetailScreen
from tuiops.ui.screens.layers import LayersScreen
from tuiops.ui.widgets.status_bar import StatusBar
from tuiops.wiring import cluster_backend

NFD = ObjectRef("HelmRelease", "kube-system", "node-feature-discovery")
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def merged_kubeconfig(path: Path, clusters: dict[str, Simulation], current: str) -> Path:
    """One kubeconfig naming every simulated cluster as its own context."""
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": current,
        "clusters": [
            {"name": name, "cluster": {"server": sim.cluster.url}} for name, sim in clusters.items()
        ],
        "users": [{"name": "admin", "user": {"token": "tuiops-sim-token"}}],
        "contexts": [
            {"name": name, "context": {"cluster": name, "user": "admin"}} for name in clusters
        ],
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


@contextmanager
def two_clusters(tmp_path: Path) -> Iterator[tuple[TuiopsApp, dict[str, Simulation]]]:
    with ExitStack() as stack:
        clusters = {
            f"home-{scenario}": stack.enter_context(
                start_simulation(
                    scenario,
                    controllers=False,
                    frozen_clock=True,
                    workdir=tmp_path / scenario,
                )
            )
            for scenario in ("degraded", "healthy")
        }
        kubeconfig = merged_kubeconfig(tmp_path / "kubeconfig", clusters, "home-degraded")
        backend = cluster_backend(EXAMPLE_REPO, kubeconfig=str(kubeconfig))
        yield TuiopsApp(backend, clock=lambda: NOW), clusters


def _bar(app: TuiopsApp) -> str:
    return app.screen.query_one(StatusBar).render().plain


def _notified(app: TuiopsApp, text: str) -> bool:
    return any(text in str(notice.message) for notice in app._notifications)


def test_ctx_switches_live_and_shows_nothing_of_the_old_context(tmp_path: Path) -> None:
    async def main() -> None:
        with two_clusters(tmp_path) as (app, _clusters):
            built: list[tuple[str, ConsoleState]] = []
            snapshot = app.session.snapshot

            def recording() -> ConsoleState:
                state = snapshot()
                built.append((app.session.backend.label, state))
                return state

            app.session.snapshot = recording  # type: ignore[method-assign]
            async with app.run_test(size=(120, 40)) as pilot:
                await wait_for(pilot, lambda: app.state.connection == "live", 30)
                assert _bar(app).startswith("home-degraded · cluster main  live")
                degraded_nfd = app.state.objects[NFD]
                assert degraded_nfd.health is Health.FAILED
                app.open_detail(NFD)
                await wait_for_screen(pilot, DetailScreen)

                await pilot.press("colon", *"ctx home-h", "tab", "enter")
                # From the moment the switch is announced, the screens show the new context's
                # snapshot, not the old one until the new lists arrive.
                await wait_for(pilot, lambda: _notified(app, "context home-healthy"))
                assert any(state is app.state for label, state in built if label == "home-healthy")
                await wait_for(pilot, lambda: isinstance(app.screen, LayersScreen))
                await wait_for(pilot, lambda: app.state.connection == "live", 30)
                await wait_for(pilot, lambda: _bar(app).startswith("home-healthy · cluster main"))
                healthy = dict(app.state.objects)
                assert healthy[NFD].health is Health.READY  # the healthy cluster's release
                after = [state for label, state in built if label == "home-healthy"]
                # The first picture is connecting (empty) or, when the new lists won the race,
                # already the healthy cluster's; never an object as the degraded cluster had it.
                assert after
                for state in after:
                    assert all(healthy[ref] == obj for ref, obj in state.objects.items())
                assert app.state.overview is not None
                assert len(app.state.overview.not_ready) < len(built[0][1].rows)

                # Confirmations name the context they will act on: the new one.
                app.open_detail(NFD)
                await wait_for_screen(pilot, DetailScreen)
                await pilot.press("R")
                dialog = await wait_for_screen(pilot, ConfirmScreen)
                assert dialog.context == "home-healthy"
                words = " ".join(str(static.content) for static in dialog.query(Static))
                assert "home-healthy" in words
                await pilot.press("n")

    asyncio.run(main())


def test_ctx_alone_lists_the_contexts_and_picks_one(tmp_path: Path) -> None:
    async def main() -> None:
        with two_clusters(tmp_path) as (app, _clusters):
            async with app.run_test(size=(80, 24)) as pilot:
                await wait_for(pilot, lambda: app.state.connection == "live", 30)
                await pilot.press("colon", *"ctx", "enter")
                chooser = await wait_for_screen(pilot, ChooseScreen)
                assert [choice.name for choice in chooser.choices] == [
                    "home-degraded",
                    "home-healthy",
                ]
                assert [choice.in_use for choice in chooser.choices] == [True, False]
                assert chooser.query_one(OptionList).highlighted == 0  # the one in use
                await pilot.press("down", "enter")
                await wait_for(pilot, lambda: app.backend.label == "home-healthy")
                await wait_for(pilot, lambda: app.state.connection == "live", 30)
                assert app.state.objects[NFD].health is Health.READY

    asyncio.run(main())


def test_an_unusable_context_is_one_line_and_nothing_changes(tmp_path: Path) -> None:
    async def main() -> None:
        with two_clusters(tmp_path) as (app, _clusters):
            async with app.run_test(size=(80, 24)) as pilot:
                await wait_for(pilot, lambda: app.state.connection == "live", 30)
                before = app.backend
                await pilot.press("colon", *"ctx nowhere", "enter")
                await wait_for(pilot, lambda: _notified(app, "has no context 'nowhere'"))
                assert app.backend is before
                assert app.state.connection == "live"
                assert _bar(app).startswith("home-degraded")

    asyncio.run(main())


def two_cluster_repo(tmp_path: Path) -> Path:
    """The example repo with a second cluster, `lab`: a copy of `main` without its apps layer."""
    repo = copy_example(tmp_path / "repo")
    lab = repo / "clusters" / "lab"
    shutil.copytree(repo / "clusters" / "main", lab)
    for path in lab.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("clusters/main", "clusters/lab"), encoding="utf-8")
    shutil.rmtree(lab / "kubernetes" / "apps")
    return repo


def test_cluster_switches_the_repo_cluster_shown(tmp_path: Path) -> None:
    async def main() -> None:
        app = TuiopsApp(cluster_backend(two_cluster_repo(tmp_path), offline=True))
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.state.overview is not None)
            assert app.session.cluster_names == ("lab", "main")
            assert app.state.overview is not None and app.state.overview.cluster == "lab"
            lab_rows = len(app.state.rows)
            assert "· cluster lab" in _bar(app)

            await pilot.press("colon", *"cluster m", "tab", "enter")
            await wait_for(pilot, lambda: "· cluster main" in _bar(app))
            assert len(app.state.rows) > lab_rows  # main has the apps layer lab lacks

            await pilot.press("colon", *"cluster", "enter")
            chooser = await wait_for_screen(pilot, ChooseScreen)
            assert [(c.name, c.in_use) for c in chooser.choices] == [
                ("lab", False),
                ("main", True),
            ]
            await pilot.press("up", "enter")
            await wait_for(pilot, lambda: "· cluster lab" in _bar(app))
            assert len(app.state.rows) == lab_rows

            await pilot.press("colon", *"cluster nope", "enter")
            await wait_for(pilot, lambda: _notified(app, "no cluster 'nope' (clusters: lab, main)"))
            assert "· cluster lab" in _bar(app)

    asyncio.run(main())
