"""Lint judges as Kubernetes YAML only what Flux, kustomize or clustertool would read."""

from __future__ import annotations

from tests.conftest import WriteRepo
from tests.unit.test_repo_model import clustertool, component
from tuiops.domain.findings import Finding, Severity
from tuiops.gitops.loader import load_repo

APP = "clusters/main/kubernetes/apps/web/app"
RECYCLARR = "sonarr:\n  main:\n    api_key: !env_var SONARR_API_KEY\n"
TEMPLATE = "- weather: {{ .LOCATION | nindent 4 }}\n- search:\n  a: b\n"


def yaml_findings(write_repo: WriteRepo, extra: dict[str, str]) -> list[Finding]:
    files = clustertool("  - apps\n")
    files["clusters/main/kubernetes/apps/kustomization.yaml"] = "resources:\n  - web/ks.yaml\n"
    files.update(component("apps", "web"))
    files.update(extra)
    model = load_repo(write_repo(files))
    return [f for f in model.findings if f.code.startswith(("yaml-", "file-"))]


def test_generator_inputs_are_not_linted_as_manifests(write_repo: WriteRepo) -> None:
    kustomization = (
        "resources:\n  - helm-release.yaml\n"
        "configMapGenerator:\n  - name: config\n"
        "    files:\n      - recyclarr.yml=./config/recyclarr.yml\n      - ./config/widgets.yaml\n"
    )
    extra = {
        f"{APP}/kustomization.yaml": kustomization,
        f"{APP}/config/recyclarr.yml": RECYCLARR,
        f"{APP}/config/widgets.yaml": TEMPLATE,
    }
    assert yaml_findings(write_repo, extra) == []


def test_the_same_files_listed_as_resources_are_linted(write_repo: WriteRepo) -> None:
    extra = {
        f"{APP}/kustomization.yaml": "resources:\n  - helm-release.yaml\n  - a.yaml\n  - b.yaml\n",
        f"{APP}/a.yaml": RECYCLARR,
        f"{APP}/b.yaml": TEMPLATE,
    }
    found = {(f.file, f.code, f.severity) for f in yaml_findings(write_repo, extra)}
    assert found == {
        (f"{APP}/a.yaml", "yaml-tolerated", Severity.INFO),
        (f"{APP}/b.yaml", "yaml-unreadable", Severity.ERROR),
    }


def test_files_no_kustomization_reaches_are_not_linted(write_repo: WriteRepo) -> None:
    extra = {
        "clusters/main/kubernetes/apps/old/app/values.yaml": TEMPLATE,
        "clusters/main/kubernetes/apps/old/app/kustomization.yaml": "resources: [\n",
        "docs/example.yaml": "a: {{ b }}\n",
    }
    assert yaml_findings(write_repo, extra) == []


def test_a_bare_equals_in_an_applied_file_is_not_reported(write_repo: WriteRepo) -> None:
    extra = {
        f"{APP}/kustomization.yaml": "resources:\n  - helm-release.yaml\n  - am.yaml\n",
        f"{APP}/am.yaml": "kind: AlertmanagerConfig\nspec:\n  matchType: =\n",
    }
    assert yaml_findings(write_repo, extra) == []


def test_a_broken_kustomization_a_reached_folder_lists_is_an_error(write_repo: WriteRepo) -> None:
    (finding,) = yaml_findings(write_repo, {f"{APP}/kustomization.yaml": "resources: [\n"})
    assert (finding.file, finding.code) == (f"{APP}/kustomization.yaml", "yaml-unreadable")
    assert finding.severity is Severity.ERROR


def test_clustertools_own_files_are_linted(write_repo: WriteRepo) -> None:
    (finding,) = yaml_findings(write_repo, {"clusters/main/clusterenv.yaml": "VIP: [\n"})
    assert finding.file == "clusters/main/clusterenv.yaml" and finding.severity is Severity.ERROR
