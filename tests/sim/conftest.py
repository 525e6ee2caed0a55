"""The simulated API server loaded with the Flux fixtures, and the real kubectl pointed at it.

`fixture_cluster` is function-scoped: each test gets its own server (its own port), its own
store and a fresh kubectl `--cache-dir`, so tests can mutate objects freely and every test's
first kubectl call goes through discovery. Starting one costs a few milliseconds.

The real kubectl is required: when `/usr/bin/kubectl` is missing the kubectl tests FAIL.
"""

from __future__ import annotations

import functools
import json
import queue
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import pytest
import yaml

from tuiops.domain.age import parse_time
from tuiops.sim.apiserver.podlogs import LogRecord
from tuiops.sim.apiserver.resources import type_for_kind
from tuiops.sim.clock import SimClock
from tuiops.sim.cluster import SimulatedCluster

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "flux"
KUBECTL = Path("/usr/bin/kubectl")
NOW = datetime.fromisoformat("2025-11-25T10:10:00+00:00")
"""The frozen "now" of every fixture cluster."""

BASE_NAMESPACES = ("flux-system", "apps", "cert-manager", "monitoring")

CONTROLLERS: dict[str, tuple[str, str]] = {
    # controller: (pod name, image)
    "source-controller": (
        "source-controller-6d5b9c7f8-q2w7x",
        "ghcr.io/fluxcd/source-controller:v1.7.4",
    ),
    "kustomize-controller": (
        "kustomize-controller-7b9d6c5f4-hk8zp",
        "ghcr.io/fluxcd/kustomize-controller:v1.7.3",
    ),
    "helm-controller": (
        "helm-controller-5f7c8d9b6-m4n2r",
        "ghcr.io/fluxcd/helm-controller:v1.4.5",
    ),
    "notification-controller": (
        "notification-controller-84c6f5d7b9-t6v3s",
        "ghcr.io/fluxcd/notification-controller:v1.7.5",
    ),
}
"""The four Flux controllers, all in flux-system, one pod each."""


@dataclass(frozen=True)
class CrdFacts:
    """What a Flux CRD fixture declares for its storage version."""

    kind: str
    group: str
    plural: str
    short_names: tuple[str, ...]
    storage_version: str
    columns: tuple[tuple[str, str, str, int], ...]
    """(name, type, jsonPath, priority) of each additionalPrinterColumn."""


FLUX_CRD_FILES = {
    "GitRepository": "source.toolkit.fluxcd.io_gitrepositories.yaml",
    "HelmRepository": "source.toolkit.fluxcd.io_helmrepositories.yaml",
    "HelmChart": "source.toolkit.fluxcd.io_helmcharts.yaml",
    "OCIRepository": "source.toolkit.fluxcd.io_ocirepositories.yaml",
    "Kustomization": "kustomize.toolkit.fluxcd.io_kustomizations.yaml",
    "HelmRelease": "helm.toolkit.fluxcd.io_helmreleases.yaml",
}
"""The Flux kinds the simulator serves, and their CRD files in the fixtures."""


@functools.cache
def crd_facts(kind: str) -> CrdFacts:
    """Read straight from the CRD YAML fixture, independently of the simulator's summary."""
    text = (FIXTURES / "crds" / FLUX_CRD_FILES[kind]).read_text(encoding="utf-8")
    crd = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    spec = crd["spec"]
    storage = next(version for version in spec["versions"] if version["storage"])
    return CrdFacts(
        kind=spec["names"]["kind"],
        group=spec["group"],
        plural=spec["names"]["plural"],
        short_names=tuple(spec["names"].get("shortNames") or ()),
        storage_version=storage["name"],
        columns=tuple(
            (c["name"], c["type"], c["jsonPath"], int(c.get("priority", 0)))
            for c in storage.get("additionalPrinterColumns") or ()
        ),
    )


def observed(command_prefix: str) -> dict[str, Any]:
    """The entry of kubectl-1.32-observed-requests.jsonl whose command starts so."""
    text = (FIXTURES / "kubectl-1.32-observed-requests.jsonl").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip():
            entry: dict[str, Any] = json.loads(line)
            if entry["command"].startswith(command_prefix):
                return entry
    raise KeyError(command_prefix)


def read_json(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def flux_objects() -> list[dict[str, Any]]:
    """The items of flux-objects.sample.json, exactly as in the file."""
    items: list[dict[str, Any]] = read_json("flux-objects.sample.json")["items"]
    return items


def fixture_events() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = read_json("events.sample.json")["items"]
    return items


@dataclass(frozen=True)
class LogLine:
    pod: str
    container: str
    time: datetime
    text: str


def controller_log_lines() -> list[LogLine]:
    """controller-logs.jsonl joined with controller-logs.index.json (1-based line numbers)."""
    index = {entry["line"]: entry for entry in read_json("controller-logs.index.json")}
    lines = (FIXTURES / "controller-logs.jsonl").read_text(encoding="utf-8").splitlines()
    result = []
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        entry = index[number]
        stamp = parse_time(json.loads(text)["ts"])
        assert stamp is not None
        pod = CONTROLLERS[entry["pod_app_label"]][0]
        result.append(LogLine(pod, entry["container"], stamp, text))
    return result


def _namespace(name: str) -> dict[str, Any]:
    return {
        "metadata": {
            "name": name,
            "labels": {"kubernetes.io/metadata.name": name},
            "creationTimestamp": "2025-09-02T08:10:00Z",
        },
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }


def _deployment(controller: str, image: str) -> dict[str, Any]:
    labels = {
        "app": controller,
        "app.kubernetes.io/part-of": "flux",
        "app.kubernetes.io/component": controller,
        "app.kubernetes.io/instance": "flux-system",
    }
    return {
        "metadata": {
            "name": controller,
            "namespace": "flux-system",
            "labels": labels,
            "creationTimestamp": "2025-09-02T08:11:00Z",
        },
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": controller}},
            "template": {
                "metadata": {"labels": {"app": controller}},
                "spec": {"containers": [{"name": "manager", "image": image}]},
            },
        },
        "status": {
            "observedGeneration": 1,
            "replicas": 1,
            "readyReplicas": 1,
            "updatedReplicas": 1,
            "availableReplicas": 1,
        },
    }


def _pod(controller: str, pod: str, image: str) -> dict[str, Any]:
    started = "2025-11-20T07:00:00Z"
    return {
        "metadata": {
            "name": pod,
            "namespace": "flux-system",
            "labels": {
                "app": controller,
                "app.kubernetes.io/part-of": "flux",
                "pod-template-hash": pod.split("-")[-2],
            },
            "creationTimestamp": started,
        },
        "spec": {
            "nodeName": "talos-worker-1",
            "containers": [{"name": "manager", "image": image}],
        },
        "status": {
            "phase": "Running",
            "podIP": "10.244.1.17",
            "startTime": started,
            "conditions": [
                {"type": "Ready", "status": "True", "lastTransitionTime": started},
                {"type": "ContainersReady", "status": "True", "lastTransitionTime": started},
            ],
            "containerStatuses": [
                {
                    "name": "manager",
                    "image": image,
                    "ready": True,
                    "started": True,
                    "restartCount": 0,
                    "state": {"running": {"startedAt": started}},
                }
            ],
        },
    }


def load_fixtures(cluster: SimulatedCluster) -> None:
    """Namespaces, Flux objects, events, controller Deployments/Pods and their logs."""
    objects = flux_objects()
    events = fixture_events()
    used = {obj["metadata"]["namespace"] for obj in objects + events}
    used |= {event["involvedObject"].get("namespace", "") for event in events}
    namespaces = list(BASE_NAMESPACES) + sorted(used - set(BASE_NAMESPACES) - {""})
    store = cluster.store
    for name in namespaces:
        store.create(type_for_kind("Namespace"), _namespace(name))
    for obj in objects + events:
        obj["metadata"].pop("resourceVersion", None)
        store.create(type_for_kind(obj["kind"]), obj)
    for controller, (pod, image) in CONTROLLERS.items():
        store.create(type_for_kind("Deployment"), _deployment(controller, image))
        store.create(type_for_kind("Pod"), _pod(controller, pod, image))
    for line in controller_log_lines():
        cluster.logs.append(
            "flux-system", line.pod, line.container, LogRecord(line.time, line.text)
        )


class LineReader:
    """The lines a child process writes, pumped by a thread so a test can wait with a timeout."""

    def __init__(self, stream: IO[bytes] | None) -> None:
        assert stream is not None, "start the process with stdout=PIPE"
        self.seen: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream: IO[bytes]) -> None:
        for raw in iter(stream.readline, b""):
            self._queue.put(raw.decode("utf-8", "replace").rstrip("\n"))
        self._queue.put(None)

    def next_line(self, timeout: float = 10.0) -> str | None:
        """The next line; None at end of stream. Fails the test after `timeout` seconds."""
        try:
            line = self._queue.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"no line within {timeout}s; so far: {self.seen!r}")
        if line is not None:
            self.seen.append(line)
        return line

    def lines(self, count: int, timeout: float = 10.0) -> list[str]:
        found = []
        for _ in range(count):
            line = self.next_line(timeout)
            assert line is not None, f"stream ended early: {self.seen!r}"
            found.append(line)
        return found

    def until(self, wanted: Callable[[str], bool], timeout: float = 10.0) -> str:
        """Read until a line satisfies `wanted`; returns it."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.next_line(max(deadline - time.monotonic(), 0.01))
            assert line is not None, f"stream ended before the wanted line: {self.seen!r}"
            if wanted(line):
                return line


def stop(process: subprocess.Popen[bytes]) -> None:
    """End a long-running kubectl started by a test (its own child, by handle)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()


@dataclass
class KubectlCluster:
    """A started, loaded simulated cluster and a kubectl bound to it."""

    cluster: SimulatedCluster
    kubeconfig: Path
    cache_dir: Path

    def command(self, *args: str) -> list[str]:
        assert KUBECTL.exists(), f"{KUBECTL} is required for the simulator's kubectl tests"
        return [
            str(KUBECTL),
            "--kubeconfig",
            str(self.kubeconfig),
            "--cache-dir",
            str(self.cache_dir),
            *args,
        ]

    def kubectl(self, *args: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
        """Run kubectl to completion; stdout and stderr captured as text."""
        return subprocess.run(
            self.command(*args),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def popen(self, *args: str) -> subprocess.Popen[bytes]:
        """Start a long-running kubectl (`-w`, `logs -f`); the caller stops it."""
        return subprocess.Popen(
            self.command(*args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )


@pytest.fixture
def fixture_cluster(tmp_path: Path) -> Iterator[KubectlCluster]:
    cluster = SimulatedCluster(clock=SimClock(NOW, frozen=True)).start()
    try:
        load_fixtures(cluster)
        kubeconfig = cluster.write_kubeconfig(tmp_path / "kubeconfig")
        cache_dir = tmp_path / "kube-cache"
        cache_dir.mkdir()
        yield KubectlCluster(cluster, kubeconfig, cache_dir)
    finally:
        cluster.stop()
