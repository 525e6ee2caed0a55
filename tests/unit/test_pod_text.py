"""The Pods screen's renderers (`ui/pod_text.py`) and Detail's event times (`detail_text.when`),
pure: a crash-looping pod's panel names each container's state, the previous run and the
events with age and exact time; rows are indented under their owner with tones by readiness;
hostile cluster text stays inert; the columns an 80- and a 120-column table show."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from textual.content import Content

from tuiops.domain.events import Event, EventType
from tuiops.domain.pod_status import ContainerState
from tuiops.domain.refs import ObjectRef
from tuiops.domain.workload_tree import TreeNode, WorkloadTree
from tuiops.domain.workloads import Readiness
from tuiops.ui.column_layout import Placed, fit_columns
from tuiops.ui.detail_text import events_text, when
from tuiops.ui.pod_text import COLUMNS, node_text, row_cells, title_text
from tuiops.ui.tables import measured_columns
from tuiops.ui.tones import Tone

NOW = datetime(2025, 11, 25, 10, 10, 0, tzinfo=UTC)
POD = ObjectRef("Pod", "ns", "db-0")


def _event(message: str) -> Event:
    return Event(
        POD, "v1", EventType.WARNING, "BackOff", message, 12, "", "2025-11-25T10:05:00Z", "kubelet"
    )


def crashing() -> TreeNode:
    return TreeNode(
        ref=POD,
        readiness=Readiness.NOT_READY,
        ready="1/2",
        status="CrashLoopBackOff",
        problem="container db waiting: CrashLoopBackOff",
        created="2025-11-25T09:10:00Z",
        restarts=7,
        node="k8s-w-1",
        containers=(
            ContainerState(
                "db",
                False,
                "waiting",
                "CrashLoopBackOff",
                "back-off 5m0s \x1b[2J",
                restarts=7,
                image="postgres:16",
                last_terminated="exit 1 (Error)",
            ),
            ContainerState("sidecar", False, "running", since="2025-11-25T09:11:00Z", ready=True),
        ),
        events=(_event("Back-off restarting failed container db"),),
    )


def test_when_gives_age_and_exact_time() -> None:
    assert when("2025-11-25T10:05:00Z", NOW) == "5m (2025-11-25 10:05:00)"
    assert when("2025-11-25T10:05:00Z", None) == "2025-11-25 10:05:00"
    assert when("", NOW) == "-"
    assert when("yesterday", NOW) == "yesterday"
    text = events_text((_event("x"),), NOW).plain
    assert "\n  5m (2025-11-25 10:05:00) Warning BackOff x12 [Pod/db-0] x" in text


def test_a_crashing_pod_panel() -> None:
    text = node_text(crashing(), NOW).plain
    lines = text.splitlines()
    assert lines[0] == "✗ Pod ns/db-0  CrashLoopBackOff"
    assert lines[1] == ("ready 1/2 · restarts 7 · node k8s-w-1 · created 60m (2025-11-25 09:10:00)")
    assert lines[2] == "not ready: container db waiting: CrashLoopBackOff"
    assert "  db waiting CrashLoopBackOff  not ready · restarts 7" in lines
    assert "    back-off 5m0s \\x1b[2J" in lines  # inert: the escape is shown, not sent
    assert "    last run: exit 1 (Error)" in lines
    assert "    image: postgres:16" in lines
    assert any(
        line.startswith("  sidecar running  since 59m (2025-11-25 09:11:00)") for line in lines
    )
    assert (
        "  5m (2025-11-25 10:05:00) Warning BackOff x12 Back-off restarting failed container db"
        in lines
    )
    assert "\x1b" not in text


def test_rows_indent_under_their_owner_in_their_tone() -> None:
    stuck = TreeNode(
        ObjectRef("ReplicaSet", "ns", "web-1"),
        Readiness.NOT_READY,
        "0/1",
        "FailedCreate",
        'cannot create pods: serviceaccount "web" not found',
    )
    cells = row_cells(1, stuck, NOW)
    assert cells[0].plain == "✗" and cells[0].spans[0].style == Tone.BAD
    assert cells[1].plain == "  └ rs web-1"
    assert [cell.plain for cell in cells[2:6]] == ["0/1", "FailedCreate", "", "-"]
    assert cells[2].spans[0].style == Tone.BAD  # fewer ready than wanted
    assert cells[-1].spans[0].style == Tone.BAD  # cannot create pods: in the failure tone
    top = row_cells(0, crashing(), NOW)
    assert top[1].plain == "pod db-0" and top[4].plain == "7"
    stuck_rollout = TreeNode(ObjectRef("Deployment", "ns", "web"), Readiness.NOT_READY, "1/1", "x")
    assert row_cells(0, stuck_rollout, NOW)[2].spans == []  # its old pods are all ready
    assert "cannot create pods" in node_text(stuck, NOW).plain


def test_title_says_what_was_read() -> None:
    release = ObjectRef("HelmRelease", "ns", "web")
    assert "loading…" in title_text(release, None).plain
    assert "could not read: boom" in title_text(release, "boom").plain
    tree = WorkloadTree("ns/web.v3", (crashing(),), unread=("events in ns: forbidden",))
    text = title_text(release, tree).plain
    assert "ns/web.v3 · 1 workloads, 1 not ready" in text
    assert "not read: events in ns: forbidden" in text


def _layout(cells: list[tuple[Content, ...]], width: int) -> list[Placed]:
    return list(fit_columns(measured_columns(COLUMNS, cells), width))


def test_narrow_tables_keep_name_ready_and_status_whole() -> None:
    deployment = TreeNode(
        ObjectRef("Deployment", "ns", "postgres"),
        Readiness.NOT_READY,
        "0/1",
        "Progressing",
        "progress deadline exceeded",
        created="2025-09-01T00:00:00Z",
    )
    pod = replace(crashing(), ref=ObjectRef("Pod", "ns", "postgres-7d9f8b6c5-x2x9q"))
    cells = [row_cells(0, deployment, NOW), row_cells(2, pod, NOW)]
    # 80 columns (78 for the table): the essential columns whole, then restarts.
    placed = _layout(cells, 78)
    assert [column.label for column in placed] == ["", "Name", "Ready", "Status", "Restarts"]
    widths = {column.label: column.width for column in placed}
    assert widths["Name"] == len("    └ pod postgres-7d9f8b6c5-x2x9q")
    assert widths["Status"] == len("CrashLoopBackOff")
    # 120 columns: everything, the message last with what is left.
    placed = _layout(cells, 118)
    assert [column.label for column in placed][4:] == ["Restarts", "Age", "Node", "Message"]
    assert sum(column.width + 2 for column in placed) <= 118
    # Very narrow: the essential columns alone.
    assert [column.label for column in _layout(cells, 40)] == ["", "Name", "Ready", "Status"]
    # An empty table still has its header.
    assert [column.label for column in _layout([], 78)][:4] == ["", "Name", "Ready", "Status"]
