"""The API resource kinds tuiops reads, as the client addresses them (group, version, plural).

Versions are the ones Flux 2.7 stores (Kustomization v1, HelmRelease v2, sources v1).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ApiKind:
    """Where a kind lives in the REST API."""

    kind: str
    group: str
    """Empty for the core group."""
    version: str
    plural: str
    namespaced: bool = True

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def collection_path(self, namespace: str = "") -> str:
        """`/api/v1/namespaces/NS/pods` or `/apis/g/v/plural` (all namespaces when empty)."""
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if namespace and self.namespaced:
            return f"{base}/namespaces/{namespace}/{self.plural}"
        return f"{base}/{self.plural}"

    def object_path(self, namespace: str, name: str) -> str:
        return f"{self.collection_path(namespace)}/{name}"


KUSTOMIZATION = ApiKind("Kustomization", "kustomize.toolkit.fluxcd.io", "v1", "kustomizations")
HELM_RELEASE = ApiKind("HelmRelease", "helm.toolkit.fluxcd.io", "v2", "helmreleases")
GIT_REPOSITORY = ApiKind("GitRepository", "source.toolkit.fluxcd.io", "v1", "gitrepositories")
HELM_REPOSITORY = ApiKind("HelmRepository", "source.toolkit.fluxcd.io", "v1", "helmrepositories")
OCI_REPOSITORY = ApiKind("OCIRepository", "source.toolkit.fluxcd.io", "v1", "ocirepositories")
HELM_CHART = ApiKind("HelmChart", "source.toolkit.fluxcd.io", "v1", "helmcharts")
BUCKET = ApiKind("Bucket", "source.toolkit.fluxcd.io", "v1", "buckets")
EVENT = ApiKind("Event", "", "v1", "events")
SECRET = ApiKind("Secret", "", "v1", "secrets")
POD = ApiKind("Pod", "", "v1", "pods")
NODE = ApiKind("Node", "", "v1", "nodes", namespaced=False)
NAMESPACE = ApiKind("Namespace", "", "v1", "namespaces", namespaced=False)
DEPLOYMENT = ApiKind("Deployment", "apps", "v1", "deployments")
REPLICA_SET = ApiKind("ReplicaSet", "apps", "v1", "replicasets")

FLUX_APPLIERS = (KUSTOMIZATION, HELM_RELEASE)
"""The kinds that deploy things: the rows of the Apps screen and of `tuiops status`."""
FLUX_SOURCES = (GIT_REPOSITORY, HELM_REPOSITORY, OCI_REPOSITORY, HELM_CHART, BUCKET)

_BY_KIND = {
    kind.kind: kind
    for kind in (*FLUX_APPLIERS, *FLUX_SOURCES, EVENT, SECRET, POD, NODE, NAMESPACE, DEPLOYMENT)
}


def api_kind(kind: str) -> ApiKind:
    """The ApiKind for a Kind name; KeyError for kinds tuiops does not address."""
    return _BY_KIND[kind]
