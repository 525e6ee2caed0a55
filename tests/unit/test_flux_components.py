"""Flux `spec.components` and kustomize `components:` followed like resources: their objects
belong to the Kustomization that includes them, with its namespace and its substitution."""

from __future__ import annotations

from tests.conftest import WriteRepo
from tests.unit.test_chart_versions import CLUSTER_APPS
from tuiops.cli.serialize import status_json
from tuiops.domain.repo import Cluster
from tuiops.gitops.loader import load_repo

WORKER = """
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: ${APP}-worker
spec:
  chart:
    spec:
      chart: worker
      version: 2.0.0
      sourceRef: {kind: HelmRepository, name: charts, namespace: flux-system}
  values:
    queue: ${APP}
    size: ${WORKER_SIZE:=small}
"""
COMPONENT_KUSTOMIZATION = """
apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
resources:
  - ./helmrelease.yaml
configMapGenerator:
  - name: ${APP}-worker-config
    files:
      - config.yaml=./config.yaml
"""
QUIET_KUSTOMIZATION = """
apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
configMapGenerator:
  - name: quiet
    files: [./quiet.yaml]
generatorOptions:
  annotations:
    kustomize.toolkit.fluxcd.io/substitute: disabled
"""


def app(name: str, components: str = "", post_build: str = "") -> dict[str, str]:
    base = f"kubernetes/apps/default/{name}"
    ks = f"""
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: {name}}}
spec:
  path: ./kubernetes/apps/default/{name}/app
  sourceRef: {{kind: GitRepository, name: flux-system, namespace: flux-system}}
  targetNamespace: {name}-ns
{components}{post_build or f"  postBuild:{chr(10)}    substitute: {{APP: {name}}}{chr(10)}"}"""
    return {
        f"{base}/ks.yaml": ks,
        f"{base}/app/kustomization.yaml": "resources:\n  - ./configmap.yaml\n",
        f"{base}/app/configmap.yaml": f"kind: ConfigMap\nmetadata: {{name: {name}}}\n",
    }


def repo(*apps: dict[str, str], listed: tuple[str, ...] = ()) -> dict[str, str]:
    files = {
        "kubernetes/flux/cluster/ks.yaml": CLUSTER_APPS,
        "kubernetes/components/worker/kustomization.yaml": COMPONENT_KUSTOMIZATION,
        "kubernetes/components/worker/helmrelease.yaml": WORKER,
        "kubernetes/components/worker/config.yaml": "broker: ${APP}.${BROKER_DOMAIN}\n",
        "kubernetes/components/quiet/kustomization.yaml": QUIET_KUSTOMIZATION,
        "kubernetes/components/quiet/quiet.yaml": "runtime: ${RUNTIME_ONLY}\n",
    }
    names: list[str] = []
    for folder in apps:
        files.update(folder)
        names.extend(path.split("/")[3] for path in folder if path.endswith("ks.yaml"))
    listed = listed or tuple(names)
    files["kubernetes/apps/default/kustomization.yaml"] = "resources:\n" + "".join(
        f"  - ./{n}/ks.yaml\n" if n in listed else f"  # - ./{n}/ks.yaml\n" for n in names
    )
    return files


FLUX_COMPONENTS = "  components:\n    - ../../../../components/worker\n"


def cluster_of(write_repo: WriteRepo, files: dict[str, str]) -> Cluster:
    (cluster,) = load_repo(write_repo(files)).clusters
    return cluster


def test_flux_components_bring_their_objects_to_each_includer(write_repo: WriteRepo) -> None:
    cluster = cluster_of(write_repo, repo(app("web", FLUX_COMPONENTS), app("api", FLUX_COMPONENTS)))
    placed = {
        component.name: sorted(str(r.ref) for r in component.helm_releases)
        for layer in cluster.layers
        for component in layer.components
    }
    # One object per includer, in its component, named and namespaced as it renders them.
    assert placed == {
        "web": ["HelmRelease/web-ns/web-worker"],
        "api": ["HelmRelease/api-ns/api-worker"],
    }
    assert not cluster.orphans
    worker = next(r for c in cluster.all_components() for r in c.helm_releases)
    assert cluster.name_raw(worker.ref) == "${APP}-worker"


def test_kustomize_components_in_the_app_folder_are_followed_too(write_repo: WriteRepo) -> None:
    files = repo(app("web"))
    files["kubernetes/apps/default/web/app/kustomization.yaml"] = (
        "resources:\n  - ./configmap.yaml\ncomponents:\n  - ../../../../components/worker\n"
    )
    cluster = cluster_of(write_repo, files)
    (release,) = (r for c in cluster.all_components() for r in c.helm_releases)
    assert str(release.ref) == "HelmRelease/web-ns/web-worker"


def test_a_component_nobody_includes_is_no_orphan(write_repo: WriteRepo) -> None:
    cluster = cluster_of(write_repo, repo(app("web")))
    assert not cluster.orphans
    assert not [r for c in cluster.all_components() for r in c.helm_releases]


def test_an_orphan_includer_names_its_component_objects(write_repo: WriteRepo) -> None:
    files = repo(app("web", FLUX_COMPONENTS), app("old", FLUX_COMPONENTS), listed=("web",))
    cluster = cluster_of(write_repo, files)
    (orphan,) = cluster.orphans
    assert [r.ref.name for r in orphan.helm_releases] == ["old-worker"]
    assert all("${" not in r.ref.name for c in cluster.all_components() for r in c.helm_releases)


def test_variables_used_only_in_components_count(write_repo: WriteRepo) -> None:
    extra = "  postBuild:\n    substitute: {APP: web, BROKER_DOMAIN: example.com}\n"
    components = FLUX_COMPONENTS + "    - ../../../../components/quiet\n"
    cluster = cluster_of(write_repo, repo(app("web", components, extra)))
    uses = {v.name: v.uses for v in cluster.variables.variables}
    places = {(u.location.file, u.location.line) for u in uses["APP"]}
    assert ("kubernetes/components/worker/helmrelease.yaml", 4) in places
    assert ("kubernetes/components/worker/helmrelease.yaml", 12) in places
    # The generator's name and its input file end up in the build's output: Flux substitutes.
    assert ("kubernetes/components/worker/kustomization.yaml", 6) in places
    (domain,) = uses["BROKER_DOMAIN"]
    assert (domain.location.file, domain.location.line) == (
        "kubernetes/components/worker/config.yaml",
        1,
    )
    assert domain.consumer is not None and domain.consumer.name == "web"
    # A generator marked `substitute: disabled` keeps its ${VARS} for the app at runtime.
    assert "RUNTIME_ONLY" not in uses


def test_json_keeps_raw_names_and_the_components(write_repo: WriteRepo) -> None:
    model = load_repo(write_repo(repo(app("web", FLUX_COMPONENTS))))
    data = status_json(model, model.clusters)
    (layer,) = data["clusters"][0]["layers"]
    (component,) = layer["components"]
    (ks,) = component["kustomizations"]
    assert ks["components"] == ["kubernetes/components/worker"]
    assert (ks["name"], ks["nameRaw"]) == ("web", "web")
    (release,) = component["helmReleases"]
    assert (release["name"], release["nameRaw"]) == ("web-worker", "${APP}-worker")
    assert release["file"] == "kubernetes/components/worker/helmrelease.yaml"


def test_patch_files_of_a_component_are_substituted_text(write_repo: WriteRepo) -> None:
    files = repo(app("web", FLUX_COMPONENTS))
    files["kubernetes/components/worker/kustomization.yaml"] = (
        COMPONENT_KUSTOMIZATION
        + "patches:\n  - path: ./patch.yaml\n    target: {kind: HelmRelease}\n"
    )
    files["kubernetes/components/worker/patch.yaml"] = (
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: not-used}\n"
        "spec:\n  chart:\n    spec: {chart: x, version: 1.0.0}\n  values: {owner: '${APP}'}\n"
    )
    cluster = cluster_of(write_repo, files)
    uses = {v.name: v.uses for v in cluster.variables.variables}
    assert ("kubernetes/components/worker/patch.yaml", 7) in {
        (u.location.file, u.location.line) for u in uses["APP"]
    }
    # The patch names a chart, yet it is no release of its own, nor an orphan.
    assert [r.ref.name for c in cluster.all_components() for r in c.helm_releases] == ["web-worker"]
