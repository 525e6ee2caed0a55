"""Pilot tests of the Detail and History screens on the degraded demo cluster: the root cause of
intel-gpu-plugin is node-feature-discovery's failed upgrade, `r` jumps there, the Detail screen
names the object of node-feature-discovery's release that keeps it from being ready, and the
History screen diffs the values of two Helm revisions. Plus pure renderer checks."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator

import pytest
from rich.text import Text
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Static

from tests.pilot_waits import settle, wait_for, wait_for_screen
from tuiops.domain.events import Event
from tuiops.domain.helm import ReleaseRevision, ReleaseStatus
from tuiops.domain.live import LiveObject
from tuiops.domain.refs import ObjectRef
from tuiops.domain.workload_tree import WorkloadTree
from tuiops.domain.workloads import ObjectReadiness, Readiness, ReleaseObjects
from tuiops.errors import ClusterUnreachable
from tuiops.ports import ObjectDetails
from tuiops.services.backend import Backend
from tuiops.ui.app import TuiopsApp
from tuiops.ui.detail_text import MAX_RELEASE_OBJECTS, events_text, release_objects_text
from tuiops.ui.screens.detail import DetailScreen
from tuiops.ui.screens.history import HistoryScreen, diff_text, merge_history
from tuiops.ui.tones import Tone
from tuiops.ui.widgets.resource_table import ResourceTable
from tuiops.wiring import demo_backend

GPU = ObjectRef("HelmRelease", "kube-system", "intel-gpu-plugin")
NFD = ObjectRef("HelmRelease", "kube-system", "node-feature-discovery")
METRICS_SERVER = ObjectRef("HelmRelease", "kube-system", "metrics-server")
MISSING_ACCOUNT = 'serviceaccount "nfd-worker" not found'


@pytest.fixture
def backend() -> Iterator[Backend]:
    with demo_backend(frozen_clock=True) as demo:
        yield demo


def screen_text(app: TuiopsApp) -> str:
    """The plain text of every Static on the active screen."""
    parts = []
    for static in app.screen.query(Static):
        content = static.content
        parts.append(content.plain if isinstance(content, Text | Content) else str(content))
    return "\n".join(parts)


async def detail_of(pilot: Pilot[None], ref: ObjectRef) -> DetailScreen:
    """Wait until the Detail page of `ref` is on top and mounted; return it."""

    def shown() -> bool:
        screen = pilot.app.screen
        return isinstance(screen, DetailScreen) and screen.ref == ref and screen.is_mounted

    await wait_for(pilot, shown, what=f"the Detail page of {ref}")
    screen = pilot.app.screen
    assert isinstance(screen, DetailScreen)
    return screen


def test_detail_names_root_cause_and_jumps(backend: Backend) -> None:
    async def run() -> None:
        app = TuiopsApp(backend)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: GPU in app.state.objects and bool(app.state.rows))
            app.open_detail(GPU)
            await wait_for_screen(pilot, DetailScreen)
            text = screen_text(app)
            assert "intel-gpu-plugin → intel-device-plugins-operator → node-feature-discovery" in (
                text
            )
            assert "first failing: HelmRelease/kube-system/node-feature-discovery" in text
            assert "upgrade failed" in text.lower()
            assert "helm-release.yaml:" in text
            await wait_for(pilot, lambda: "loading…" not in screen_text(app))

            await pilot.press("r")
            await detail_of(pilot, NFD)
            assert "0.18.2" in screen_text(app)

            await pilot.press("escape")
            await detail_of(pilot, GPU)

    asyncio.run(run())


def section(app: TuiopsApp, name: str) -> Static:
    return app.screen.query_one(f"#{name}", Static)


def section_text(app: TuiopsApp, name: str) -> str:
    content = section(app, name).content
    return content.plain if isinstance(content, Text | Content) else str(content)


def test_detail_names_the_culprit_of_a_timed_out_release(backend: Backend) -> None:
    async def run() -> None:
        app = TuiopsApp(backend)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: NFD in app.state.objects and bool(app.state.rows))
            app.open_detail(NFD)
            screen = await wait_for_screen(pilot, DetailScreen)
            assert screen.selected_ref() == NFD
            assert section(app, "release-objects").display
            await wait_for(pilot, lambda: MISSING_ACCOUNT in section_text(app, "release-objects"))
            lines = section_text(app, "release-objects").splitlines()
            assert lines[0].startswith("Not ready in the release")
            assert "kube-system/node-feature-discovery.v" in lines[0]
            culprits = [line for line in lines if line.startswith("  ✗ ")]
            # Only the worker Deployment is stuck; nfd-master and the accounts are fine.
            assert len(culprits) == 1, lines
            (culprit,) = culprits
            assert culprit.startswith("  ✗ Deployment kube-system/nfd-worker: ")
            assert "FailedCreate" in culprit and "Error creating: pods" in culprit
            assert "0/1 updated" in culprit
            assert any(line.strip().endswith("objects ready") for line in lines), lines
            # The HelmRelease itself only says that Helm's wait ran out of time.
            assert "context deadline exceeded" in section_text(app, "conditions")

            await pilot.press("escape")
            app.open_detail(GPU)
            await detail_of(pilot, GPU)
            # Blocked by its dependency: its own objects are fine, and the page says so.
            await wait_for(pilot, lambda: "objects ready" in section_text(app, "release-objects"))
            assert "✗" not in section_text(app, "release-objects")
            assert "all " in section_text(app, "release-objects")

    asyncio.run(run())


class CountingDetails:
    """An ObjectDetails that counts `release_objects` calls and passes everything on."""

    def __init__(self, inner: ObjectDetails) -> None:
        self.inner = inner
        self.release_reads: list[ObjectRef] = []

    def events_for(self, ref: ObjectRef) -> tuple[Event, ...]:
        return self.inner.events_for(ref)

    def flux_events(self, namespace: str = "") -> tuple[Event, ...]:
        return self.inner.flux_events(namespace)

    def describe(self, ref: ObjectRef) -> str:
        return self.inner.describe(ref)

    def yaml(self, ref: ObjectRef) -> str:
        return self.inner.yaml(ref)

    def revisions(self, release: LiveObject) -> tuple[ReleaseRevision, ...]:
        return self.inner.revisions(release)

    def release_objects(self, release: LiveObject) -> ReleaseObjects:
        self.release_reads.append(release.ref)
        return self.inner.release_objects(release)

    def workload_tree(self, release: LiveObject) -> WorkloadTree:
        return self.inner.workload_tree(release)


def test_ready_release_reads_no_release_objects(backend: Backend) -> None:
    assert backend.details is not None
    counting = CountingDetails(backend.details)

    async def run() -> None:
        app = TuiopsApp(dataclasses.replace(backend, details=counting))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: METRICS_SERVER in app.state.objects)
            live = app.state.objects[METRICS_SERVER]
            assert live.ready is not None and live.ready.is_true
            app.open_detail(METRICS_SERVER)
            await wait_for_screen(pilot, DetailScreen)
            assert not section(app, "release-objects").display
            await settle(pilot)  # its reads are done: none was of the release's objects
            assert counting.release_reads == []
            await pilot.press("escape")
            app.open_detail(NFD)
            await detail_of(pilot, NFD)
            await wait_for(pilot, lambda: MISSING_ACCOUNT in section_text(app, "release-objects"))
            assert counting.release_reads == [NFD]

    asyncio.run(run())


def test_history_diff(backend: Backend) -> None:
    async def run() -> None:
        app = TuiopsApp(backend)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: NFD in app.state.objects)
            app.open_history(NFD)
            screen = await wait_for_screen(pilot, HistoryScreen)
            await wait_for(pilot, lambda: bool(screen.revisions))
            table = screen.query_one(ResourceTable)
            assert table.row_count >= 2
            assert [item.number for item in screen.merged] == sorted(
                (item.number for item in screen.merged), reverse=True
            )
            await pilot.press("space", "down", "enter")
            await settle(pilot)
            assert screen.marked == screen.merged[0].number
            diff = screen.query_one("#diff", Static).content
            assert isinstance(diff, Content)
            changed = [
                line
                for line in diff.plain.splitlines()
                if line[:1] in "+-" and not line.startswith(("+++", "---"))
            ]
            assert changed, diff.plain

    asyncio.run(run())


def _revision(number: int, values: str) -> ReleaseRevision:
    return ReleaseRevision(
        "r", "ns", number, ReleaseStatus.DEPLOYED, "c", "1", "1", "", "", "d", values
    )


def test_diff_text_is_inert_and_in_tones() -> None:
    text = diff_text(_revision(1, '{"a":"x"}'), _revision(2, '{"a":"\\u001b[31mevil"}'))
    assert "\x1b" not in text.plain
    added = [text.plain[span.start : span.end] for span in text.spans if span.style == Tone.ADDED]
    removed = [
        text.plain[span.start : span.end] for span in text.spans if span.style == Tone.REMOVED
    ]
    assert added and all(line.startswith("+") for line in added)
    assert removed and all(line.startswith("-") for line in removed)


def test_merge_and_events_placeholders() -> None:
    merged = merge_history((_revision(1, "{}"), _revision(3, "{}")), ())
    assert [item.number for item in merged] == [3, 1]
    assert "loading…" in events_text(None).plain
    assert "could not read events: boom" in events_text("boom\x1b[2J").plain


def test_offline_screens_say_so() -> None:
    async def run() -> None:
        app = TuiopsApp(Backend(None, offline_reason="offline (--offline)", read_only=True))
        async with app.run_test(size=(80, 24)) as pilot:
            app.open_history(NFD)
            await wait_for_screen(pilot, HistoryScreen)
            assert "Helm storage unavailable: offline (--offline)" in screen_text(app)
            await pilot.press("escape")
            app.open_detail(GPU)
            await wait_for(pilot, lambda: "unknown · offline (--offline)" in screen_text(app))
            # Offline nothing is known about the cluster: no claim that the object is absent.
            assert "live status unknown (offline)" in screen_text(app)
            assert "not in the cluster" not in screen_text(app)

    asyncio.run(run())


def _status(kind: str, name: str, readiness: Readiness, reason: str) -> ObjectReadiness:
    return ObjectReadiness(ObjectRef(kind, "ns", name), readiness, reason)


def test_release_objects_text() -> None:
    assert "loading…" in release_objects_text(None).plain
    failed = release_objects_text("boom\x1b]0;title\x07").plain
    assert "could not read the release objects: boom" in failed and "\x1b" not in failed
    empty = release_objects_text(ReleaseObjects("ns/app.v1")).plain
    assert "the manifest names no objects" in empty and "all 0" not in empty
    noted = release_objects_text(ReleaseObjects(note="no revision of ns/x in the Helm storage"))
    assert "could not read the release objects: no revision of ns/x" in noted.plain

    fine = ReleaseObjects(
        "ns/app.v3",
        (
            _status("Deployment", "app", Readiness.READY, ""),
            _status("Service", "app", Readiness.READY, ""),
        ),
    )
    assert "all 2 objects ready" in release_objects_text(fine).plain
    partly = ReleaseObjects(
        "ns/app.v3",
        (
            _status("Widget", "w", Readiness.UNKNOWN, "not checked: tuiops does not read x/v1"),
            _status("Service", "app", Readiness.READY, ""),
        ),
    )
    text = release_objects_text(partly).plain
    assert "1 of 2 ready" in text and "all 2" not in text
    assert "? Widget ns/w: not checked" in text

    many = ReleaseObjects(
        "ns/app.v3",
        tuple(
            _status("Pod", f"p{n:02d}", Readiness.NOT_READY, "pod \x1b[31mPending")
            for n in range(MAX_RELEASE_OBJECTS + 2)
        ),
        unreadable_documents=1,
    )
    text = release_objects_text(many).plain
    assert text.count("✗ Pod") == MAX_RELEASE_OBJECTS
    assert "… 2 more" in text and "\x1b" not in text
    assert "0 of 17 objects ready" in text
    assert "1 manifest documents not understood" in text


class FailingRevisions(CountingDetails):
    """Helm storage reads fail: with a tool error, or with a bug."""

    def __init__(self, inner: ObjectDetails, error: Exception) -> None:
        super().__init__(inner)
        self.error = error

    def revisions(self, release: LiveObject) -> tuple[ReleaseRevision, ...]:
        raise self.error


@pytest.mark.parametrize(
    ("error", "shown", "notified"),
    [
        (ClusterUnreachable("connection refused"), "connection refused", ""),
        (KeyError("decoder bug"), "unexpected error", "decoder bug"),
    ],
    ids=["tool-error", "bug"],
)
def test_history_says_why_helm_storage_is_missing(
    backend: Backend, error: Exception, shown: str, notified: str
) -> None:
    """Never "loading Helm storage…" for ever: a TuiopsError is the line; a bug says so
    and reaches the app's failure handler, which notifies it."""
    assert backend.details is not None
    failing = FailingRevisions(backend.details, error)

    async def run() -> None:
        app = TuiopsApp(dataclasses.replace(backend, details=failing))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: NFD in app.state.objects)
            app.open_history(NFD)
            await wait_for(pilot, lambda: "could not read Helm storage" in screen_text(app))
            assert f"could not read Helm storage: {shown}" in screen_text(app)
            assert "loading" not in screen_text(app)
            if notified:
                await wait_for(pilot, lambda: bool(app._notifications))
                assert any(notified in note.message for note in app._notifications)

    asyncio.run(run())
