"""Acceptance tests: ``tuiops status --offline --json`` against the real-repo corpus.

Every expectation is computed independently from the corpus files (``$TUIOPS_CORPUS`` or
``shared/corpus`` beside the checkout; see :mod:`corpus_scan` and :mod:`corpus_layout`); the
CLI is only ever run as a subprocess, once per corpus repo. With no corpus at all the module is
skipped with one line (tests/corpus/conftest.py); a corpus that is there but incomplete fails.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.corpus.corpus_cli import (
    KIND_KS,
    ORPHAN,
    SEVERITIES,
    CliRun,
    Entry,
    StatusCache,
    entries,
    layer_states,
    listed_layers,
    pick_cluster,
    shape_problems,
    status_command,
)
from tests.corpus.corpus_layout import (
    CLUSTERTOOL_ROOT,
    HOME_OPS_APPS_ROOT,
    LEGACY_REPOS,
    clustertool_ks_split,
    clustertool_layers,
    home_ops_layer_dirs,
    home_ops_placed_ks,
    is_clustertool,
    layer_edges,
    legacy_layers,
    namespace_overrides,
    strongly_connected,
)
from tests.corpus.corpus_scan import RepoScan, cached_scan, corpus_dir, corpus_repos

pytestmark = pytest.mark.slow

CORPUS = corpus_dir()
MISSING = "corpus-missing"
MIN_REPOS = 11
MAX_LISTED = 40


def _ids(names: Iterable[str]) -> list[str]:
    """Parameter ids; a lone MISSING id when nothing was found, so tests fail, not skip."""
    found = sorted(names)
    return found or [MISSING]


ALL_REPOS = _ids(p.name for p in corpus_repos(CORPUS))
CLUSTERTOOL_REPOS = _ids(p.name for p in corpus_repos(CORPUS) if is_clustertool(p))
HOME_OPS_REPOS = _ids(HOME_OPS_APPS_ROOT) if CORPUS.is_dir() else [MISSING]
LEGACY = _ids(LEGACY_REPOS) if CORPUS.is_dir() else [MISSING]


def repo_path(name: str) -> Path:
    """Folder of a corpus repo; fails the test when the corpus or the repo is missing."""
    if name == MISSING or not (CORPUS / name).is_dir():
        pytest.fail(
            f"corpus repo {name!r} not found under {CORPUS}: set TUIOPS_CORPUS or put the "
            "full shared/corpus beside the project root"
        )
    return CORPUS / name


@pytest.fixture(scope="module")
def status_cache() -> StatusCache:
    """Module-wide cache: the CLI runs once per corpus repo."""
    return StatusCache()


def status_json(cache: StatusCache, repo: Path) -> dict[str, Any]:
    """The parsed status JSON; fails the test with the CLI's output when it is unusable."""
    run = cache.get(repo)
    if not isinstance(run.data, dict) or shape_problems(run.data):
        pytest.fail(f"no usable status JSON for {repo.name}:\n{_describe(run)}")
    return run.data


def _describe(run: CliRun) -> str:
    """Short human-readable summary of a CLI run for failure messages."""
    return (
        f"exit={run.returncode} json_error={run.json_error}\n"
        f"stderr (tail):\n{run.stderr[-3000:]}\nstdout (head):\n{run.stdout[:1500]}"
    )


def _bullets(items: Iterable[object], limit: int = 60) -> str:
    """Format items one per line, capped at ``limit`` lines."""
    lines = [f"  - {item}" for item in items]
    extra = len(lines) - limit
    return "\n".join(lines[:limit] + ([f"  ... and {extra} more"] if extra > 0 else []))


# --------------------------------------------------------------------------- 0. corpus


def test_corpus_is_present() -> None:
    """The corpus found has its 11 repos: an incomplete one fails (none at all is skipped
    with one line, see conftest.py)."""
    assert CORPUS.is_dir(), f"corpus folder missing: {CORPUS}"
    assert len(corpus_repos(CORPUS)) >= MIN_REPOS, f"expected >= {MIN_REPOS} repos in {CORPUS}"
    for name in [*HOME_OPS_APPS_ROOT, *LEGACY_REPOS]:
        assert (CORPUS / name).is_dir(), f"expected corpus repo {name} is missing"


# --------------------------------------------------------------------------- 1. loads


@pytest.mark.parametrize("name", ALL_REPOS)
def test_loads_without_exception(name: str, status_cache: StatusCache) -> None:
    """The CLI exits 0/1 without a traceback, prints JSON of the documented shape, and
    its exit code is 1 exactly when some finding has severity ``error``."""
    repo = repo_path(name)
    run = status_cache.get(repo)
    command = " ".join(status_command(repo))
    assert "Traceback" not in run.stderr, f"{command} crashed:\n{_describe(run)}"
    assert run.returncode in (0, 1), f"{command}: unexpected exit code\n{_describe(run)}"
    assert run.json_error is None, f"{command}: stdout is not JSON\n{_describe(run)}"
    problems = shape_problems(run.data)
    assert not problems, f"{name}: JSON shape problems:\n{_bullets(problems)}"
    has_error = any(f["severity"] == "error" for f in run.data["findings"])
    assert run.returncode == (1 if has_error else 0), (
        f"{name}: exit {run.returncode} but error findings present = {has_error}"
    )


# --------------------------------------------------------------------------- 2/3. documents


def _index(reported: Iterable[Entry]) -> dict[tuple[str, str, str], set[str | None]]:
    """Reported namespaces per (kind, name, file)."""
    index: dict[tuple[str, str, str], set[str | None]] = defaultdict(set)
    for entry in reported:
        index[entry.key].add(entry.namespace)
    return index


@pytest.mark.parametrize("name", ALL_REPOS)
def test_every_flux_document_is_reported(name: str, status_cache: StatusCache) -> None:
    """Every Flux Kustomization and chart-carrying HelmRelease on disk (literal name) is
    reported somewhere (a layer component or an orphan group). When the document sets
    ``metadata.namespace`` the reported namespace is that one, or the ``namespace:`` of a
    kustomization that includes the file (kustomize overrides the document's own)."""
    repo = repo_path(name)
    index = _index(entries(status_json(status_cache, repo)))
    overrides = namespace_overrides(repo)
    missing: list[str] = []
    wrong_ns: list[str] = []
    for doc in cached_scan(repo).plain():
        if doc.key not in index:
            missing.append(f"{doc.kind} {doc.name} ({doc.file}:{doc.line})")
            continue
        allowed = {doc.namespace, *overrides.get(doc.file, set())}
        if doc.namespace is not None and not allowed & index[doc.key]:
            wrong_ns.append(
                f"{doc.kind} {doc.name} ({doc.file}:{doc.line}): expected one of "
                f"{sorted(map(str, allowed))}, reported {sorted(map(str, index[doc.key]))}"
            )
    assert not missing and not wrong_ns, (
        f"{name}: {len(missing)} documents not reported, {len(wrong_ns)} with a wrong "
        f"namespace\nmissing:\n{_bullets(missing)}\nwrong namespace:\n{_bullets(wrong_ns)}"
    )


@pytest.mark.parametrize("name", ALL_REPOS)
def test_no_phantom_documents(name: str, status_cache: StatusCache) -> None:
    """Every reported Kustomization/HelmRelease exists on disk in the file it names
    (a document with a templated name matches by kind and file)."""
    repo = repo_path(name)
    scan = cached_scan(repo)
    known = {doc.key for doc in scan.docs}
    templated = {(doc.kind, doc.file) for doc in scan.docs if doc.templated}
    phantoms = sorted(
        {
            f"{e.kind} {e.name} ({e.file}:{e.line}) in {e.cluster}/{e.layer}"
            for e in entries(status_json(status_cache, repo))
            if e.key not in known and (e.kind, e.file) not in templated
        }
    )
    assert not phantoms, f"{name}: {len(phantoms)} reported documents not on disk:\n" + (
        _bullets(phantoms)
    )


@pytest.mark.parametrize("name", ALL_REPOS)
def test_reported_lines_match_documents(name: str, status_cache: StatusCache) -> None:
    """Each reported entry's ``line`` is the 1-based line of its document's first key."""
    repo = repo_path(name)
    lines: dict[tuple[str, str, str], set[int]] = defaultdict(set)
    for doc in cached_scan(repo).docs:
        lines[doc.key].add(doc.line)
    wrong = sorted(
        {
            f"{e.kind} {e.name} ({e.file}): reported line {e.line}, document at "
            f"{sorted(lines[e.key])}"
            for e in entries(status_json(status_cache, repo))
            if e.key in lines and e.line not in lines[e.key]
        }
    )
    assert not wrong, f"{name}: {len(wrong)} entries with a wrong line:\n{_bullets(wrong)}"


# --------------------------------------------------------------------------- 4. orphans


def _is_layer_ks_file(file: str) -> bool:
    """A clustertool ``ks.yaml`` below the layer root."""
    return file.startswith(f"{CLUSTERTOOL_ROOT}/") and file.endswith("/ks.yaml")


@pytest.mark.parametrize("name", CLUSTERTOOL_REPOS)
def test_orphans_are_listed(name: str, status_cache: StatusCache) -> None:
    """clustertool: every Kustomization of a ``ks.yaml`` that the root kustomization does
    not reach is reported as an orphan, no reachable one is, and the number of orphan
    ``ks.yaml`` files equals the independent count."""
    repo = repo_path(name)
    split = clustertool_ks_split(repo)
    scan = cached_scan(repo)
    reported = entries(status_json(status_cache, repo))
    orphaned = {(e.name, e.file) for e in reported if e.layer == ORPHAN and e.kind == KIND_KS}
    expected = {
        (d.name, d.file)
        for f in split.orphans
        for d in scan.in_file(f)
        if d.kind == KIND_KS and not d.templated
    }
    reachable = {
        (d.name, d.file) for f in split.reachable for d in scan.in_file(f) if d.kind == KIND_KS
    }
    reported_files = sorted({file for _, file in orphaned if _is_layer_ks_file(file)})
    print(f"{name}: orphan ks.yaml independent={len(split.orphans)} reported={len(reported_files)}")
    not_orphaned = sorted(expected - orphaned)
    wrongly = sorted(reachable & orphaned)
    assert not not_orphaned and not wrongly, (
        f"{name}: unreachable but not in orphans:\n{_bullets(not_orphaned)}\n"
        f"reachable but reported as orphans:\n{_bullets(wrongly)}"
    )
    assert len(reported_files) == len(split.orphans), (
        f"{name}: {len(reported_files)} orphan ks.yaml reported, {len(split.orphans)} expected"
        f"\nexpected:\n{_bullets(split.orphans)}\nreported:\n{_bullets(reported_files)}"
    )


# --------------------------------------------------------------------------- 5. layers


_STATE_RANK = {"listed": 0, "commented": 1, "unlisted": 2}


def _names(states: list[tuple[str, str]], state: str) -> set[str]:
    """Layer names having one state."""
    return {n for n, s in states if s == state}


def _assert_clustertool_layers(
    name: str, repo: Path, cluster: dict[str, Any], scan: RepoScan
) -> None:
    """Listed layers in the expected stable topological order, then commented, unlisted."""
    expected = clustertool_layers(repo, scan)
    states = layer_states(cluster)
    print(
        f"{name}: expected listed={list(expected.listed)} commented="
        f"{list(expected.commented)} unlisted={list(expected.unlisted)} "
        f"cross-layer edges={sorted(expected.edges)}"
    )
    assert listed_layers(cluster) == list(expected.listed), (
        f"{name}: listed layers\n reported {listed_layers(cluster)}\n"
        f" expected {list(expected.listed)} (edges dependent->dependency: "
        f"{sorted(expected.edges)})"
    )
    assert _names(states, "commented") == set(expected.commented), (
        f"{name}: commented layers {sorted(_names(states, 'commented'))}, "
        f"expected {sorted(expected.commented)}"
    )
    assert _names(states, "unlisted") == set(expected.unlisted), (
        f"{name}: unlisted layers {sorted(_names(states, 'unlisted'))}, "
        f"expected {sorted(expected.unlisted)}"
    )
    ranks = [_STATE_RANK[s] for _, s in states]
    assert ranks == sorted(ranks), f"{name}: layers not grouped listed/commented/unlisted: {states}"


def _order_violations(
    order: list[str], edges: Iterable[tuple[str, str]], skip: set[tuple[str, str]]
) -> list[str]:
    """Edges (dependent, dependency) whose dependency is not placed before the dependent."""
    position = {layer: i for i, layer in enumerate(order)}
    return sorted(
        f"{a} depends on {b} but comes first"
        for a, b in edges
        if (a, b) not in skip and a in position and b in position and position[b] > position[a]
    )


def _assert_legacy_layers(name: str, repo: Path, cluster: dict[str, Any], scan: RepoScan) -> None:
    """Legacy template: the ``cluster/main/*.yaml`` Kustomizations are listed layers,
    ordered so that every ``dependsOn`` target comes first."""
    names, edges = legacy_layers(repo, scan)
    listed = listed_layers(cluster)
    assert set(names) <= set(listed), (
        f"{name}: layers {sorted(set(names) - set(listed))} not listed; listed: {listed}"
    )
    violations = _order_violations(listed, edges, set())
    assert not violations, f"{name}: order {listed} breaks dependsOn:\n{_bullets(violations)}"


def _assert_home_ops_layers(name: str, repo: Path, cluster: dict[str, Any], scan: RepoScan) -> None:
    """home-ops: the namespace folders are the listed layers, and every cross-layer
    ``dependsOn`` not inside a cycle has its dependency's layer earlier."""
    apps_root = HOME_OPS_APPS_ROOT[name]
    folders = home_ops_layer_dirs(repo, apps_root)
    listed = listed_layers(cluster)
    assert set(listed) == set(folders), (
        f"{name}: listed layers {sorted(listed)}\n expected namespace folders of "
        f"{apps_root}: {folders}"
    )
    edges = layer_edges(home_ops_placed_ks(repo, apps_root, scan))
    component = strongly_connected(folders, edges)
    cyclic = {(a, b) for a, b in edges if component[a] == component[b]}
    print(f"{name}: {len(edges)} cross-layer edges, {len(cyclic)} inside cycles")
    violations = _order_violations(listed, edges, cyclic)
    assert not violations, f"{name}: order {listed} breaks dependsOn:\n{_bullets(violations)}"


LAYER_REPOS = sorted({*CLUSTERTOOL_REPOS, *HOME_OPS_REPOS, *LEGACY})


@pytest.mark.parametrize("name", LAYER_REPOS)
def test_layer_order_matches_repo(name: str, status_cache: StatusCache) -> None:
    """Layer names, states and order agree with the repo's own kustomizations and
    ``dependsOn`` edges (clustertool, legacy TrueCharts and home-ops layouts)."""
    repo = repo_path(name)
    cluster = pick_cluster(status_json(status_cache, repo))
    scan = cached_scan(repo)
    assert len(listed_layers(cluster)) <= MAX_LISTED, f"{name}: implausibly many layers"
    if name in LEGACY_REPOS:
        _assert_legacy_layers(name, repo, cluster, scan)
    elif name in HOME_OPS_APPS_ROOT:
        _assert_home_ops_layers(name, repo, cluster, scan)
    else:
        assert is_clustertool(repo), f"{name}: no layer rule for this layout"
        _assert_clustertool_layers(name, repo, cluster, scan)


# --------------------------------------------------------------------------- 6. findings


def _kustomize_inputs(repo: Path) -> tuple[set[str], set[str]]:
    """(files some kustomization lists as resources/components, files only generators read),
    read independently of the product with a tolerant PyYAML load."""
    listed: set[str] = set()
    generated: set[str] = set()
    for path in repo.rglob("kustomization.y*ml"):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8", errors="replace"))
        except yaml.YAMLError:
            continue
        if not isinstance(data, dict):
            continue
        for key in ("resources", "components"):
            for entry in data.get(key) or []:
                target = (path.parent / str(entry)).resolve()
                if target.is_file() and target.is_relative_to(repo.resolve()):
                    listed.add(target.relative_to(repo.resolve()).as_posix())
        for key in ("configMapGenerator", "secretGenerator"):
            for generator in data.get(key) or []:
                entries = generator.get("files") or [] if isinstance(generator, dict) else []
                entries += generator.get("envs") or [] if isinstance(generator, dict) else []
                for entry in entries:
                    target = (path.parent / str(entry).split("=", 1)[-1]).resolve()
                    if target.is_file() and target.is_relative_to(repo.resolve()):
                        generated.add(target.relative_to(repo.resolve()).as_posix())
    return listed, generated - listed


@pytest.mark.parametrize("name", ALL_REPOS)
def test_unreadable_yaml_files_become_findings(name: str, status_cache: StatusCache) -> None:
    """A YAML file that strict ``yaml.safe_load_all`` rejects is named by a finding when a
    kustomization applies it and it holds Flux objects; a file only a configMap/secret
    generator reads (an app's own config, with its own tags) is never linted as a manifest."""
    repo = repo_path(name)
    scan = cached_scan(repo)
    findings = status_json(status_cache, repo)["findings"]
    assert all(f["severity"] in SEVERITIES for f in findings)
    listed, generator_only = _kustomize_inputs(repo)
    yaml_named = {f["file"] for f in findings if str(f["code"]).startswith("yaml-")}
    applied = [f for f in scan.plain_failures if f in listed and scan.in_file(f)]
    print(f"{name}: {len(scan.plain_failures)} strict-YAML failures, {len(applied)} applied")
    unmentioned = [f for f in applied if f not in {x["file"] for x in findings}]
    assert not unmentioned, (
        f"{name}: {len(unmentioned)} applied strict-YAML failures have no finding:\n"
        f"{_bullets(unmentioned)}"
    )
    noise = sorted(yaml_named & generator_only)
    assert not noise, f"{name}: generator inputs linted as manifests:\n{_bullets(noise)}"
