"""A secret rotation after the value was saved: the steps (commit, push, reconcile, the
workloads that consume the value), reported as they happen, and a summary per object.

Also the pure rules for workloads: which Secrets and ConfigMaps a pod template reads (env,
envFrom, volumes), and whether a workload will pick up a changed value by itself (a reloader
annotation, a checksum annotation, a rolled pod template) or needs a rollout restart.
Never holds a secret value.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tuiops.domain.decode import as_list, as_map, as_str
from tuiops.domain.refs import ObjectRef

RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
"""The pod-template annotation `kubectl rollout restart` sets."""
RELOADER_AUTO = (
    "reloader.stakater.com/auto",
    "secret.reloader.stakater.com/auto",
    "configmap.reloader.stakater.com/auto",
)
RELOADER_SECRETS = "secret.reloader.stakater.com/reload"
RELOADER_CONFIGMAPS = "configmap.reloader.stakater.com/reload"
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet")
"""Kinds a rollout restart applies to."""


class StepStatus(enum.Enum):
    """How one step stands; the CLI marks them as flux does."""

    RUNNING = "running"
    OK = "ok"
    WARNING = "warning"
    """Done, with something to look at (not pushed, a restart is needed)."""
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class RotationStep:
    """One line of progress."""

    phase: str
    """`commit`, `push`, `source`, `reconcile`, `release`, `consumer` or `restart`."""
    status: StepStatus
    text: str
    """One line; never a value."""
    ref: ObjectRef | None = None
    """The object it is about, when there is one."""


class PickUp(enum.Enum):
    """Whether a workload runs with the new value without anyone restarting it."""

    ROLLED = "rolled"
    """Its pod template changed with the value (an upgrade or apply rolled it)."""
    RELOADER = "reloader"
    """A reloader annotation restarts it when the Secret or ConfigMap changes."""
    CHECKSUM = "checksum"
    """A `checksum/*` pod-template annotation: the upgrade rolls it when the config changes."""
    MOUNTED = "mounted"
    """Read from a mounted file, which the kubelet updates in place; a process that read it
    once keeps the old value."""
    RESTART_NEEDED = "restart needed"
    """Running pods keep the old value until restarted."""
    RESTARTED = "restarted"


NEEDS_RESTART = frozenset({PickUp.MOUNTED, PickUp.RESTART_NEEDED})


@dataclass(frozen=True, slots=True)
class WorkloadSpec:
    """What the rotation needs of a Deployment, StatefulSet or DaemonSet."""

    ref: ObjectRef
    generation: int
    annotations: tuple[tuple[str, str], ...]
    """The workload's own annotations (where reloader looks)."""
    template_annotations: tuple[tuple[str, str], ...]
    reads: tuple[tuple[str, str, str], ...]
    """(how, kind, name): `env`, `envFrom` or `volume`, then `Secret`/`ConfigMap` and name."""


@dataclass(frozen=True, slots=True)
class Consumer:
    """A workload that consumes a changed value, and whether it will pick it up."""

    workload: ObjectRef
    via: str
    """How: `env Secret/x`, `envFrom ConfigMap/y`, `volume Secret/x`, `HelmRelease ns/name
    values`, or `pod template`."""
    pick_up: PickUp
    reason: str

    @property
    def needs_restart(self) -> bool:
        return self.pick_up in NEEDS_RESTART


@dataclass(frozen=True, slots=True)
class ValueHolder:
    """A Secret or ConfigMap manifest of the repo whose text uses a changed variable."""

    kind: str
    namespace: str
    name: str
    owner: ObjectRef
    """The Kustomization that applies it."""


@dataclass(frozen=True, slots=True)
class RotationTargets:
    """What a change of some keys reaches, read from the repo (no cluster)."""

    kustomizations: tuple[ObjectRef, ...]
    """The Kustomizations whose manifests use a changed variable (or include the changed
    file), dependencies first."""
    sources: tuple[ObjectRef, ...]
    """Their sources (the repo's GitRepository, usually `flux-system/flux-system`)."""
    helm_releases: tuple[tuple[ObjectRef, ObjectRef], ...] = ()
    """(HelmRelease, its Kustomization) whose values use a changed variable."""
    holders: tuple[ValueHolder, ...] = ()
    """Secrets and ConfigMaps whose manifests use a changed variable."""
    templates: tuple[tuple[ObjectRef, ObjectRef], ...] = ()
    """(workload, its Kustomization) whose own manifest uses a changed variable."""

    @property
    def objects(self) -> tuple[ObjectRef, ...]:
        """Everything that uses the keys, for the dialog before saving."""
        return (*self.kustomizations, *(hr for hr, _ in self.helm_releases))


@dataclass(frozen=True, slots=True)
class ObjectResult:
    """The final word on one object (or the commit)."""

    what: str
    """`commit`, `push`, or the object (`Kustomization/flux-system/x`)."""
    ok: bool
    text: str


@dataclass(frozen=True, slots=True)
class RotationSummary:
    """How a rotation ended, per object."""

    keys: tuple[str, ...]
    commit: str = ""
    """The commit's sha; empty when none was made."""
    results: tuple[ObjectResult, ...] = ()
    consumers: tuple[Consumer, ...] = ()

    @property
    def succeeded(self) -> bool:
        """Every step worked (commit, push, each reconcile, each restart made)."""
        return all(r.ok for r in self.results)

    @property
    def complete(self) -> bool:
        """Succeeded, and no consumer is left on the old value."""
        return self.succeeded and not self.to_restart

    @property
    def to_restart(self) -> tuple[Consumer, ...]:
        """The consumers to offer a rollout restart for."""
        return tuple(c for c in self.consumers if c.needs_restart)


def commit_message(keys: tuple[str, ...]) -> str:
    """`chore(env): rotate KEY` (keys only, never a value)."""
    return f"chore(env): rotate {', '.join(keys)}"


# -- pod templates ---------------------------------------------------------------------------


def _pairs(value: object) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(k), as_str(v)) for k, v in as_map(value).items()))


def _reads(pod_spec: Mapping[str, Any]) -> tuple[tuple[str, str, str], ...]:
    found: set[tuple[str, str, str]] = set()
    containers = [*as_list(pod_spec.get("initContainers")), *as_list(pod_spec.get("containers"))]
    for container in containers:
        for env in as_list(as_map(container).get("env")):
            source = as_map(as_map(env).get("valueFrom"))
            for key, kind in (("secretKeyRef", "Secret"), ("configMapKeyRef", "ConfigMap")):
                name = as_str(as_map(source.get(key)).get("name"))
                if name:
                    found.add(("env", kind, name))
        for env_from in as_list(as_map(container).get("envFrom")):
            for key, kind in (("secretRef", "Secret"), ("configMapRef", "ConfigMap")):
                name = as_str(as_map(as_map(env_from).get(key)).get("name"))
                if name:
                    found.add(("envFrom", kind, name))
    for volume in as_list(pod_spec.get("volumes")):
        volume = as_map(volume)
        name = as_str(as_map(volume.get("secret")).get("secretName"))
        if name:
            found.add(("volume", "Secret", name))
        name = as_str(as_map(volume.get("configMap")).get("name"))
        if name:
            found.add(("volume", "ConfigMap", name))
        for projected in as_list(as_map(volume.get("projected")).get("sources")):
            for key, kind in (("secret", "Secret"), ("configMap", "ConfigMap")):
                name = as_str(as_map(as_map(projected).get(key)).get("name"))
                if name:
                    found.add(("volume", kind, name))
    return tuple(sorted(found))


def workload_spec(raw: Mapping[str, Any]) -> WorkloadSpec:
    """The parts of a workload (as the API server returns it) the rotation reads."""
    metadata = as_map(raw.get("metadata"))
    template = as_map(as_map(raw.get("spec")).get("template"))
    generation = metadata.get("generation")
    return WorkloadSpec(
        ref=ObjectRef(
            as_str(raw.get("kind")), as_str(metadata.get("namespace")), as_str(metadata.get("name"))
        ),
        generation=generation if isinstance(generation, int) else 0,
        annotations=_pairs(metadata.get("annotations")),
        template_annotations=_pairs(as_map(template.get("metadata")).get("annotations")),
        reads=_reads(as_map(template.get("spec"))),
    )


def reloader_covers(spec: WorkloadSpec, kind: str = "", name: str = "") -> bool:
    """Whether a stakater reloader annotation restarts `spec` when `kind/name` changes (any
    Secret or ConfigMap it reads, when `name` is empty)."""
    annotations = dict(spec.annotations)
    if any(annotations.get(key, "").lower() == "true" for key in RELOADER_AUTO):
        return True
    listed = annotations.get(RELOADER_SECRETS if kind != "ConfigMap" else RELOADER_CONFIGMAPS, "")
    names = {item.strip() for item in listed.split(",") if item.strip()}
    return bool(names) and (not name or name in names)


def judge(
    spec: WorkloadSpec,
    via: str,
    *,
    generation_before: int | None,
    source: tuple[str, str] | None = None,
    helm_values: bool = False,
) -> Consumer:
    """Whether `spec` will run with the new value.

    Args:
        spec: The workload after the reconcile.
        via: How it consumes the value (for the summary).
        generation_before: Its generation before the reconcile; None when it was not read.
        source: (kind, name) of the Secret/ConfigMap it reads the value from, if known.
        helm_values: The value reaches it through its HelmRelease's values.
    """
    kind, name = source if source is not None else ("", "")
    if generation_before is not None and spec.generation != generation_before:
        return Consumer(spec.ref, via, PickUp.ROLLED, "its pod template changed: it rolled")
    if reloader_covers(spec, kind, name):
        return Consumer(spec.ref, via, PickUp.RELOADER, "a reloader annotation restarts it")
    checksums = [key for key, _ in spec.template_annotations if key.startswith("checksum/")]
    if helm_values and checksums:
        return Consumer(
            spec.ref,
            via,
            PickUp.CHECKSUM,
            f"{checksums[0]} on its pod template: the upgrade rolls it when the config changes",
        )
    hows = {how for how, k, n in spec.reads if (k, n) == (kind, name)}
    if source is not None and hows == {"volume"}:
        return Consumer(
            spec.ref,
            via,
            PickUp.MOUNTED,
            "mounted: the file is updated in place, a process that read it once keeps the "
            "old value",
        )
    return Consumer(
        spec.ref, via, PickUp.RESTART_NEEDED, "running pods keep the old value until restarted"
    )
