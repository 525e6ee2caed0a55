"""The one table of API resource kinds tuiops knows: how the client addresses them (group,
version, plural), the words people type for them (`hr`, `helmreleases`), the short word
tables show, the `flux` CLI's word and which controller answers. The console, the adapters
and the simulator all read it; nothing else lists kinds.

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
    short_names: tuple[str, ...] = ()
    """kubectl's short names (`hr`); the first is the word tables show."""
    flux_word: str = ""
    """How `flux suspend|resume|reconcile` names the kind (`source git`); empty: not Flux."""
    controller: str = ""
    """The Flux controller that reconciles it."""

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def short(self) -> str:
        """The word a table shows for the kind (`hr`, `ks`), else the singular."""
        return self.short_names[0] if self.short_names else self.singular

    @property
    def words(self) -> tuple[str, ...]:
        """Every word a user may type for the kind, lower case."""
        return (*self.short_names, self.singular, self.plural)

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


_SOURCE = "source.toolkit.fluxcd.io"
_SOURCE_CONTROLLER = "source-controller"

# Short names are the CRDs' own (Flux 2.7.5) and kubectl's.
KUSTOMIZATION = ApiKind(
    "Kustomization",
    "kustomize.toolkit.fluxcd.io",
    "v1",
    "kustomizations",
    short_names=("ks",),
    flux_word="kustomization",
    controller="kustomize-controller",
)
HELM_RELEASE = ApiKind(
    "HelmRelease",
    "helm.toolkit.fluxcd.io",
    "v2",
    "helmreleases",
    short_names=("hr",),
    flux_word="helmrelease",
    controller="helm-controller",
)
GIT_REPOSITORY = ApiKind(
    "GitRepository",
    _SOURCE,
    "v1",
    "gitrepositories",
    short_names=("gitrepo",),
    flux_word="source git",
    controller=_SOURCE_CONTROLLER,
)
HELM_REPOSITORY = ApiKind(
    "HelmRepository",
    _SOURCE,
    "v1",
    "helmrepositories",
    short_names=("helmrepo",),
    flux_word="source helm",
    controller=_SOURCE_CONTROLLER,
)
OCI_REPOSITORY = ApiKind(
    "OCIRepository",
    _SOURCE,
    "v1",
    "ocirepositories",
    short_names=("ocirepo",),
    flux_word="source oci",
    controller=_SOURCE_CONTROLLER,
)
HELM_CHART = ApiKind(
    "HelmChart",
    _SOURCE,
    "v1",
    "helmcharts",
    short_names=("hc",),
    flux_word="source chart",
    controller=_SOURCE_CONTROLLER,
)
BUCKET = ApiKind(
    "Bucket",
    _SOURCE,
    "v1",
    "buckets",
    flux_word="source bucket",
    controller=_SOURCE_CONTROLLER,
)
EVENT = ApiKind("Event", "", "v1", "events", short_names=("ev",))
SECRET = ApiKind("Secret", "", "v1", "secrets")
POD = ApiKind("Pod", "", "v1", "pods", short_names=("po",))
NODE = ApiKind("Node", "", "v1", "nodes", namespaced=False, short_names=("no",))
NAMESPACE = ApiKind("Namespace", "", "v1", "namespaces", namespaced=False, short_names=("ns",))
DEPLOYMENT = ApiKind("Deployment", "apps", "v1", "deployments", short_names=("deploy",))
REPLICA_SET = ApiKind("ReplicaSet", "apps", "v1", "replicasets", short_names=("rs",))

FLUX_APPLIERS = (KUSTOMIZATION, HELM_RELEASE)
"""The kinds that deploy things: the rows of the Apps screen and of `tuiops status`."""
FLUX_SOURCES = (GIT_REPOSITORY, HELM_REPOSITORY, OCI_REPOSITORY, HELM_CHART, BUCKET)

ALL_KINDS = (
    *FLUX_APPLIERS,
    *FLUX_SOURCES,
    EVENT,
    SECRET,
    POD,
    NODE,
    NAMESPACE,
    DEPLOYMENT,
    REPLICA_SET,
)
"""Every kind tuiops addresses."""

_BY_KIND = {kind.kind: kind for kind in ALL_KINDS}
_BY_WORD = {word: kind for kind in ALL_KINDS for word in kind.words}


def api_kind(kind: str) -> ApiKind:
    """The ApiKind for a Kind name; KeyError for kinds tuiops does not address."""
    return _BY_KIND[kind]


def kind_for_word(word: str) -> ApiKind | None:
    """The kind a typed word names (`hr`, `helmrelease`, `HelmReleases`), or None."""
    return _BY_WORD.get(word.lower())


def is_applier(kind: str) -> bool:
    """A Kustomization or HelmRelease: listed by the console, acted on by Flux actions."""
    return kind in _APPLIER_NAMES


def is_source(kind: str) -> bool:
    """A Flux source (GitRepository, OCIRepository, HelmRepository, HelmChart, Bucket)."""
    return kind in _SOURCE_NAMES


_APPLIER_NAMES = frozenset(kind.kind for kind in FLUX_APPLIERS)
_SOURCE_NAMES = frozenset(kind.kind for kind in FLUX_SOURCES)
