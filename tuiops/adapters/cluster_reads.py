"""One-shot reads about one Flux object: its Events (as `flux events --for` gathers them) and
the Helm release revisions in its storage Secrets (as `helm history` reads them).

Both go through `KubeApi` with server-side selectors, so only the matching objects travel.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from tuiops.adapters.kube_api import JsonObject, KubeApi
from tuiops.domain.decode import as_map, as_str
from tuiops.domain.decode_live import DecodeError, decode_event, decode_helm_release_secret
from tuiops.domain.events import Event
from tuiops.domain.helm import ReleaseRevision, helm_storage_selector
from tuiops.domain.kinds import EVENT, SECRET, api_kind
from tuiops.domain.live import LiveObject
from tuiops.domain.refs import ObjectRef

FLUX_EVENT_KINDS = frozenset(
    {
        "Kustomization",
        "HelmRelease",
        "GitRepository",
        "OCIRepository",
        "Bucket",
        "HelmRepository",
        "HelmChart",
        "ExternalArtifact",
        "Alert",
        "Provider",
        "Receiver",
        "ImagePolicy",
        "ImageRepository",
        "ImageUpdateAutomation",
        "ArtifactGenerator",
    }
)
"""The kinds `flux events` keeps (its `fluxKindMap`); events about anything else are dropped."""


@dataclass(frozen=True, slots=True)
class HelmStorage:
    """Where a HelmRelease's Helm revisions live."""

    release_name: str
    """The Helm release name, which names the Secrets `sh.helm.release.v1.<name>.v<N>`."""
    namespace: str
    """The storage namespace."""


def helm_release_of(obj: LiveObject) -> HelmStorage:
    """The Helm release behind a HelmRelease, named as helm-controller names it.

    The release name is `spec.releaseName`, else `<targetNamespace>-<name>` when a target
    namespace is set, else the object's name (shortened past 53 characters); the newest
    `status.history` entry's name wins when present, as that is what Helm really has. The
    storage namespace is `status.storageNamespace`, else `spec.storageNamespace`, else the
    target namespace, else the HelmRelease's own. `decode_live_object` works both out.

    Args:
        obj: A decoded HelmRelease.

    Returns:
        Release name and storage namespace.

    Raises:
        ValueError: `obj` is not a HelmRelease.
    """
    if obj.ref.kind != "HelmRelease":
        raise ValueError(f"{obj.ref} is not a HelmRelease")
    return HelmStorage(
        release_name=obj.release_name or obj.ref.name,
        namespace=obj.storage_namespace or obj.ref.namespace,
    )


def helm_revisions(
    api: KubeApi, release_name: str, storage_namespace: str
) -> tuple[ReleaseRevision, ...]:
    """Every revision of a Helm release, oldest first, from its storage Secrets.

    Lists Secrets with `labelSelector=owner=helm,name=<release>`, as Helm does for `history`.
    A Secret whose payload cannot be decoded is skipped: one broken revision must not hide the
    others.

    Args:
        api: The cluster.
        release_name: Helm release name (see `helm_release_of`).
        storage_namespace: Namespace of the storage Secrets.

    Returns:
        The decoded revisions sorted by revision number.

    Raises:
        ClusterError: the API server could not answer (Forbidden when RBAC denies Secrets).
    """
    items, _ = api.list_all(
        SECRET, namespace=storage_namespace, label_selector=helm_storage_selector(release_name)
    )
    revisions: list[ReleaseRevision] = []
    for item in items:
        try:
            revisions.append(decode_helm_release_secret(item))
        except DecodeError:
            continue
    return tuple(sorted(revisions, key=lambda revision: revision.revision))


def events_for(api: KubeApi, ref: ObjectRef, *, api_version: str = "") -> tuple[Event, ...]:
    """The Events about a Flux object and its source, oldest first, as `flux events --for`.

    Lists core/v1 Events in the object's namespace with the field selector
    `involvedObject.kind=<Kind>,involvedObject.name=<name>` (plus `involvedObject.apiVersion`
    when given, as `kubectl events --for` selects). Like flux it adds the events of the
    referenced source: a Kustomization's `sourceRef`; a HelmRelease's chart source and its
    HelmChart `<ns>-<name>` (or its `chartRef` object); a HelmChart's source. Events about
    kinds that are not Flux kinds are dropped, and the result is sorted by last occurrence.

    Args:
        api: The cluster.
        ref: The object; its namespace must be set.
        api_version: Optional `group/version` the events must name.

    Returns:
        The events, newest last.

    Raises:
        ClusterError: the API server could not answer (NotFound when a Kustomization,
            HelmRelease or HelmChart whose source is looked up is gone).
    """
    selectors = [(ref.namespace, _selector(ref.kind, ref.name, api_version))]
    for source in _sources_of(api, ref):
        selectors.append((source.namespace, _selector(source.kind, source.name, "")))
    seen: dict[tuple[str, str], Event] = {}
    for namespace, selector in selectors:
        items, _ = api.list_all(EVENT, namespace=namespace, field_selector=selector)
        for event in _decoded(items):
            if event.involved.kind in FLUX_EVENT_KINDS:
                seen.setdefault((event.namespace, event.name), event)
    return tuple(sorted(seen.values(), key=_event_time))


def flux_events(api: KubeApi, namespace: str = "") -> tuple[Event, ...]:
    """Every Event about a Flux object, as `flux events -A` (or `-n NAMESPACE`) lists them:
    core/v1 Events of every namespace (or one), those about other kinds dropped, newest last.

    Raises:
        ClusterError: the API server could not answer.
    """
    items, _ = api.list_all(EVENT, namespace=namespace)
    found = [event for event in _decoded(items) if event.involved.kind in FLUX_EVENT_KINDS]
    return tuple(sorted(found, key=_event_time))


def _selector(kind: str, name: str, api_version: str) -> str:
    terms = [f"involvedObject.kind={kind}", f"involvedObject.name={name}"]
    if api_version:
        terms.append(f"involvedObject.apiVersion={api_version}")
    return ",".join(terms)


def _sources_of(api: KubeApi, ref: ObjectRef) -> list[ObjectRef]:
    """flux's `getObjectRef`: the source(s) whose events belong with `ref`'s."""
    if ref.kind not in ("Kustomization", "HelmRelease", "HelmChart"):
        return []
    obj = api.get(api_kind(ref.kind), ref.namespace, ref.name)
    spec = as_map(obj.get("spec"))
    if ref.kind == "HelmRelease" and spec.get("chartRef"):
        return [_ref(as_map(spec.get("chartRef")), ref.namespace, "OCIRepository")]
    if ref.kind == "HelmRelease":
        chart_spec = as_map(as_map(spec.get("chart")).get("spec"))
        source = _ref(as_map(chart_spec.get("sourceRef")), ref.namespace, "HelmRepository")
        chart = ObjectRef("HelmChart", source.namespace, f"{ref.namespace}-{ref.name}")
        return [source, chart] if source.name else [chart]
    source = _ref(as_map(spec.get("sourceRef")), ref.namespace, "GitRepository")
    return [source] if source.name else []


def _ref(raw: object, namespace: str, default_kind: str) -> ObjectRef:
    entry = as_map(raw)
    return ObjectRef(
        as_str(entry.get("kind"), default_kind),
        as_str(entry.get("namespace"), namespace),
        as_str(entry.get("name")),
    )


def _decoded(items: Iterable[JsonObject]) -> Iterable[Event]:
    for item in items:
        try:
            yield decode_event(item)
        except DecodeError:
            continue


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _event_time(event: Event) -> datetime:
    """The time flux sorts on: the last occurrence (series, lastTimestamp, then eventTime)."""
    text = event.last_timestamp
    if not text:
        return _EPOCH
    text = text.replace("Z", "+00:00")
    # fromisoformat takes at most microseconds; eventTime may carry nanoseconds.
    head, dot, rest = text.partition(".")
    if dot:
        digits = "".join(ch for ch in rest if ch.isdigit())
        text = f"{head}.{digits[:6]}{rest[len(digits) :]}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return _EPOCH
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
