"""Cycles Flux never reconciles: dependsOn loops and kustomizations that include themselves.

A Kustomization or HelmRelease waits until everything in its `dependsOn` is ready, so a loop of
them (or one object naming itself) waits forever. A kustomize folder whose `resources` or
`components` lead back to itself fails `kustomize build` ("cycle detected"), so the Flux
Kustomization building it never applies. Each strongly connected group is reported once, with
one cycle through it spelled out (the shortest one back to its first member in sort order).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from tuiops.domain.findings import Finding, Severity
from tuiops.domain.flux import FluxKustomization, HelmRelease
from tuiops.domain.refs import ObjectRef
from tuiops.gitops.kustomize import Kustomize
from tuiops.gitops.tree import RepoTree

N = TypeVar("N", bound=Hashable)


def strongly_connected(nodes: Sequence[N], edges: Mapping[N, Sequence[N]]) -> list[list[N]]:
    """Tarjan's strongly connected components, iterative (a 10,000-long chain is fine)."""
    index: dict[N, int] = {}
    low: dict[N, int] = {}
    on_stack: set[N] = set()
    stack: list[N] = []
    groups: list[list[N]] = []
    for start in nodes:
        if start in index:
            continue
        work: list[tuple[N, int]] = [(start, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            successors = edges.get(node, ())
            if position < len(successors):
                work.append((node, position + 1))
                successor = successors[position]
                if successor not in index:
                    work.append((successor, 0))
                elif successor in on_stack:
                    low[node] = min(low[node], index[successor])
                continue
            if low[node] == index[node]:
                group: list[N] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                groups.append(group)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return groups


def _cycle_through(start: N, members: set[N], edges: Mapping[N, Sequence[N]]) -> list[N]:
    """The shortest path from `start` back to itself inside `members`, both ends included."""
    previous: dict[N, N] = {}
    queue: deque[N] = deque([start])
    while queue:
        node = queue.popleft()
        for successor in edges.get(node, ()):
            if successor not in members:
                continue
            if successor == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [*reversed(path), start]
            if successor not in previous:
                previous[successor] = node
                queue.append(successor)
    return [start, start]


def find_cycles(
    nodes: Iterable[N], edges: Mapping[N, Sequence[N]], order: Callable[[N], str]
) -> list[list[N]]:
    """One cycle per loop of the graph (self-loops included), as `[a, b, ..., a]`."""
    ordered = sorted(set(nodes), key=order)
    cycles = []
    for group in strongly_connected(ordered, edges):
        first = min(group, key=order)
        if len(group) > 1 or first in edges.get(first, ()):
            cycles.append(_cycle_through(first, set(group), edges))
    return sorted(cycles, key=lambda cycle: order(cycle[0]))


def depends_on_findings(objects: Iterable[FluxKustomization | HelmRelease]) -> list[Finding]:
    """dependsOn naming the object itself, and dependsOn loops, as errors."""
    by_ref: dict[ObjectRef, FluxKustomization | HelmRelease] = {}
    for obj in objects:
        by_ref.setdefault(obj.ref, obj)
    edges = {
        ref: [d for d in dict.fromkeys(obj.depends_on) if d in by_ref and d != ref]
        for ref, obj in by_ref.items()
    }
    findings = []
    for ref, obj in by_ref.items():
        if ref in obj.depends_on:
            findings.append(
                Finding(
                    Severity.ERROR,
                    "depends-on-self",
                    obj.location.file,
                    obj.location.line,
                    f"{ref} lists itself in dependsOn: Flux never reconciles it",
                )
            )
    for cycle in find_cycles(by_ref, edges, str):
        first = by_ref[cycle[0]]
        spelled = " -> ".join(ref.namespaced_name for ref in cycle)
        findings.append(
            Finding(
                Severity.ERROR,
                "depends-on-cycle",
                first.location.file,
                first.location.line,
                f"{cycle[0].kind} dependsOn cycle: {spelled}: Flux never reconciles these",
            )
        )
    return findings


@dataclass(frozen=True, slots=True)
class IncludeCycle:
    """Kustomize folders that include each other: `folders[0]` ... back to `folders[0]`."""

    folders: tuple[str, ...]
    file: str
    """Kustomization file of the first folder."""
    line: int | None
    """Line of the entry in `file` that starts the loop."""


def include_cycles(tree: RepoTree, kustomize: Kustomize) -> list[IncludeCycle]:
    """Every loop of kustomization folders through `resources`/`components` entries."""
    folders = [path for path in tree.files_in_dir if kustomize.kustomization_file(path)]
    edges: dict[str, list[str]] = {}
    written: dict[tuple[str, str], str] = {}
    for path in folders:
        folder = kustomize.folder(path)
        if folder is None:
            continue
        for entry in (*folder.resources, *folder.components):
            if entry.is_dir:
                edges.setdefault(path, []).append(entry.path)
                written.setdefault((path, entry.path), entry.written)
    cycles = []
    for cycle in find_cycles(folders, edges, lambda path: path):
        file = kustomize.kustomization_file(cycle[0]) or cycle[0]
        listed = written.get((cycle[0], cycle[1]), "")
        line = _line_of(tree.texts.get(file, ""), listed)
        cycles.append(IncludeCycle(tuple(cycle), file, line))
    return cycles


def _line_of(text: str, written: str) -> int | None:
    """The line listing `written` as an entry (`- written`), if it can be found."""
    for number, line in enumerate(text.splitlines(), start=1):
        item = line.strip().removeprefix("-").strip().strip("'\"")
        if item == written and line.lstrip().startswith("-"):
            return number
    return None
