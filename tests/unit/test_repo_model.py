"""The repo model on small hand-made repos: one behaviour per test."""

from __future__ import annotations

from tests.conftest import WriteRepo
from tuiops.domain.repo import LayerState
from tuiops.gitops.loader import load_repo

ENTRY = """
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: flux-entry, namespace: flux-system}
spec:
  path: ./clusters/main/kubernetes
  sourceRef: {kind: GitRepository, name: cluster}
  postBuild:
    substituteFrom: [{kind: ConfigMap, name: cluster-config}]
  patches:
    - patch: |-
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata: {name: not-used}
        spec:
          postBuild:
            substituteFrom: [{kind: ConfigMap, name: cluster-config}]
      target:
        kind: Kustomization
        labelSelector: substitution.flux.home.arpa/disabled notin (true)
"""


def ks(name: str, path: str, depends: str = "") -> str:
    depends_on = f"\n  dependsOn: [{{name: {depends}}}]" if depends else ""
    return (
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
        f"metadata: {{name: {name}, namespace: flux-system}}\n"
        f"spec:\n  path: {path}\n  sourceRef: {{kind: GitRepository, name: cluster}}{depends_on}\n"
    )


def release(name: str, version: str = "1.0.0", value: str = "x") -> str:
    return (
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\n"
        f"metadata: {{name: {name}, namespace: {name}}}\n"
        "spec:\n  chart:\n    spec:\n      chart: app\n"
        f"      version: {version}\n"
        "      sourceRef: {kind: HelmRepository, name: charts, namespace: flux-system}\n"
        f"  values:\n    host: {value}\n"
    )


def component(layer: str, name: str, depends: str = "", value: str = "x") -> dict[str, str]:
    base = f"clusters/main/kubernetes/{layer}/{name}"
    return {
        f"{base}/ks.yaml": ks(name, f"{base}/app", depends),
        f"{base}/app/kustomization.yaml": "resources:\n  - helm-release.yaml\n",
        f"{base}/app/helm-release.yaml": release(name, value=value),
    }


def clustertool(layers: str, **extra: str) -> dict[str, str]:
    return {
        "clusters/main/kubernetes/flux-entry.yaml": ENTRY,
        "clusters/main/kubernetes/kustomization.yaml": f"resources:\n{layers}",
        "clusters/main/clusterenv.yaml": 'DOMAIN: "example.com"\nUNUSED: "1"\n',
        **extra,
    }


def test_layers_follow_listing_then_depends_on(write_repo: WriteRepo) -> None:
    files = clustertool("  - flux-entry.yaml\n  - apps\n  - core\n  # - extra\n")
    files["clusters/main/kubernetes/apps/kustomization.yaml"] = "resources:\n  - web/ks.yaml\n"
    files["clusters/main/kubernetes/core/kustomization.yaml"] = "resources:\n  - certs/ks.yaml\n"
    files.update(component("apps", "web", depends="certs"))
    files.update(component("core", "certs"))
    files["clusters/main/kubernetes/lost/ks.yaml"] = ks("lost", "clusters/main/kubernetes/lost")
    (cluster,) = load_repo(write_repo(files)).clusters
    assert [(layer.name, layer.state) for layer in cluster.layers] == [
        ("core", LayerState.LISTED),  # moved first: apps' web dependsOn core's certs
        ("apps", LayerState.LISTED),
        ("extra", LayerState.COMMENTED),
        ("lost", LayerState.UNLISTED),
    ]
    assert not cluster.layers[2].exists
    assert [c.name for c in cluster.entrypoints] == ["flux-entry"]


def test_commented_component_is_an_orphan_with_its_release(write_repo: WriteRepo) -> None:
    files = clustertool("  - apps\n")
    files["clusters/main/kubernetes/apps/kustomization.yaml"] = (
        "resources:\n  - web/ks.yaml\n  # - old/ks.yaml\n"
    )
    files.update(component("apps", "web"))
    files.update(component("apps", "old"))
    model = load_repo(write_repo(files))
    (orphan,) = model.clusters[0].orphans
    assert orphan.name == "old"
    assert [hr.ref.name for hr in orphan.helm_releases] == ["old"]
    assert any(f.code == "orphan" and "old" in f.message for f in model.findings)


def test_folder_without_kustomization_is_generated_like_flux(write_repo: WriteRepo) -> None:
    files = clustertool("  - apps\n")
    files["clusters/main/kubernetes/apps/kustomization.yaml"] = "resources:\n  - web/ks.yaml\n"
    files.update(component("apps", "web"))
    del files["clusters/main/kubernetes/apps/web/app/kustomization.yaml"]
    (layer,) = load_repo(write_repo(files)).clusters[0].layers
    assert [hr.ref.name for hr in layer.components[0].helm_releases] == ["web"]


def test_variables_defined_used_undefined_unused(write_repo: WriteRepo) -> None:
    files = clustertool("  - apps\n")
    files["clusters/main/kubernetes/apps/kustomization.yaml"] = "resources:\n  - web/ks.yaml\n"
    files.update(component("apps", "web", value="web.${DOMAIN} ${MISSING} ${OPT:=x} $${ESC}"))
    model = load_repo(write_repo(files))
    report = model.clusters[0].variables
    names = {v.name: v for v in report.variables}
    assert names["DOMAIN"].uses[0].consumer is not None
    assert names["DOMAIN"].uses[0].consumer.name == "web"
    assert [u.name for u in report.undefined] == ["MISSING"]
    assert "ESC" not in names
    assert report.unused == ("UNUSED",)
    assert any(f.code == "var-undefined" and f.severity.value == "error" for f in model.findings)


def test_depends_on_nothing_and_unpinned_chart_are_findings(write_repo: WriteRepo) -> None:
    files = clustertool("  - apps\n")
    files["clusters/main/kubernetes/apps/kustomization.yaml"] = "resources:\n  - web/ks.yaml\n"
    files.update(component("apps", "web", depends="ghost"))
    files["clusters/main/kubernetes/apps/web/app/helm-release.yaml"] = release("web", "'*'")
    codes = {f.code for f in load_repo(write_repo(files)).findings}
    assert {"depends-on-missing", "chart-unpinned"} <= codes


def test_broken_yaml_is_a_finding_and_the_rest_loads(write_repo: WriteRepo) -> None:
    files = clustertool("  - apps\n")
    files["clusters/main/kubernetes/apps/kustomization.yaml"] = (
        "resources:\n  - web/ks.yaml\n  - broken.yaml\n"
    )
    files.update(component("apps", "web"))
    files["clusters/main/kubernetes/apps/broken.yaml"] = "a: {{ .Values.x | nindent 4 }}\n  b: [\n"
    model = load_repo(write_repo(files))
    assert [c.name for c in model.clusters[0].layers[0].components] == ["web"]
    (finding,) = [f for f in model.findings if f.code == "yaml-unreadable"]
    assert finding.file.endswith("broken.yaml") and finding.severity.value == "error"


def test_home_ops_namespace_comes_from_kustomization(write_repo: WriteRepo) -> None:
    files = {
        "kubernetes/flux/cluster/ks.yaml": ks("cluster-apps", "./kubernetes/apps").replace(
            "cluster}", "flux-system}"
        ),
        "kubernetes/apps/media/kustomization.yaml": (
            "namespace: media\nresources:\n  - plex/ks.yaml\n"
        ),
        "kubernetes/apps/media/plex/ks.yaml": ks("plex", "./kubernetes/apps/media/plex/app")
        .replace("cluster}", "flux-system}")
        .replace(", namespace: flux-system", ""),
        "kubernetes/apps/media/plex/app/helmrelease.yaml": release("plex").replace(
            ", namespace: plex", ""
        ),
    }
    (cluster,) = load_repo(write_repo(files)).clusters
    (layer,) = cluster.layers
    (plex,) = layer.components
    assert layer.name == "media" and cluster.layer_root == "kubernetes/apps"
    assert plex.kustomizations[0].ref.namespace == "media"
    assert plex.helm_releases[0].ref.namespace == "media"


def test_removed_and_deprecated_flux_apis_are_flagged(write_repo: WriteRepo) -> None:
    files = clustertool("  - apps\n")
    files["clusters/main/kubernetes/apps/kustomization.yaml"] = "resources:\n  - web/ks.yaml\n"
    files.update(component("apps", "web"))
    path = "clusters/main/kubernetes/apps/web/app/helm-release.yaml"
    files[path] = release("web").replace(
        "helm.toolkit.fluxcd.io/v2", "helm.toolkit.fluxcd.io/v2beta1"
    )
    files["repositories/helm/charts.yaml"] = (
        "apiVersion: source.toolkit.fluxcd.io/v1beta2\nkind: HelmRepository\n"
        "metadata: {name: charts, namespace: flux-system}\nspec: {url: https://x}\n"
    )
    found = {(f.code, f.file) for f in load_repo(write_repo(files)).findings}
    assert ("api-removed", path) in found
    assert ("api-deprecated", "repositories/helm/charts.yaml") in found
