"""Cycles Flux never reconciles: dependsOn loops, self dependsOn, self-including kustomizations."""

from __future__ import annotations

from tests.conftest import WriteRepo
from tests.unit.test_repo_model import clustertool, component, release
from tuiops.domain.findings import Finding, Severity
from tuiops.gitops.cycles import find_cycles, strongly_connected
from tuiops.gitops.loader import load_repo

APPS = "clusters/main/kubernetes/apps"


def findings(write_repo: WriteRepo, files: dict[str, str], code: str) -> list[Finding]:
    return [f for f in load_repo(write_repo(files)).findings if f.code == code]


def apps(*names: str) -> dict[str, str]:
    files = clustertool("  - apps\n")
    files[f"{APPS}/kustomization.yaml"] = "resources:\n" + "".join(
        f"  - {n}/ks.yaml\n" for n in names
    )
    return files


def test_find_cycles_spells_one_loop_per_group() -> None:
    edges = {"a": ["b"], "b": ["c"], "c": ["a", "d"], "d": [], "x": ["y"], "y": ["x"], "s": ["s"]}
    assert find_cycles(edges, edges, str) == [["a", "b", "c", "a"], ["s", "s"], ["x", "y", "x"]]


def test_find_cycles_takes_the_shortest_way_back() -> None:
    edges = {"a": ["b", "c"], "b": ["c"], "c": ["a"]}
    assert find_cycles(edges, edges, str) == [["a", "c", "a"]]


def test_a_long_chain_needs_no_recursion() -> None:
    n = 20_000
    edges = {i: [i + 1] for i in range(n)}
    edges[n] = [0]
    groups = strongly_connected(list(range(n + 1)), edges)
    assert [len(g) for g in groups] == [n + 1]


def test_kustomization_depends_on_cycle_is_spelled_out(write_repo: WriteRepo) -> None:
    files = apps("a", "b", "c")
    files.update(component("apps", "a", depends="b"))
    files.update(component("apps", "b", depends="c"))
    files.update(component("apps", "c", depends="a"))
    (finding,) = findings(write_repo, files, "depends-on-cycle")
    assert finding.severity is Severity.ERROR
    assert finding.file == f"{APPS}/a/ks.yaml"
    assert "flux-system/a -> flux-system/b -> flux-system/c -> flux-system/a" in finding.message
    assert finding.message.startswith("Kustomization dependsOn cycle")


def test_no_cycle_no_finding(write_repo: WriteRepo) -> None:
    files = apps("a", "b")
    files.update(component("apps", "a", depends="b"))
    files.update(component("apps", "b"))
    model = load_repo(write_repo(files))
    assert not [f for f in model.findings if f.code.startswith("depends-on-")]


def test_self_depends_on_is_its_own_error(write_repo: WriteRepo) -> None:
    files = apps("a")
    files.update(component("apps", "a", depends="a"))
    model = load_repo(write_repo(files))
    codes = [f.code for f in model.findings if f.code.startswith("depends-on-")]
    assert codes == ["depends-on-self"]


def test_helm_release_depends_on_cycle(write_repo: WriteRepo) -> None:
    files = apps("a")
    files.update(component("apps", "a"))
    pair = [
        release(name).replace(f"namespace: {name}}}", "namespace: media}")
        + f"  dependsOn: [{{name: {other}}}]\n"
        for name, other in (("one", "two"), ("two", "one"))
    ]
    files[f"{APPS}/a/app/helm-release.yaml"] = "---\n".join(pair)
    (finding,) = findings(write_repo, files, "depends-on-cycle")
    assert "HelmRelease dependsOn cycle: media/one -> media/two -> media/one" in finding.message


def test_kustomization_including_itself_through_a_chain(write_repo: WriteRepo) -> None:
    files = apps("a")
    files[f"{APPS}/kustomization.yaml"] += "  - loop\n"
    files.update(component("apps", "a"))
    files[f"{APPS}/loop/kustomization.yaml"] = "resources:\n  - ./inner\n"
    files[f"{APPS}/loop/inner/kustomization.yaml"] = "resources:\n  - ../../loop\n"
    (finding,) = findings(write_repo, files, "kustomization-cycle")
    assert finding.severity is Severity.ERROR
    assert (finding.file, finding.line) == (f"{APPS}/loop/kustomization.yaml", 2)
    assert f"{APPS}/loop -> {APPS}/loop/inner -> {APPS}/loop" in finding.message


def test_kustomization_listing_its_own_folder(write_repo: WriteRepo) -> None:
    files = apps("a")
    files.update(component("apps", "a"))
    files[f"{APPS}/a/app/kustomization.yaml"] = "resources:\n  - helm-release.yaml\n  - ./\n"
    (finding,) = findings(write_repo, files, "kustomization-cycle")
    assert finding.severity is Severity.ERROR and finding.line == 3
    assert f"{APPS}/a/app -> {APPS}/a/app" in finding.message


def test_an_unapplied_self_including_kustomization_is_a_warning(write_repo: WriteRepo) -> None:
    files = apps("a")
    files.update(component("apps", "a"))
    files["clusters/main/kubernetes/old/kustomization.yaml"] = "resources:\n  - .\n"
    (finding,) = findings(write_repo, files, "kustomization-cycle")
    assert finding.severity is Severity.WARNING
    assert "not applied by Flux" in finding.message
