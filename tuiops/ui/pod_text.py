"""What the Pods screen draws, built from `tuiops.domain.workload_tree` nodes only (pure, so it
is tested without a running app): the tree's rows as table cells (workload → ReplicaSet → pod,
indented, status words in their tone) and the panel about the row under the cursor (why it is
not ready, its containers' states, its events with their ages and exact times).

All cluster text goes through `cluster_text` (inert, one line, Content); colours are Tones.
"""

from __future__ import annotations

from datetime import datetime

from textual.content import Content

from tuiops.domain.age import age_of
from tuiops.domain.pod_status import ContainerState
from tuiops.domain.refs import ObjectRef
from tuiops.domain.workload_tree import TreeNode, WorkloadTree
from tuiops.domain.workloads import Readiness
from tuiops.ui.column_layout import Column
from tuiops.ui.detail_text import Part, when
from tuiops.ui.tables import cluster_text
from tuiops.ui.tones import Tone

COLUMNS: tuple[Column, ...] = (
    Column("", 1),
    Column("Name", 24, 56),
    Column("Ready", 5),
    Column("Status", 12, 24),
    Column("Restarts", 3, 8, priority=1),
    Column("Age", 3, 6, priority=2),
    Column("Node", 16, 32, priority=3),
    Column("Message", 15, 400, priority=4),
)
"""The glyph, the indented name (grown first: a cut name is the worst cut), ready and status
always show; then, as room allows, restarts (the one sign of a pod that keeps crashing between
two looks at it, Running each time), age, the node, and the message, which takes what is left
(the panel below shows the message of the row under the cursor in full). Each column is at
most as wide as its widest cell (`tables.measured_columns`: a release has a few rows), and laid
out from the table's width (`ResourceTable.set_layout`)."""
SHORT_KIND = {
    "Deployment": "deploy",
    "StatefulSet": "sts",
    "DaemonSet": "ds",
    "Job": "job",
    "ReplicaSet": "rs",
    "Pod": "pod",
}
GLYPH = {
    Readiness.NOT_READY: ("✗", Tone.BAD),
    Readiness.UNKNOWN: ("?", Tone.WARN),
    Readiness.READY: ("✓", Tone.GOOD),
}
MAX_EVENTS = 20
STATE_TONE = {"running": Tone.GOOD, "waiting": Tone.WARN, "terminated": Tone.MUTED}


def row_key(node: TreeNode) -> str:
    """The table key of a node (its ref's text: unique within one release)."""
    return str(node.ref)


def row_cells(depth: int, node: TreeNode, now: datetime) -> tuple[Content, ...]:
    """The cells of one row: glyph, indented `kind name`, ready, status, restarts, age, node
    and why it is not ready."""
    glyph, tone = GLYPH[node.readiness]
    bad = node.readiness is Readiness.NOT_READY
    indent = "  " * depth + ("└ " if depth else "")
    name = Content.assemble(
        indent, (f"{SHORT_KIND.get(node.ref.kind, node.ref.kind)} ", Tone.MUTED)
    ) + cluster_text(node.ref.name, tone=Tone.STRONG if depth == 0 else None)
    status_tone = Tone.BAD if bad else Tone.WARN if node.readiness is Readiness.UNKNOWN else None
    restarts = "" if node.restarts is None else str(node.restarts)
    return (
        Content.styled(glyph, tone),
        name,
        Content.styled(node.ready, Tone.BAD) if _short(node.ready) else Content(node.ready),
        cluster_text(node.status, limit=24, tone=status_tone),
        Content.styled(restarts, Tone.WARN) if node.restarts else Content(restarts),
        Content(age_of(node.created, now) or "-"),
        cluster_text(node.node or ""),
        cluster_text(node.problem, limit=400, tone=Tone.BAD if node.cannot_create else None),
    )


def _short(ready: str) -> bool:
    """`have/wanted` with fewer than wanted (a rollout stuck with its old pods ready is not)."""
    have, _, wanted = ready.partition("/")
    return have.isdigit() and wanted.isdigit() and int(have) < int(wanted)


def title_text(release: ObjectRef, tree: WorkloadTree | str | None) -> Content:
    """`Pods of HelmRelease ns/name · ns/name.vN · 2 workloads, 1 not ready`, or loading / why
    not."""
    parts: list[Part] = [("Pods of ", Tone.STRONG), cluster_text(str(release))]
    if tree is None:
        parts.append(("  loading…", Tone.MUTED))
    elif isinstance(tree, str):
        parts += [("  could not read: ", Tone.BAD), cluster_text(tree, limit=300)]
    elif tree.note:
        parts += [("  ", Tone.MUTED), cluster_text(tree.note, limit=300, tone=Tone.WARN)]
    else:
        failing = sum(1 for node in tree.workloads if node.readiness is Readiness.NOT_READY)
        count = f"{len(tree.workloads)} workloads, {failing} not ready"
        parts += ["  ", cluster_text(tree.release, tone=Tone.MUTED)]
        parts.append((f" · {count}", Tone.BAD if failing else Tone.MUTED))
        if not tree.workloads:
            parts.append(
                ("\nthe release has no Deployment, StatefulSet, DaemonSet or Job", Tone.MUTED)
            )
        for line in tree.unread:
            parts += [("\nnot read: ", Tone.WARN), cluster_text(line, limit=200)]
    return Content.assemble(*parts)


def _container_line(container: ContainerState, now: datetime) -> list[Part]:
    label = f"{'init ' if container.init else ''}{container.name}"
    parts: list[Part] = ["\n  ", cluster_text(label, tone=Tone.STRONG), " "]
    word = container.state
    if container.reason:
        word += f" {container.reason}"
    if container.exit_code is not None:
        word += f" (exit {container.exit_code})"
    failing = container.reason not in ("", "Completed", "ContainerCreating", "PodInitializing")
    tone = Tone.BAD if failing else STATE_TONE.get(container.state, Tone.MUTED)
    parts.append(cluster_text(word, tone=tone))
    if container.since:
        parts += [
            ("  since ", Tone.MUTED),
            cluster_text(when(container.since, now), tone=Tone.MUTED),
        ]
    ready = "ready" if container.ready else "not ready"
    parts.append((f"  {ready} · restarts {container.restarts}", Tone.MUTED))
    if container.message:
        parts += ["\n    ", cluster_text(container.message, limit=500)]
    if container.last_terminated:
        parts += [("\n    last run: ", Tone.MUTED), cluster_text(container.last_terminated)]
    if container.image:
        parts += [("\n    image: ", Tone.MUTED), cluster_text(container.image)]
    return parts


def node_text(node: TreeNode | None, now: datetime) -> Content:
    """The panel about one row: what it is, why it is not ready, its containers and events."""
    if node is None:
        return Content.styled("no row selected", Tone.MUTED)
    glyph, tone = GLYPH[node.readiness]
    parts: list[Part] = [(f"{glyph} ", tone), (f"{node.ref.kind} ", Tone.STRONG)]
    parts += [cluster_text(node.ref.namespaced_name), "  ", cluster_text(node.status, tone=tone)]
    facts = [f"ready {node.ready}"]
    if node.restarts is not None:
        facts.append(f"restarts {node.restarts}")
    if node.node:
        facts.append(f"node {node.node}")
    if node.revision:
        facts.append(f"revision {node.revision}")
    if node.created:
        facts.append(f"created {when(node.created, now)}")
    parts += ["\n", cluster_text(" · ".join(facts), tone=Tone.MUTED)]
    if node.problem:
        label = "cannot create pods" if node.cannot_create else "not ready"
        text = node.problem.removeprefix("cannot create pods: ")
        parts += [(f"\n{label}: ", Tone.BAD), cluster_text(text, limit=1000)]
    if node.hidden_replica_sets:
        hidden = f"\n{node.hidden_replica_sets} old ReplicaSets scaled to 0 not listed"
        parts.append((hidden, Tone.MUTED))
    if node.ref.kind == "ReplicaSet" and not node.children and not node.cannot_create:
        parts.append(("\nno pods listed", Tone.MUTED))
    if node.containers:
        parts += ["\n", ("Containers", Tone.HEADING)]
        for container in node.containers:
            parts += _container_line(container, now)
    parts += ["\n", ("Events", Tone.HEADING)]
    if not node.events:
        parts.append(("\n  none", Tone.MUTED))
    for event in node.events[:MAX_EVENTS]:
        event_tone = Tone.WARN if event.is_warning else Tone.MUTED
        parts += ["\n  ", cluster_text(when(event.last_timestamp, now))]
        parts += [(f" {event.type.value:<7} ", event_tone), cluster_text(event.reason)]
        if event.count > 1:
            parts.append(f" x{event.count}")
        parts += [" ", cluster_text(event.message, limit=500)]
    return Content.assemble(*parts)
