"""Per-repo figures of the chart and component acceptance: ``tuiops`` (run as the CLI, read
through its JSON) against the independent reading of :mod:`chart_reader`.

Run ``python -m tests.corpus.chart_report`` for the table (corpus from ``TUIOPS_CORPUS``, else
``shared/corpus`` beside the checkout).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from tests.corpus.chart_reader import (
    build_files,
    component_files,
    expected_charts,
    flux_kustomizations,
    variable_refs,
)
from tests.corpus.corpus_scan import CORPUS_MISSING, corpus_dir, corpus_repos

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CLI_TIMEOUT_S = 900


@cache
def cli_json(repo: Path, *args: str) -> Any:
    """``tuiops ARGS --repo REPO --json`` run from the project root, its stdout parsed."""
    proc = subprocess.run(
        [sys.executable, "-m", "tuiops", *args, "--repo", str(repo), "--json"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_S,
        check=False,
    )
    if proc.returncode not in (0, 1):
        raise AssertionError(f"tuiops {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return json.loads(proc.stdout)


def _components(cluster: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, component) of every component of a status cluster: "placed" for entry points
    and listed layers (what Flux applies), "unlisted" for commented or unlisted layers,
    "orphan" for orphans."""
    for component in cluster["entrypoints"]:
        yield "placed", component
    for layer in cluster["layers"]:
        where = "placed" if layer["state"] == "listed" else "unlisted"
        for component in layer["components"]:
            yield where, component
    for component in cluster["orphans"]:
        yield "orphan", component


@dataclass
class RepoFigures:
    """What one repo scores; the lists name what went wrong, for the failure messages."""

    repo: str
    releases: int = 0
    """Chart-carrying HelmRelease documents the reader finds."""
    listed: int = 0
    """Of those, how many the CLI lists (in any cluster)."""
    instances: int = 0
    """HelmReleases the CLI lists, one per cluster that has it."""
    chart_right: int = 0
    version_right: int = 0
    flux_components: int = 0
    """Placed Flux Kustomizations with ``spec.components`` (the reader's reading)."""
    components_followed: int = 0
    component_refs: int = 0
    """``${VAR}`` references that components bring into placed, substituting Kustomizations."""
    refs_used: int = 0
    templated: int = 0
    """HelmReleases listed whose name, as written, holds a ``${VAR}``."""
    phantoms: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unfollowed: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    """Substituted names that are wrong (raw form lost, or still holding ``${``)."""

    @property
    def recall(self) -> float:
        return self.listed / self.releases if self.releases else 1.0

    @property
    def version_rate(self) -> float:
        return self.version_right / self.instances if self.instances else 1.0

    @property
    def chart_rate(self) -> float:
        return self.chart_right / self.instances if self.instances else 1.0


def _pattern(raw: str) -> re.Pattern[str]:
    """A raw name with each ``${VAR}`` standing for some non-empty text."""
    parts = re.split(r"\$\{[^}]*\}", raw)
    return re.compile("^" + "[^/${}]+".join(re.escape(p) for p in parts) + "$")


def _check_releases(repo: Path, status: dict[str, Any], figures: RepoFigures) -> None:
    expected = {(e.file, e.line): e for e in expected_charts(repo)}
    figures.releases = len(expected)
    listed: set[tuple[str, int]] = set()
    component_file_set = component_files(repo)
    for cluster in status["clusters"]:
        for where, component in _components(cluster):
            for release in component["helmReleases"]:
                key = (release["file"], release["line"])
                label = f"{cluster['name']}:{release['namespace']}/{release['name']} {key}"
                if where == "orphan" and (key[0] in component_file_set or "${" in release["name"]):
                    figures.phantoms.append(label)
                want = expected.get(key)
                if want is None:
                    continue
                listed.add(key)
                figures.instances += 1
                figures.chart_right += release["chart"] == want.chart
                if release["version"] == want.version:
                    figures.version_right += 1
                else:
                    figures.wrong.append(f"{label}: {release['version']!r} != {want.version!r}")
                figures.templated += "${" in want.name
                if release.get("nameRaw") != want.name or (
                    "${" in want.name and not _pattern(want.name).match(release["name"])
                ):
                    figures.names.append(f"{label}: {release['name']!r}/{release.get('nameRaw')}")
            for ks in component["kustomizations"]:
                if where == "orphan" and ks["file"] in component_file_set:
                    figures.phantoms.append(f"{cluster['name']}:{ks['name']} {ks['file']}")
    figures.listed = len(listed)
    figures.missing = sorted(f"{f}:{line}" for f, line in set(expected) - listed)


def _check_components(
    repo: Path, status: dict[str, Any], variables: dict[str, Any], figures: RepoFigures
) -> None:
    """Flux ``spec.components`` reported as the reader resolves them, and every ``${VAR}``
    that a component (Flux's or kustomize's) brings into a substituting Kustomization's build
    reported as a use by that Kustomization."""
    by_place = {(ks.file, ks.line): ks for ks in flux_kustomizations(repo)}
    uses: set[tuple[str, str, int]] = set()
    for cluster in variables["clusters"]:
        for variable in cluster["variables"]:
            for use in variable["usedBy"]:
                uses.add((use["object"].rsplit("/", 1)[-1], use["file"], use["line"]))
    for cluster in status["clusters"]:
        for where, component in _components(cluster):
            for ks in component["kustomizations"]:
                reading = by_place.get((ks["file"], ks["line"]))
                if reading is None or where != "placed":
                    continue
                label = f"{cluster['name']}:{ks['name']}"
                if reading.folders:
                    figures.flux_components += 1
                    if sorted(ks.get("components", [])) == sorted(reading.folders):
                        figures.components_followed += 1
                    else:
                        figures.unfollowed.append(f"{label}: {ks.get('components')}")
                if not reading.substitutes:
                    continue
                built = build_files(repo, reading.path, reading.folders)
                for file in sorted(f for f, via_component in built.items() if via_component):
                    for line, name in variable_refs(repo, file):
                        figures.component_refs += 1
                        if (ks["name"], file, line) in uses:
                            figures.refs_used += 1
                        else:
                            figures.unused.append(f"{label}: ${{{name}}} {file}:{line}")


def repo_figures(repo: Path) -> RepoFigures:
    """Every figure of one corpus repo."""
    figures = RepoFigures(repo.name)
    status = cli_json(repo, "status", "--offline")
    _check_releases(repo, status, figures)
    _check_components(repo, status, cli_json(repo, "vars"), figures)
    return figures


COLUMNS = (
    "repo",
    "HR",
    "recall",
    "chart right",
    "version right",
    "ks with components",
    "followed",
    "${VAR} in components",
    "counted as uses",
    "${} names substituted",
    "phantom orphans",
)


def table(rows: list[RepoFigures]) -> str:
    """The per-repo acceptance table, as Markdown."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in rows:
        cells = (
            r.repo,
            str(r.releases),
            f"{r.listed}/{r.releases} ({r.recall:.3f})",
            f"{r.chart_right}/{r.instances} ({r.chart_rate:.3f})",
            f"{r.version_right}/{r.instances} ({r.version_rate:.3f})",
            str(r.flux_components),
            str(r.components_followed),
            str(r.component_refs),
            str(r.refs_used),
            f"{r.templated - len(r.names)}/{r.templated}",
            str(len(r.phantoms)),
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    corpus = corpus_dir()
    if not corpus.is_dir():
        print(CORPUS_MISSING, file=sys.stderr)
        return 2
    print(table([repo_figures(repo) for repo in corpus_repos(corpus)]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
