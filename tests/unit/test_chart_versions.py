"""Chart name and version of a HelmRelease, for every way Flux names a chart: one case per
test, on small hand-made home-ops repos (the source is found where Flux would look)."""

from __future__ import annotations

import pytest

from tests.conftest import WriteRepo
from tuiops.cli.serialize import status_json
from tuiops.domain.charts import (
    VersionKind,
    chart_drift,
    comparable_version,
    oci_chart_name,
    oci_version,
    short_digest,
    version_kind,
)
from tuiops.domain.flux import HelmRelease
from tuiops.gitops.loader import load_repo

DIGEST = "sha256:d097c1549f5350ed3405ddf4c5323fabb5465df11ae6c17c81e3a3df1d9fdbae"
CLUSTER_APPS = """
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: cluster-apps, namespace: flux-system}
spec:
  path: ./kubernetes/apps
  sourceRef: {kind: GitRepository, name: flux-system}
"""


def app_ks(name: str, namespace: str, extra: str = "") -> str:
    return f"""
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: {name}}}
spec:
  path: ./kubernetes/apps/{namespace}/{name}/app
  sourceRef: {{kind: GitRepository, name: flux-system, namespace: flux-system}}
  targetNamespace: {namespace}
  postBuild:
    substitute: {{APP: {name}}}
{extra}"""


def chart_ref(name: str, kind: str = "OCIRepository", namespace: str = "") -> str:
    ns = f", namespace: {namespace}" if namespace else ""
    return f"""
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {{name: {name}}}
spec:
  chartRef: {{kind: {kind}, name: "{name}"{ns}}}
"""


def oci(name: str, url: str, ref: str, namespace: str = "") -> str:
    ns = f"\n  namespace: {namespace}" if namespace else ""
    return f"""
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata:
  name: "{name}"{ns}
spec:
  url: {url}
  ref: {ref}
"""


def app(namespace: str, name: str, *documents: str) -> dict[str, str]:
    """An app folder with its ks.yaml, whose app/ holds `documents` (one file each)."""
    base = f"kubernetes/apps/{namespace}/{name}"
    files = {f"{base}/ks.yaml": app_ks(name, namespace)}
    names = [f"doc{i}.yaml" for i in range(len(documents))]
    files[f"{base}/app/kustomization.yaml"] = "resources:\n" + "".join(f"  - {n}\n" for n in names)
    files.update({f"{base}/app/{n}": d for n, d in zip(names, documents, strict=True)})
    return files


def home_ops(*apps: dict[str, str]) -> dict[str, str]:
    files = {"kubernetes/flux/cluster/ks.yaml": CLUSTER_APPS}
    for folder in apps:
        files.update(folder)
    namespaces = sorted({path.split("/")[2] for folder in apps for path in folder})
    for namespace in namespaces:
        names = sorted({p.split("/")[3] for f in apps for p in f if p.split("/")[2] == namespace})
        files[f"kubernetes/apps/{namespace}/kustomization.yaml"] = "resources:\n" + "".join(
            f"  - ./{n}/ks.yaml\n" for n in names
        )
    return files


def releases(write_repo: WriteRepo, files: dict[str, str]) -> dict[str, HelmRelease]:
    model = load_repo(write_repo(files))
    (cluster,) = model.clusters
    found = [r for c in cluster.all_components() for r in c.helm_releases]
    return {r.ref.name: r for r in found}


@pytest.mark.parametrize(
    ("url", "chart"),
    [
        ("oci://ghcr.io/bjw-s-labs/helm/app-template", "app-template"),
        ("oci://ghcr.io/fluxcd/charts/flux-operator/", "flux-operator"),
        ("oci://registry.example/charts/podinfo:6.9.2", "podinfo"),
        ("oci://registry.example/charts/podinfo@sha256:abc", "podinfo"),
        ("oci://registry-only", ""),
    ],
)
def test_oci_chart_is_the_last_path_segment(url: str, chart: str) -> None:
    assert oci_chart_name(url) == chart


def test_oci_version_follows_flux_precedence() -> None:
    assert oci_version("1.2.3", "", "") == "1.2.3"
    assert oci_version("1.2.3", ">=1.0.0 <2.0.0", "") == ">=1.0.0 <2.0.0"
    assert oci_version("", "", DIGEST) == "sha256:d097c154"
    assert oci_version("0.0.1-SNAPSHOT", "", DIGEST) == "0.0.1-SNAPSHOT@sha256:d097c154"
    assert short_digest("latest") == "latest"


@pytest.mark.parametrize(
    ("version", "kind", "comparable"),
    [
        ("1.2.3", VersionKind.PINNED, "1.2.3"),
        ("v1.21.1", VersionKind.PINNED, "v1.21.1"),
        ("0.0.1-SNAPSHOT@sha256:d097c154", VersionKind.PINNED, "0.0.1-SNAPSHOT"),
        (">=1.0.0 <2.0.0", VersionKind.RANGE, ""),
        ("4.x", VersionKind.RANGE, ""),
        ("~1.2", VersionKind.RANGE, ""),
        ("sha256:d097c154", VersionKind.DIGEST, ""),
        ("tag:v0.0.24", VersionKind.GIT, ""),
        ("*", VersionKind.UNSET, ""),
        ("", VersionKind.UNSET, ""),
    ],
)
def test_only_a_pinned_version_is_compared(
    version: str, kind: VersionKind, comparable: str
) -> None:
    assert version_kind(version) is kind
    assert comparable_version(version) == comparable


def test_drift_needs_a_pinned_version_on_both_sides() -> None:
    assert chart_drift("0.18.1", "0.18.2")
    assert not chart_drift("1.2.3+0123456789ab", "v1.2.3")  # OCI chart versions carry a digest
    assert not chart_drift("1.2.3", ">=1.0.0")
    assert not chart_drift("1.2.3", "sha256:d097c154")
    assert not chart_drift("", "1.2.3")
    assert chart_drift("1.2.2", "1.2.3@sha256:d097c154")


def test_chart_ref_reads_the_oci_repository_next_to_it(write_repo: WriteRepo) -> None:
    files = home_ops(
        app(
            "media",
            "plex",
            chart_ref("plex"),
            oci("plex", "oci://ghcr.io/bjw-s-labs/helm/app-template", "{tag: 4.1.0}"),
        )
    )
    plex = releases(write_repo, files)["plex"]
    assert (plex.chart, plex.version) == ("app-template", "4.1.0")
    assert plex.chart_source is not None and plex.chart_source.namespace == "media"


def test_the_source_is_looked_up_in_the_release_namespace_only(write_repo: WriteRepo) -> None:
    # Same name in flux-system with another chart: the release in media must not take it,
    # unless it names that namespace.
    decoy = oci("plex", "oci://example/charts/decoy", "{tag: 9.9.9}")
    other = chart_ref("plex", namespace="flux-system").replace("{name: plex}", "{name: other}")
    files = home_ops(
        app(
            "media",
            "plex",
            chart_ref("plex"),
            oci("plex", "oci://ghcr.io/bjw-s-labs/helm/app-template", "{tag: 4.1.0}"),
        ),
        app("media", "other", other),
        app("flux-system", "decoy", decoy),
    )
    found = releases(write_repo, files)
    assert (found["plex"].chart, found["plex"].version) == ("app-template", "4.1.0")
    assert (found["other"].chart, found["other"].version) == ("decoy", "9.9.9")


def test_a_missing_source_leaves_the_version_unknown(write_repo: WriteRepo) -> None:
    files = home_ops(app("media", "plex", chart_ref("plex")))
    plex = releases(write_repo, files)["plex"]
    assert (plex.chart, plex.version) == ("plex", "")


@pytest.mark.parametrize(
    ("ref", "version"),
    [
        ('{semver: ">=0.1.0 <1.0.0"}', ">=0.1.0 <1.0.0"),
        (f"{{digest: '{DIGEST}'}}", "sha256:d097c154"),
        (f"{{tag: 0.0.1-SNAPSHOT, digest: '{DIGEST}'}}", "0.0.1-SNAPSHOT@sha256:d097c154"),
    ],
)
def test_semver_and_digest_refs(write_repo: WriteRepo, ref: str, version: str) -> None:
    files = home_ops(
        app("games", "wolf", chart_ref("wolf"), oci("wolf", "oci://ghcr.io/g/charts/op", ref))
    )
    wolf = releases(write_repo, files)["wolf"]
    assert (wolf.chart, wolf.version) == ("op", version)


def test_chart_ref_to_a_helm_chart(write_repo: WriteRepo) -> None:
    helm_chart = """
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmChart
metadata: {name: podinfo}
spec:
  chart: podinfo
  version: 6.9.2
  sourceRef: {kind: HelmRepository, name: podinfo}
"""
    files = home_ops(app("default", "podinfo", chart_ref("podinfo", "HelmChart"), helm_chart))
    podinfo = releases(write_repo, files)["podinfo"]
    assert (podinfo.chart, podinfo.version) == ("podinfo", "6.9.2")


def test_chart_spec_from_a_git_repository_is_its_folder_at_the_git_ref(
    write_repo: WriteRepo,
) -> None:
    release = """
apiVersion: helm.toolkit.fluxcd.io/v2beta1
kind: HelmRelease
metadata: {name: local-path-provisioner}
spec:
  chart:
    spec:
      chart: ./deploy/chart/local-path-provisioner
      sourceRef: {kind: GitRepository, name: local-path-provisioner, namespace: flux-system}
"""
    git = """
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: local-path-provisioner, namespace: flux-system}
spec:
  url: https://github.com/rancher/local-path-provisioner
  ref: {tag: v0.0.24}
"""
    # targetNamespace would move the GitRepository too: it lives with the other sources.
    files = home_ops(
        app("kube-system", "local-path-provisioner", release), app("flux-system", "git", git)
    )
    found = releases(write_repo, files)["local-path-provisioner"]
    assert (found.chart, found.version) == ("local-path-provisioner", "tag:v0.0.24")


def test_chart_spec_from_an_oci_helm_repository_is_as_written(write_repo: WriteRepo) -> None:
    release = """
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: blocky}
spec:
  chart:
    spec:
      chart: blocky
      version: 17.1.4
      sourceRef: {kind: HelmRepository, name: truecharts, namespace: flux-system}
"""
    repository = """
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: truecharts, namespace: flux-system}
spec: {type: oci, url: "oci://oci.trueforge.org/truecharts"}
"""
    files = home_ops(app("networking", "blocky", release, repository))
    blocky = releases(write_repo, files)["blocky"]
    assert (blocky.chart, blocky.version) == ("blocky", "17.1.4")


def test_names_in_chart_ref_are_substituted_first(write_repo: WriteRepo) -> None:
    release = chart_ref("${APP}").replace("metadata: {name: ${APP}}", "metadata: {name: web}")
    files = home_ops(app("default", "web", release, oci("${APP}", "oci://r/x/web", "{tag: 1.0.0}")))
    web = releases(write_repo, files)["web"]
    assert (web.chart, web.version) == ("web", "1.0.0")


def test_json_says_what_kind_of_version_it_is(write_repo: WriteRepo) -> None:
    files = home_ops(
        app("games", "wolf", chart_ref("wolf"), oci("wolf", "oci://r/op", "{semver: '>=1.0'}"))
    )
    model = load_repo(write_repo(files))
    data = status_json(model, model.clusters)
    (layer,) = data["clusters"][0]["layers"]
    (release,) = layer["components"][0]["helmReleases"]
    assert (release["chart"], release["version"], release["versionKind"]) == (
        "op",
        ">=1.0",
        "range",
    )
