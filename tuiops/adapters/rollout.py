"""Workloads for a secret rotation: those a HelmRelease's Helm release runs, those in a
namespace, and `kubectl rollout restart` (the `kubectl.kubernetes.io/restartedAt` pod-template
annotation, as a merge patch)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from tuiops.adapters.kube_api import KubeApi
from tuiops.adapters.release_objects import READABLE_KINDS, read_release_manifest
from tuiops.domain.decode_live import DecodeError, decode_live_object
from tuiops.domain.kinds import HELM_RELEASE, ApiKind
from tuiops.domain.refs import ObjectRef
from tuiops.domain.rotation import RESTARTED_AT, WORKLOAD_KINDS, WorkloadSpec, workload_spec
from tuiops.errors import ClusterError, NotFound

_KINDS: dict[str, ApiKind] = {kind: READABLE_KINDS[("apps", kind)] for kind in WORKLOAD_KINDS}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class KubeWorkloads:
    """Reads workloads and restarts them (blocking; run in a worker).

    Args:
        api: The kube context.
        now: The `restartedAt` value (default: UTC now, RFC3339, as kubectl writes it).
    """

    def __init__(self, api: KubeApi, *, now: Callable[[], str] = _now) -> None:
        self._api = api
        self._now = now

    def release_workloads(self, release: ObjectRef) -> tuple[WorkloadSpec, ...]:
        """The Deployments, StatefulSets and DaemonSets of a HelmRelease's newest Helm revision
        (empty when it has none in storage).

        Raises:
            ClusterError: the HelmRelease or a workload could not be read.
        """
        try:
            live = decode_live_object(self._api.get(HELM_RELEASE, release.namespace, release.name))
        except DecodeError as error:
            raise ClusterError(f"{release}: {error}") from None
        read = read_release_manifest(self._api, live)
        if isinstance(read, str):
            return ()
        found = []
        for item in read[1].objects:
            kind = _KINDS.get(item.ref.kind)
            if kind is None or item.group != "apps":
                continue
            try:
                raw = self._api.get(kind, item.ref.namespace, item.ref.name)
            except NotFound:
                continue
            raw.setdefault("kind", item.ref.kind)
            found.append(workload_spec(raw))
        return tuple(found)

    def namespace_workloads(self, namespace: str) -> tuple[WorkloadSpec, ...]:
        """Every Deployment, StatefulSet and DaemonSet of `namespace`.

        Raises:
            ClusterError: a list failed.
        """
        found: list[WorkloadSpec] = []
        for kind in _KINDS.values():
            items, _ = self._api.list_all(kind, namespace=namespace)
            found.extend(workload_spec(item) for item in items)
        return tuple(found)

    def workload(self, ref: ObjectRef) -> WorkloadSpec:
        """One workload as it is now.

        Raises:
            ClusterError: it could not be read (NotFound when it is gone).
        """
        raw = self._api.get(self._kind(ref), ref.namespace, ref.name)
        raw.setdefault("kind", ref.kind)
        return workload_spec(raw)

    def restart(self, ref: ObjectRef) -> str:
        """`kubectl rollout restart`: set `spec.template.metadata.annotations
        ["kubectl.kubernetes.io/restartedAt"]` to now, which rolls the pods.

        Returns:
            The timestamp set.

        Raises:
            ClusterError: the patch failed (forbidden, not found, unreachable).
        """
        stamp = self._now()
        patch = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: stamp}}}}}
        self._api.merge_patch(self._kind(ref), ref.namespace, ref.name, patch)
        return stamp

    @staticmethod
    def _kind(ref: ObjectRef) -> ApiKind:
        kind = _KINDS.get(ref.kind)
        if kind is None:
            raise ClusterError(f"{ref}: a rollout restart applies to {', '.join(_KINDS)} only")
        return kind
