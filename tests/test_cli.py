"""The command line as people script it: shapes, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import WriteRepo


def tuiops(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tuiops", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def _no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr


def test_status_json_of_the_example_repo_has_the_documented_shape() -> None:
    result = tuiops("status", "--offline", "--example", "--json")
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    (cluster,) = data["clusters"]
    assert cluster["name"] == "main"
    listed = [layer["name"] for layer in cluster["layers"] if layer["state"] == "listed"]
    # The example repo lists its layers in apply order and no dependsOn contradicts it.
    assert listed == ["flux-system", "kube-system", "system", "core", "networking", "apps"]
    assert [x["name"] for x in cluster["layers"] if x["state"] == "commented"] == ["observability"]
    components = [c for layer in cluster["layers"] for c in layer["components"]]
    assert len(components) >= 65
    plex = next(c for c in components if c["name"] == "plex")
    (ks,) = plex["kustomizations"]
    assert set(ks) >= {"name", "namespace", "path", "file", "line", "dependsOn"}
    (release,) = plex["helmReleases"]
    assert set(release) >= {"name", "namespace", "chart", "version", "file", "line", "dependsOn"}
    assert release["file"] == "clusters/main/kubernetes/apps/plex/app/helm-release.yaml"
    assert [o["name"] for o in cluster["orphans"]] == ["wikijs", "loki"]


def test_dependency_chain_and_renovate_hint_are_reported() -> None:
    data = json.loads(tuiops("status", "--offline", "--example", "--json").stdout)
    releases = {
        r["name"]: r
        for layer in data["clusters"][0]["layers"]
        for c in layer["components"]
        for r in c["helmReleases"]
    }
    kustomizations = {
        k["name"]: k
        for layer in data["clusters"][0]["layers"]
        for c in layer["components"]
        for k in c["kustomizations"]
    }
    assert kustomizations["bazarr"]["dependsOn"] == ["flux-system/sonarr", "flux-system/radarr"]
    assert releases["cilium"]["renovate"]["depName"] == "cilium"


def test_vars_json_maps_uses_to_objects() -> None:
    result = tuiops("vars", "--example", "--json")
    assert result.returncode == 0, result.stderr
    (cluster,) = json.loads(result.stdout)["clusters"]
    by_name = {v["name"]: v for v in cluster["variables"]}
    users = {u["object"] for u in by_name["PLEX_IP"]["usedBy"]}
    assert "flux-system/plex" in users
    assert by_name["PLEX_IP"]["definedIn"][0]["file"] == "clusters/main/clusterenv.yaml"
    assert cluster["undefined"] == []
    assert "WIKIJS_CNPG_PWD" in cluster["unused"]
    assert "GITHUB_REPOSITORY" not in cluster["unused"]  # clustertool reads it itself
    assert "ZIGBEE2MQTT_DATA" not in by_name  # escaped as $${...}
    assert "GATUS_PUBLIC_DOMAIN" not in by_name  # app-runtime syntax in a generator input


def test_lint_exit_code_follows_error_findings(write_repo: WriteRepo) -> None:
    clean = tuiops("lint", "--example", "--json")
    assert clean.returncode == 0
    assert all(f["severity"] != "error" for f in json.loads(clean.stdout)["findings"])
    root = write_repo(
        {
            "clusters/main/kubernetes/flux-entry.yaml": (
                "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
                "metadata: {name: flux-entry, namespace: flux-system}\n"
                "spec: {path: ./clusters/main/kubernetes, dependsOn: [{name: nothing}],"
                " sourceRef: {kind: GitRepository, name: cluster}}\n"
            ),
            "clusters/main/kubernetes/kustomization.yaml": "resources: [flux-entry.yaml]\n",
        }
    )
    broken = tuiops("lint", "--repo", str(root), "--json")
    assert broken.returncode == 1
    codes = [f["code"] for f in json.loads(broken.stdout)["findings"]]
    assert "depends-on-missing" in codes


def test_user_errors_are_one_line_with_exit_2(tmp_path: Path) -> None:
    cases = [
        ("status", "--offline", "--repo", str(tmp_path / "missing")),
        ("status", "--offline", "--example", "--cluster", "nope"),
        ("status", "--example"),
    ]
    for args in cases:
        result = tuiops(*args)
        assert result.returncode == 2, args
        _no_traceback(result)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    outside = tuiops("lint", cwd=tmp_path)
    assert outside.returncode == 2 and "git repository" in outside.stderr


def test_default_repo_is_the_git_root_of_the_working_folder(write_repo: WriteRepo) -> None:
    root = write_repo({"clusters/main/kubernetes/apps/kustomization.yaml": "resources: []\n"})
    result = tuiops("status", "--offline", "--json", cwd=root / "clusters" / "main")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["repo"] == str(root.resolve())


def test_wheel_carries_the_example_repo(tmp_path: Path) -> None:
    """Hatchling must package dotfiles (.sops.yaml) and templates (*.yaml.ct) too."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), "."],
        cwd=Path(__file__).resolve().parents[1],
        check=True,
        capture_output=True,
        timeout=300,
    )
    import zipfile

    (wheel,) = tmp_path.glob("tuiops-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    prefix = "tuiops/sim/data/example-repo/"
    assert prefix + ".sops.yaml" in names
    assert prefix + "clusters/main/clusterenv.yaml" in names
    assert any(n.endswith(".yaml.ct") for n in names)


def test_sources_and_renovate_hints_are_listed() -> None:
    data = json.loads(tuiops("status", "--offline", "--example", "--json").stdout)
    kinds = {s["kind"] for s in data["sources"]}
    assert kinds == {"GitRepository", "HelmRepository", "OCIRepository"}
    marked = {(h["key"], h["depName"]) for h in data["renovate"]}
    assert ("TALOS_VERSION", "ghcr.io/siderolabs/installer") in marked
    assert all(h["targetLine"] == h["line"] + 1 for h in data["renovate"])
