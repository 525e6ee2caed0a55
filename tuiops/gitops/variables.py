"""Which `${VAR}` each cluster defines and uses, under Flux's substitution rules.

Uses are counted only where Flux substitutes: documents in the build of a reachable Flux
Kustomization that has `postBuild` (own or injected), outside comments, not escaped (`$${X}`),
not in objects marked `kustomize.toolkit.fluxcd.io/substitute: disabled`. clustertool's
`talconfig.yaml` is filled from clusterenv (plus derived names) by talhelper, so it counts too.
Keys clustertool reads itself, and the keys it derives from them, are "used by clustertool":
never unused, even when no manifest names them.
"""

from __future__ import annotations

from collections import defaultdict

from tuiops.domain.decode import as_map, as_str
from tuiops.domain.refs import SourceLocation
from tuiops.domain.variables import Variable, VariableDefinition, VariableReport, VariableUse
from tuiops.gitops import clustertool
from tuiops.gitops.clusterenv import ClusterEnv, location_of
from tuiops.gitops.graph import ClusterWalk
from tuiops.gitops.kustomize import SUBSTITUTE_MARKER
from tuiops.gitops.substitution import references_by_line
from tuiops.gitops.tree import DocumentAt, RepoTree


def _substitution_disabled(data: object) -> bool:
    metadata = as_map(as_map(data).get("metadata"))
    marks = {**as_map(metadata.get("labels")), **as_map(metadata.get("annotations"))}
    return as_str(marks.get(SUBSTITUTE_MARKER)) == "disabled"


class VariableReader:
    """Builds the variable report of one cluster."""

    def __init__(self, tree: RepoTree) -> None:
        self._tree = tree
        self._lines: dict[str, list[str]] = {}

    def _document_text(self, doc: DocumentAt) -> str:
        lines = self._lines.get(doc.file)
        if lines is None:
            lines = self._tree.texts.get(doc.file, "").splitlines()
            self._lines[doc.file] = lines
        return "\n".join(lines[doc.document.line - 1 : doc.document.end_line])

    def read(self, walk: ClusterWalk, env: ClusterEnv | None) -> VariableReport:
        definitions: dict[str, list[VariableDefinition]] = defaultdict(list)
        uses: list[VariableUse] = []
        undefined: list[VariableUse] = []
        cluster_wide: set[str] = set()
        seen_sources: set[SourceLocation] = set()
        if env is not None:
            for key, value in env.values.items():
                definitions[key].append(
                    VariableDefinition(
                        key, "clusterenv", location_of(env, key), None, value is None
                    )
                )
            cluster_wide.update(env.values)
        for reached in walk.kustomizations.values():
            scope = reached.scope
            for source in scope.sources:
                if source.location in seen_sources:
                    continue
                seen_sources.add(source.location)
                top_level = (
                    reached.parent is None or walk.kustomizations[reached.parent].parent is None
                )
                # A clusterenv stand-in for cluster-config repeats clusterenv's own keys.
                if top_level and source.origin != "clusterenv":
                    cluster_wide.update(source.values)
                for key, value in source.values.items():
                    definitions[key].append(
                        VariableDefinition(
                            key, source.origin, source.location, source.ref, value is None
                        )
                    )
            for key, _value in reached.ks.substitute:
                definitions[key].append(
                    VariableDefinition(key, "substitute", reached.ks.location, reached.ks.ref)
                )
            if not scope.enabled:
                continue
            for item in reached.items:
                if _substitution_disabled(item.doc.data):
                    continue
                text = self._document_text(item.doc)
                for line, reference in references_by_line(text, item.doc.document.line):
                    defined = (
                        reference.has_default
                        or reference.name in scope.values
                        or (reference.enclosing is not None and reference.enclosing in scope.values)
                    )
                    use = VariableUse(
                        reference.name,
                        SourceLocation(item.doc.file, line),
                        reached.ks.ref,
                        reference.has_default,
                        defined,
                    )
                    uses.append(use)
                    if not defined and scope.complete:
                        undefined.append(use)
        if env is not None:
            self._talos_uses(walk.name, env, definitions, uses, undefined)
        uses_by_name: dict[str, list[VariableUse]] = defaultdict(list)
        for use in uses:
            uses_by_name[use.name].append(use)
        # Derived names exist in clustertool's environment only: talhelper's uses count.
        talhelper = {u.name for u in uses if u.consumer is None}
        tool = clustertool.needs(env, talhelper) if env is not None else {}
        if env is not None:
            for name in sorted(set(tool) - set(definitions) - set(env.values)):
                if name in clustertool.DERIVED_READS:
                    definitions[name].append(
                        VariableDefinition(name, "derived", SourceLocation(env.file, 1), None)
                    )
        variables = tuple(
            Variable(
                name,
                tuple(definitions.get(name, ())),
                tuple(uses_by_name.get(name, ())),
                tool.get(name, ""),
            )
            for name in sorted(set(definitions) | set(uses_by_name))
        )
        unused = tuple(sorted(n for n in cluster_wide if n not in uses_by_name and n not in tool))
        needed = tuple(v.name for v in variables if v.clustertool)
        return VariableReport(variables, tuple(undefined), unused, needed)

    def _talos_uses(
        self,
        cluster: str,
        env: ClusterEnv,
        definitions: dict[str, list[VariableDefinition]],
        uses: list[VariableUse],
        undefined: list[VariableUse],
    ) -> None:
        derived = env.derived()
        derived["CLUSTERNAME"] = cluster
        known = set(env.values) | set(derived)
        talos_uses: list[VariableUse] = []
        for file in (f"clusters/{cluster}/talos/talconfig.yaml", "talconfig.yaml"):
            text = self._tree.texts.get(file)
            if text is None:
                continue
            for line, reference in references_by_line(text):
                defined = reference.has_default or reference.name in known
                use = VariableUse(
                    reference.name, SourceLocation(file, line), None, reference.has_default, defined
                )
                talos_uses.append(use)
                if not defined:
                    undefined.append(use)
        uses.extend(talos_uses)
        # Only the derived names something uses are worth listing: clustertool derives three
        # for every IP key (and, unable to tell, for every encrypted one).
        for key in sorted({u.name for u in talos_uses} & set(derived) - set(env.values)):
            definitions[key].append(
                VariableDefinition(key, "derived", SourceLocation(env.file, 1), None)
            )
