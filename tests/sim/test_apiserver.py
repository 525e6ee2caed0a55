"""The simulated API server over plain HTTP (stdlib client): what kubectl does not exercise.

Pagination, watches and their faults, selectors, patch semantics, Status errors, pod logs,
Tables; and `human_age` against the rules of apimachinery's `duration.HumanDuration`.
Expected values are written from docs/kube-api.md and the Kubernetes API conventions.
"""

from __future__ import annotations

import http.client
import json
import math
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest

from tests.sim.conftest import KubectlCluster, crd_facts, flux_objects
from tuiops.domain.age import human_age
from tuiops.sim.apiserver import streams
from tuiops.sim.apiserver.podlogs import LogRecord
from tuiops.sim.apiserver.resources import type_for_kind
from tuiops.sim.cluster import SimulatedCluster

KS = type_for_kind("Kustomization")
SECRET = type_for_kind("Secret")
POD = type_for_kind("Pod")

KS_PATH = "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations"
ALL_KS_PATH = "/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
MERGE = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"

FIXTURE_KS = sorted(o["metadata"]["name"] for o in flux_objects() if o["kind"] == "Kustomization")


# -- a small HTTP client ----------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def call(
    cluster: SimulatedCluster,
    method: str,
    path: str,
    body: Any = None,
    *,
    content_type: str = "application/json",
    accept: str = "application/json",
) -> Reply:
    connection = http.client.HTTPConnection("127.0.0.1", cluster.port, timeout=10)
    try:
        headers = {"Accept": accept}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = content_type
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        return Reply(response.status, dict(response.getheaders()), response.read())
    finally:
        connection.close()


def get(cluster: SimulatedCluster, path: str, **kwargs: str) -> Reply:
    return call(cluster, "GET", path, **kwargs)


def assert_status(reply: Reply, code: int, reason: str, message: str | None = None) -> None:
    """The reply is a `Status` failure as docs/kube-api.md §4 describes it."""
    assert reply.status == code, reply.body
    status = reply.json()
    assert status["kind"] == "Status"
    assert status["apiVersion"] == "v1"
    assert status["status"] == "Failure"
    assert status["code"] == code
    assert status["reason"] == reason
    if message is not None:
        assert status["message"] == message


class StreamCut(Exception):
    """The connection ended without the terminating zero-length chunk."""


class Watch:
    """An open watch (or followed log) read straight off the socket, so a clean end (the final
    zero-length chunk) can be told from a cut connection. Every read times out after 10 s."""

    def __init__(self, cluster: SimulatedCluster, path: str, accept: str) -> None:
        self.socket = socket.create_connection(("127.0.0.1", cluster.port), timeout=10)
        request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: {accept}\r\n\r\n"
        self.socket.sendall(request.encode())
        self.file = self.socket.makefile("rb")
        self.status = int(self.file.readline().split()[1])
        self.headers: dict[str, str] = {}
        while (header := self.file.readline().strip()) != b"":
            key, _, value = header.decode().partition(":")
            self.headers[key.strip().lower()] = value.strip()
        self._buffer = b""
        self._ended = False

    def _chunk(self) -> bytes | None:
        """The next chunk's data; None after the terminating chunk."""
        try:
            size_line = self.file.readline()
        except ConnectionError as error:
            raise StreamCut from error
        if not size_line.endswith(b"\r\n"):
            raise StreamCut(size_line)
        size = int(size_line.split(b";")[0], 16)
        data = self.file.read(size + 2)
        if len(data) < size + 2:
            raise StreamCut(data)
        return data[:size] if size else None

    def line(self) -> bytes | None:
        """The next line (without its newline); None once the server ended the body cleanly.

        Raises:
            StreamCut: the connection ended mid-stream.
        """
        while b"\n" not in self._buffer:
            if self._ended:
                return None
            chunk = self._chunk()
            if chunk is None:
                self._ended = True
                assert self._buffer == b"", "a partial line before the end"
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def event(self) -> dict[str, Any] | None:
        line = self.line()
        if line is None:
            return None
        event: dict[str, Any] = json.loads(line)
        return event

    def close(self) -> None:
        self.file.close()
        self.socket.close()


@contextmanager
def watching(
    cluster: SimulatedCluster, path: str, accept: str = "application/json"
) -> Iterator[Watch]:
    watch = Watch(cluster, path, accept)
    try:
        yield watch
    finally:
        watch.close()


def rv(obj: dict[str, Any]) -> int:
    return int(obj["metadata"]["resourceVersion"])


def ks(live: KubectlCluster, name: str) -> dict[str, Any]:
    found = live.cluster.store.get(KS, "flux-system", name)
    assert found is not None
    return found


def touch(live: KubectlCluster, name: str, value: str) -> None:
    """A metadata-only change to a Kustomization (a new resourceVersion)."""

    def annotate(obj: dict[str, Any]) -> None:
        obj["metadata"].setdefault("annotations", {})["test/touch"] = value

    live.cluster.store.update(KS, "flux-system", name, annotate)


def add_kustomizations(live: KubectlCluster, count: int) -> set[tuple[str, str]]:
    namespaces = ("apps", "flux-system", "monitoring")
    made = set()
    for index in range(count):
        namespace = namespaces[index % 3]
        name = f"page-{index:02d}"
        live.cluster.store.create(
            KS,
            {
                "metadata": {"name": name, "namespace": namespace},
                "spec": {"interval": "10m", "path": f"./p/{index}", "prune": True},
            },
        )
        made.add((namespace, name))
    return made


# -- list pagination ----------------------------------------------------------------------------


def test_pages_return_every_object_exactly_once(fixture_cluster: KubectlCluster) -> None:
    expected = {("flux-system", name) for name in FIXTURE_KS} | add_kustomizations(
        fixture_cluster, 23
    )
    assert len(expected) == 29
    seen: list[tuple[str, str]] = []
    versions = set()
    token = ""
    pages = 0
    while True:
        path = f"{ALL_KS_PATH}?limit=4" + (f"&continue={quote(token)}" if token else "")
        reply = get(fixture_cluster.cluster, path)
        assert reply.status == 200, reply.body
        document = reply.json()
        assert document["kind"] == "KustomizationList"
        assert document["apiVersion"] == "kustomize.toolkit.fluxcd.io/v1"
        assert len(document["items"]) <= 4
        seen += [(o["metadata"]["namespace"], o["metadata"]["name"]) for o in document["items"]]
        versions.add(document["metadata"]["resourceVersion"])
        pages += 1
        if pages == 1:
            # A change to an object already returned does not make it come back.
            touch(fixture_cluster, "apps", "during-paging")
        token = document["metadata"].get("continue", "")
        if not token:
            assert "remainingItemCount" not in document["metadata"]
            break
        assert document["metadata"]["remainingItemCount"] == len(expected) - len(seen)
    assert len(seen) == len(set(seen)) == 29
    assert set(seen) == expected
    assert pages == math.ceil(29 / 4)
    # Every page is served at the first page's resourceVersion (one consistent list).
    assert len(versions) == 1


def test_list_without_limit_has_no_continue(fixture_cluster: KubectlCluster) -> None:
    document = get(fixture_cluster.cluster, KS_PATH).json()
    assert [o["metadata"]["name"] for o in document["items"]] == FIXTURE_KS
    assert set(document["metadata"]) == {"resourceVersion"}
    assert isinstance(document["metadata"]["resourceVersion"], str)


def test_expired_continue_token_is_410(fixture_cluster: KubectlCluster) -> None:
    first = get(fixture_cluster.cluster, f"{ALL_KS_PATH}?limit=2").json()
    token = first["metadata"]["continue"]
    # etcd moves on and compacts past the list's revision.
    touch(fixture_cluster, "tenants", "after-first-page")
    fixture_cluster.cluster.store.compact()
    reply = get(fixture_cluster.cluster, f"{ALL_KS_PATH}?limit=2&continue={quote(token)}")
    assert_status(reply, 410, "Expired")
    assert reply.json()["message"].startswith(
        "The provided continue parameter is too old to display a consistent list result."
    )


# -- watch -----------------------------------------------------------------------------------------


def test_watch_from_a_resource_version_sends_only_later_changes(
    fixture_cluster: KubectlCluster,
) -> None:
    touch(fixture_cluster, "apps", "before")
    start = rv(ks(fixture_cluster, "apps"))
    touch(fixture_cluster, "tenants", "after")
    with watching(fixture_cluster.cluster, f"{KS_PATH}?watch=true&resourceVersion={start}") as w:
        assert w.status == 200
        assert w.headers["content-type"] == "application/json"
        assert w.headers["transfer-encoding"] == "chunked"
        event = w.event()
        assert event is not None
        assert event["type"] == "MODIFIED"
        assert event["object"]["metadata"]["name"] == "tenants"
        assert event["object"]["kind"] == "Kustomization"
        assert rv(event["object"]) == start + 1
        # A change made while watching arrives too; one in another namespace does not.
        fixture_cluster.cluster.store.create(
            KS, {"metadata": {"name": "elsewhere", "namespace": "apps"}, "spec": {}}
        )
        fixture_cluster.cluster.store.delete(KS, "flux-system", "monitoring")
        event = w.event()
        assert event is not None
        assert (event["type"], event["object"]["metadata"]["name"]) == ("DELETED", "monitoring")


def test_watch_from_zero_starts_with_the_current_objects(fixture_cluster: KubectlCluster) -> None:
    with watching(fixture_cluster.cluster, f"{KS_PATH}?watch=1&resourceVersion=0") as w:
        added = [w.event() for _ in FIXTURE_KS]
        assert [e["type"] for e in added if e] == ["ADDED"] * len(FIXTURE_KS)
        assert sorted(e["object"]["metadata"]["name"] for e in added if e) == FIXTURE_KS


def test_watch_older_than_compaction_is_an_error_event(fixture_cluster: KubectlCluster) -> None:
    old = rv(ks(fixture_cluster, "apps"))
    touch(fixture_cluster, "apps", "moved-on")
    fixture_cluster.cluster.store.compact()
    current = fixture_cluster.cluster.store.resource_version
    with watching(fixture_cluster.cluster, f"{KS_PATH}?watch=true&resourceVersion={old}") as w:
        # Not an HTTP 410: a 200 stream with one ERROR event, then the end.
        assert w.status == 200
        event = w.event()
        assert event == {
            "type": "ERROR",
            "object": {
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Failure",
                "message": f"too old resource version: {old} ({current})",
                "reason": "Expired",
                "details": {},
                "code": 410,
            },
        }
        assert w.line() is None


def test_bookmarks_only_when_asked(
    fixture_cluster: KubectlCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(streams, "BOOKMARK_EVERY", 0.2)
    current = fixture_cluster.cluster.store.resource_version
    path = f"{KS_PATH}?watch=true&resourceVersion={current}&allowWatchBookmarks=true"
    with watching(fixture_cluster.cluster, path + "&timeoutSeconds=20") as w:
        event = w.event()
        assert event == {
            "type": "BOOKMARK",
            "object": {
                "kind": "Kustomization",
                "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
                "metadata": {"resourceVersion": str(current)},
            },
        }
    path = f"{KS_PATH}?watch=true&resourceVersion={current}&timeoutSeconds=1"
    with watching(fixture_cluster.cluster, path) as w:
        assert w.line() is None, "no bookmark unless allowWatchBookmarks"


def test_timeout_seconds_ends_the_watch(fixture_cluster: KubectlCluster) -> None:
    current = fixture_cluster.cluster.store.resource_version
    started = time.monotonic()
    path = f"{KS_PATH}?watch=true&resourceVersion={current}&timeoutSeconds=1"
    with watching(fixture_cluster.cluster, path) as w:
        assert w.line() is None  # the final chunk: a clean end
    assert time.monotonic() - started >= 0.9


def test_dropped_watch_ends_without_the_final_chunk(fixture_cluster: KubectlCluster) -> None:
    current = fixture_cluster.cluster.store.resource_version
    with watching(fixture_cluster.cluster, f"{KS_PATH}?watch=true&resourceVersion={current}") as w:
        assert w.status == 200
        fixture_cluster.cluster.faults.drop_watches()
        with pytest.raises(StreamCut):
            w.line()
    # A new watch works again.
    touch(fixture_cluster, "apps", "after-drop")
    with watching(fixture_cluster.cluster, f"{KS_PATH}?watch=true&resourceVersion={current}") as w:
        event = w.event()
        assert event is not None and event["object"]["metadata"]["name"] == "apps"


def test_expired_watch_gets_a_410_error_event(fixture_cluster: KubectlCluster) -> None:
    current = fixture_cluster.cluster.store.resource_version
    with watching(fixture_cluster.cluster, f"{KS_PATH}?watch=true&resourceVersion={current}") as w:
        fixture_cluster.cluster.faults.expire_watches()
        event = w.event()
        assert event is not None
        assert event["type"] == "ERROR"
        assert event["object"]["kind"] == "Status"
        assert event["object"]["code"] == 410
        assert event["object"]["reason"] == "Expired"
        assert event["object"]["message"].startswith("too old resource version: ")
        assert w.line() is None


def test_watch_as_table_sends_one_row_per_event(fixture_cluster: KubectlCluster) -> None:
    current = fixture_cluster.cluster.store.resource_version
    path = f"{KS_PATH}?watch=true&resourceVersion={current}"
    with watching(fixture_cluster.cluster, path, accept=TABLE) as w:
        touch(fixture_cluster, "apps", "one")
        touch(fixture_cluster, "tenants", "two")
        first, second = w.event(), w.event()
        assert first is not None and second is not None
        assert first["object"]["kind"] == "Table"
        assert [c["name"] for c in first["object"]["columnDefinitions"]] == [
            "Name",
            "Age",
            "Ready",
            "Status",
        ]
        assert [row["cells"][0] for row in first["object"]["rows"]] == ["apps"]
        # Later events may leave the columns out; kubectl keeps the first ones.
        assert not second["object"].get("columnDefinitions")
        assert [row["cells"][:3] for row in second["object"]["rows"]] == [
            ["tenants", "55d", "Unknown"]
        ]


# -- faults ----------------------------------------------------------------------------------------


def test_forbidden_list(fixture_cluster: KubectlCluster) -> None:
    cluster = fixture_cluster.cluster
    cluster.faults.forbid("list", "helmreleases")
    reply = get(cluster, "/apis/helm.toolkit.fluxcd.io/v2/helmreleases")
    assert_status(
        reply,
        403,
        "Forbidden",
        'helmreleases.helm.toolkit.fluxcd.io is forbidden: User "sim-admin" cannot list resource'
        ' "helmreleases" in API group "helm.toolkit.fluxcd.io" at the cluster scope',
    )
    assert reply.json()["details"] == {"group": "helm.toolkit.fluxcd.io", "kind": "helmreleases"}
    reply = get(cluster, "/apis/helm.toolkit.fluxcd.io/v2/namespaces/apps/helmreleases")
    assert_status(
        reply,
        403,
        "Forbidden",
        'helmreleases.helm.toolkit.fluxcd.io is forbidden: User "sim-admin" cannot list resource'
        ' "helmreleases" in API group "helm.toolkit.fluxcd.io" in the namespace "apps"',
    )
    # Only that verb on that resource.
    assert (
        get(cluster, "/apis/helm.toolkit.fluxcd.io/v2/namespaces/apps/helmreleases/podinfo").status
        == 200
    )
    assert get(cluster, ALL_KS_PATH).status == 200
    cluster.faults.allow_all()
    assert get(cluster, "/apis/helm.toolkit.fluxcd.io/v2/helmreleases").status == 200


def test_forbidden_patch_names_the_object(fixture_cluster: KubectlCluster) -> None:
    cluster = fixture_cluster.cluster
    cluster.faults.forbid("patch", "Kustomization")
    reply = call(cluster, "PATCH", f"{KS_PATH}/apps", {"spec": {}}, content_type=MERGE)
    assert_status(
        reply,
        403,
        "Forbidden",
        'kustomizations.kustomize.toolkit.fluxcd.io "apps" is forbidden: User "sim-admin" cannot'
        ' patch resource "kustomizations" in API group "kustomize.toolkit.fluxcd.io" in the'
        ' namespace "flux-system"',
    )
    assert reply.json()["details"] == {
        "name": "apps",
        "group": "kustomize.toolkit.fluxcd.io",
        "kind": "kustomizations",
    }


def test_latency_delays_answers(fixture_cluster: KubectlCluster) -> None:
    fixture_cluster.cluster.faults.latency = 0.3
    started = time.monotonic()
    assert get(fixture_cluster.cluster, KS_PATH).status == 200
    assert time.monotonic() - started >= 0.3


def test_error_rate_one_fails_every_request(fixture_cluster: KubectlCluster) -> None:
    cluster = fixture_cluster.cluster
    cluster.faults.error_rate = 1.0
    for path in (KS_PATH, f"{KS_PATH}/apps", "/api/v1/namespaces/flux-system/events"):
        assert_status(get(cluster, path), 500, "InternalError")
    cluster.faults.clear()
    assert get(cluster, KS_PATH).status == 200


def test_restart_keeps_objects_and_port_and_cuts_watches(fixture_cluster: KubectlCluster) -> None:
    cluster = fixture_cluster.cluster
    port = cluster.port
    before = get(cluster, KS_PATH).json()["items"]
    current = cluster.store.resource_version
    with watching(cluster, f"{KS_PATH}?watch=true&resourceVersion={current}") as w:
        assert w.status == 200
        cluster.restart()
        with pytest.raises(StreamCut):
            w.line()
    assert cluster.port == port
    assert get(cluster, KS_PATH).json()["items"] == before


# -- selectors -------------------------------------------------------------------------------------


def names(reply: Reply) -> list[str]:
    assert reply.status == 200, reply.body
    return [o["metadata"]["name"] for o in reply.json()["items"]]


def test_label_selectors(fixture_cluster: KubectlCluster) -> None:
    store = fixture_cluster.cluster.store
    helm = {"owner": "helm", "name": "podinfo"}
    for version, status in ((1, "superseded"), (2, "superseded"), (3, "deployed")):
        labels = {**helm, "status": status, "version": str(version)}
        store.create(
            SECRET,
            {
                "metadata": {
                    "name": f"sh.helm.release.v1.podinfo.v{version}",
                    "namespace": "apps",
                    "labels": labels,
                },
                "type": "helm.sh/release.v1",
            },
        )
    other = {"owner": "helm", "name": "other", "status": "deployed", "version": "1"}
    store.create(
        SECRET,
        {"metadata": {"name": "sh.helm.release.v1.other.v1", "namespace": "apps", "labels": other}},
    )
    store.create(
        SECRET,
        {"metadata": {"name": "podinfo-values", "namespace": "apps", "labels": {"app": "podinfo"}}},
    )
    store.create(SECRET, {"metadata": {"name": "tls", "namespace": "apps"}})

    def select(selector: str) -> list[str]:
        path = f"/api/v1/namespaces/apps/secrets?labelSelector={quote(selector)}"
        return names(get(fixture_cluster.cluster, path))

    podinfo = [f"sh.helm.release.v1.podinfo.v{v}" for v in (1, 2, 3)]
    assert select("owner=helm,name=podinfo") == podinfo
    assert select("owner==helm,name=podinfo,status=deployed") == podinfo[2:]
    assert select("owner=helm,name!=podinfo") == ["sh.helm.release.v1.other.v1"]
    assert select("!owner") == ["podinfo-values", "tls"]
    assert select("owner") == ["sh.helm.release.v1.other.v1", *podinfo]
    assert select("status in (deployed, failed)") == [
        "sh.helm.release.v1.other.v1",
        "sh.helm.release.v1.podinfo.v3",
    ]
    assert select("status notin (deployed)") == [
        "podinfo-values",
        *podinfo[:2],
        "tls",
    ]
    assert select("owner=helm,version in (2,3),name in (podinfo)") == podinfo[1:]
    pods = "/api/v1/namespaces/flux-system/pods?labelSelector=app.kubernetes.io%2Fpart-of%3Dflux"
    assert len(names(get(fixture_cluster.cluster, pods))) == 4
    reply = get(
        fixture_cluster.cluster, f"/api/v1/namespaces/apps/secrets?labelSelector={quote('a b')}"
    )
    assert_status(reply, 400, "BadRequest")


def test_field_selectors(fixture_cluster: KubectlCluster) -> None:
    cluster = fixture_cluster.cluster

    def select(path: str, selector: str) -> Reply:
        return get(cluster, f"{path}?fieldSelector={quote(selector)}")

    assert names(select(KS_PATH, "metadata.name=apps")) == ["apps"]
    assert names(select(KS_PATH, "metadata.name!=apps")) == [n for n in FIXTURE_KS if n != "apps"]
    events = "/api/v1/namespaces/flux-system/events"
    assert names(select(events, "involvedObject.name=apps")) == ["apps.187b2a74c9d8e7f6"]
    assert names(
        select(events, "involvedObject.kind=Kustomization,involvedObject.name=flux-system")
    ) == ["flux-system.187a31e2f0a1b2c3", "flux-system.187b2a6fb0c1d2e3"]
    assert names(select("/api/v1/events", "type=Warning")) == [
        "charts-internal.187b28c41a2b3c4d",
        "infra-configs.187b2a7412ab34cd",
        "kube-prometheus-stack.1879fd3a0b1c2d3e",
    ]
    # Unsupported fields: a CR indexes only metadata.name and metadata.namespace.
    for path, selector in (
        (KS_PATH, "spec.path=./apps/homelab"),
        (KS_PATH, "involvedObject.name=apps"),
        (events, "message=hello"),
    ):
        reply = select(path, selector)
        field = selector.split("=")[0]
        assert_status(reply, 400, "BadRequest", f"field label not supported: {field}")
    watch = f"{KS_PATH}?watch=true&fieldSelector={quote('spec.path=x')}"
    assert_status(get(cluster, watch), 400, "BadRequest")


# -- patch and update semantics ------------------------------------------------------------------


def test_json_patch_operations(fixture_cluster: KubectlCluster) -> None:
    ops = [
        {"op": "test", "path": "/spec/interval", "value": "10m0s"},
        {"op": "add", "path": "/metadata/annotations", "value": {}},
        {"op": "add", "path": "/metadata/annotations/team", "value": "platform"},
        {"op": "add", "path": "/spec/dependsOn/-", "value": {"name": "infra-controllers"}},
        {"op": "remove", "path": "/spec/wait"},
        {"op": "replace", "path": "/spec/interval", "value": "1h"},
        {"op": "move", "from": "/spec/retryInterval", "path": "/spec/timeout"},
        {"op": "copy", "from": "/spec/path", "path": "/metadata/annotations/path"},
        {"op": "test", "path": "/spec/timeout", "value": "2m0s"},
    ]
    reply = call(fixture_cluster.cluster, "PATCH", f"{KS_PATH}/apps", ops, content_type=JSON_PATCH)
    assert reply.status == 200, reply.body
    obj = ks(fixture_cluster, "apps")
    assert obj["metadata"]["annotations"] == {"team": "platform", "path": "./apps/homelab"}
    assert obj["spec"] == {
        "interval": "1h",
        "path": "./apps/homelab",
        "prune": True,
        "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
        "timeout": "2m0s",
        "dependsOn": [{"name": "infra-configs"}, {"name": "infra-controllers"}],
    }
    assert obj["metadata"]["generation"] == 5
    assert reply.json() == obj


def test_failing_json_patch_test_is_422_and_changes_nothing(
    fixture_cluster: KubectlCluster,
) -> None:
    before = ks(fixture_cluster, "apps")
    ops = [
        {"op": "replace", "path": "/spec/interval", "value": "1h"},
        {"op": "test", "path": "/spec/prune", "value": False},
    ]
    reply = call(fixture_cluster.cluster, "PATCH", f"{KS_PATH}/apps", ops, content_type=JSON_PATCH)
    assert_status(reply, 422, "Invalid")
    missing = [{"op": "remove", "path": "/spec/nothing"}]
    reply = call(
        fixture_cluster.cluster, "PATCH", f"{KS_PATH}/apps", missing, content_type=JSON_PATCH
    )
    assert_status(reply, 422, "Invalid")
    assert ks(fixture_cluster, "apps") == before


def test_merge_patch_null_deletes(fixture_cluster: KubectlCluster) -> None:
    patch = {
        "metadata": {"labels": {"kustomize.toolkit.fluxcd.io/namespace": None, "tier": "apps"}},
        "spec": {"wait": None, "sourceRef": {"namespace": "flux-system"}},
    }
    reply = call(fixture_cluster.cluster, "PATCH", f"{KS_PATH}/apps", patch, content_type=MERGE)
    assert reply.status == 200, reply.body
    obj = ks(fixture_cluster, "apps")
    assert obj["metadata"]["labels"] == {
        "kustomize.toolkit.fluxcd.io/name": "flux-system",
        "tier": "apps",
    }
    assert "wait" not in obj["spec"]
    assert obj["spec"]["sourceRef"] == {
        "kind": "GitRepository",
        "name": "flux-system",
        "namespace": "flux-system",
    }


def test_status_subresource_and_generation(fixture_cluster: KubectlCluster) -> None:
    cluster = fixture_cluster.cluster
    original = ks(fixture_cluster, "apps")
    # /status: only status changes; generation stays, resourceVersion moves.
    patch = {"status": {"observedGeneration": 99}, "spec": {"suspend": True}}
    reply = call(cluster, "PATCH", f"{KS_PATH}/apps/status", patch, content_type=MERGE)
    assert reply.status == 200, reply.body
    after_status = ks(fixture_cluster, "apps")
    assert after_status["status"]["observedGeneration"] == 99
    assert after_status["status"]["conditions"] == original["status"]["conditions"]
    assert after_status["spec"] == original["spec"]
    assert after_status["metadata"]["generation"] == 4
    assert rv(after_status) > rv(original)

    # Main resource: status in the body is ignored; metadata alone keeps the generation.
    patch = {"metadata": {"labels": {"x": "y"}}, "status": {"observedGeneration": 1}}
    reply = call(cluster, "PATCH", f"{KS_PATH}/apps", patch, content_type=MERGE)
    after_labels = ks(fixture_cluster, "apps")
    assert after_labels["status"] == after_status["status"]
    assert after_labels["metadata"]["labels"]["x"] == "y"
    assert after_labels["metadata"]["generation"] == 4
    assert rv(after_labels) > rv(after_status)

    # A spec change bumps the generation.
    reply = call(
        cluster, "PATCH", f"{KS_PATH}/apps", {"spec": {"prune": False}}, content_type=MERGE
    )
    after_spec = ks(fixture_cluster, "apps")
    assert after_spec["metadata"]["generation"] == 5
    assert rv(after_spec) > rv(after_labels)
    assert reply.json()["metadata"]["generation"] == 5

    # An object created without status cannot get one through the main resource.
    created = {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "fresh"},
        "spec": {"interval": "1m", "path": "./x", "prune": True},
    }
    assert call(cluster, "POST", KS_PATH, created).status == 201
    patch = {"status": {"observedGeneration": 1}}
    reply = call(cluster, "PATCH", f"{KS_PATH}/fresh", patch, content_type=MERGE)
    assert reply.status == 200
    assert "status" not in ks(fixture_cluster, "fresh")


def test_no_op_patch_does_not_write(fixture_cluster: KubectlCluster) -> None:
    before = ks(fixture_cluster, "monitoring")
    reply = call(
        fixture_cluster.cluster,
        "PATCH",
        f"{KS_PATH}/monitoring",
        {"spec": {"suspend": True}},
        content_type=MERGE,
    )
    assert reply.status == 200
    assert reply.json() == before
    assert ks(fixture_cluster, "monitoring") is before


def test_put_with_stale_resource_version_conflicts(fixture_cluster: KubectlCluster) -> None:
    cluster = fixture_cluster.cluster
    stale = ks(fixture_cluster, "apps")
    touch(fixture_cluster, "apps", "someone-else")
    body = json.loads(json.dumps(stale))
    body["spec"]["suspend"] = True
    reply = call(cluster, "PUT", f"{KS_PATH}/apps", body)
    assert_status(
        reply,
        409,
        "Conflict",
        'Operation cannot be fulfilled on kustomizations.kustomize.toolkit.fluxcd.io "apps": the'
        " object has been modified; please apply your changes to the latest version and try"
        " again",
    )
    assert "suspend" not in ks(fixture_cluster, "apps")["spec"]
    fresh = json.loads(json.dumps(ks(fixture_cluster, "apps")))
    fresh["spec"]["suspend"] = True
    reply = call(cluster, "PUT", f"{KS_PATH}/apps", fresh)
    assert reply.status == 200, reply.body
    assert ks(fixture_cluster, "apps")["spec"]["suspend"] is True
    assert rv(reply.json()) > rv(fresh)


def test_create_and_duplicate(fixture_cluster: KubectlCluster) -> None:
    cluster = fixture_cluster.cluster
    body: dict[str, Any] = {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "newcomer"},
        "spec": {"interval": "5m", "path": "./new", "prune": True},
    }
    reply = call(cluster, "POST", KS_PATH, body)
    assert reply.status == 201, reply.body
    created = reply.json()
    assert created["metadata"]["namespace"] == "flux-system"
    assert created["metadata"]["generation"] == 1
    assert created["metadata"]["uid"]
    assert created["metadata"]["creationTimestamp"] == "2025-11-25T10:10:00Z"
    assert rv(created) == cluster.store.resource_version
    body["metadata"]["name"] = "apps"
    reply = call(cluster, "POST", KS_PATH, body)
    assert_status(
        reply,
        409,
        "AlreadyExists",
        'kustomizations.kustomize.toolkit.fluxcd.io "apps" already exists',
    )
    assert reply.json()["details"] == {
        "name": "apps",
        "group": "kustomize.toolkit.fluxcd.io",
        "kind": "kustomizations",
    }


# -- errors, discovery, logs, tables ---------------------------------------------------------------


def test_missing_object_is_404_with_details(fixture_cluster: KubectlCluster) -> None:
    reply = get(fixture_cluster.cluster, f"{KS_PATH}/nope")
    assert_status(
        reply, 404, "NotFound", 'kustomizations.kustomize.toolkit.fluxcd.io "nope" not found'
    )
    assert reply.json()["details"] == {
        "name": "nope",
        "group": "kustomize.toolkit.fluxcd.io",
        "kind": "kustomizations",
    }
    reply = get(fixture_cluster.cluster, "/api/v1/namespaces/apps/pods/nope")
    assert_status(reply, 404, "NotFound", 'pods "nope" not found')
    assert reply.json()["details"] == {"name": "nope", "kind": "pods"}


@pytest.mark.parametrize(
    "path",
    [
        "/apis/example.com/v1/widgets",
        "/apis/kustomize.toolkit.fluxcd.io/v9/kustomizations",
        "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/widgets",
        "/api/v1/namespaces/apps/widgets",
        "/apis/example.com/v1",
    ],
)
def test_unknown_path_is_404(fixture_cluster: KubectlCluster, path: str) -> None:
    reply = get(fixture_cluster.cluster, path)
    assert_status(reply, 404, "NotFound", "the server could not find the requested resource")
    assert reply.json()["details"] == {}


def test_discovery_subresources_follow_their_kind_scope(fixture_cluster: KubectlCluster) -> None:
    resources = get(fixture_cluster.cluster, "/api/v1").json()["resources"]
    scope = {entry["name"]: entry["namespaced"] for entry in resources}
    assert scope["pods"] is scope["pods/log"] is scope["pods/status"] is True
    assert scope["namespaces"] is scope["namespaces/status"] is False
    assert scope["nodes"] is scope["nodes/status"] is False


def test_namespace_status_subresource(fixture_cluster: KubectlCluster) -> None:
    reply = call(
        fixture_cluster.cluster,
        "PATCH",
        "/api/v1/namespaces/apps/status",
        {"status": {"phase": "Terminating"}},
        content_type=MERGE,
    )
    assert reply.status == 200, reply.body
    assert reply.json()["kind"] == "Namespace"
    assert reply.json()["status"] == {"phase": "Terminating"}


def test_logs_of_a_multi_container_pod_need_a_container(fixture_cluster: KubectlCluster) -> None:
    fixture_cluster.cluster.store.create(
        POD,
        {
            "metadata": {"name": "multi", "namespace": "apps"},
            "spec": {"containers": [{"name": "app"}, {"name": "sidecar"}]},
            "status": {"phase": "Running"},
        },
    )
    moment = fixture_cluster.cluster.clock.now()
    fixture_cluster.cluster.logs.append("apps", "multi", "sidecar", LogRecord(moment, "hello"))
    path = "/api/v1/namespaces/apps/pods/multi/log"
    reply = get(fixture_cluster.cluster, path)
    assert_status(
        reply,
        400,
        "BadRequest",
        "a container name must be specified for pod multi, choose one of: [app sidecar]",
    )
    reply = get(fixture_cluster.cluster, f"{path}?container=sidecar", accept="application/json")
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/plain")
    assert reply.body == b"hello\n"
    assert_status(get(fixture_cluster.cluster, f"{path}?container=nope"), 400, "BadRequest")


def test_table_for_a_custom_resource(fixture_cluster: KubectlCluster) -> None:
    for kind, path in (
        ("Kustomization", KS_PATH),
        (
            "OCIRepository",
            "/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/ocirepositories",
        ),
    ):
        table = get(fixture_cluster.cluster, path, accept=TABLE).json()
        assert table["kind"] == "Table"
        assert table["apiVersion"] == "meta.k8s.io/v1"
        definitions = table["columnDefinitions"]
        assert definitions[0]["name"] == "Name"
        assert definitions[0]["format"] == "name"
        facts = crd_facts(kind)
        assert [(d["name"], d["type"], d["priority"]) for d in definitions[1:]] == [
            (name, kind_, priority) for name, kind_, _, priority in facts.columns
        ]
        for row in table["rows"]:
            assert row["object"]["kind"] == "PartialObjectMetadata"
            assert row["object"]["apiVersion"] == "meta.k8s.io/v1"
            assert row["object"]["metadata"]["name"] == row["cells"][0]
    table = get(fixture_cluster.cluster, KS_PATH, accept=TABLE).json()
    rows = {row["cells"][0]: row["cells"] for row in table["rows"]}
    assert rows["apps"] == [
        "apps",
        "84d",
        "False",
        "dependency 'flux-system/infra-configs' is not ready",
    ]
    assert rows["tenants"][:3] == ["tenants", "55d", "Unknown"]
    oci = get(
        fixture_cluster.cluster,
        "/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/ocirepositories/cert-manager",
        accept=TABLE,
    ).json()
    (row,) = oci["rows"]
    assert row["cells"][0] == "cert-manager"
    assert row["cells"][1] == "oci://quay.io/jetstack/charts/cert-manager"
    assert row["cells"][2] == "True"
    assert row["cells"][-1] == "84d"  # OCIRepository's Age is its last column


def test_served_versions_rewrite_api_version(fixture_cluster: KubectlCluster) -> None:
    path = "/apis/kustomize.toolkit.fluxcd.io/v1beta2/namespaces/flux-system/kustomizations/apps"
    reply = get(fixture_cluster.cluster, path)
    assert reply.status == 200
    assert reply.json()["apiVersion"] == "kustomize.toolkit.fluxcd.io/v1beta2"


# -- human_age -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        # Under two minutes: seconds.
        (timedelta(seconds=0), "0s"),
        (timedelta(seconds=1), "1s"),
        (timedelta(seconds=59), "59s"),
        (timedelta(seconds=70), "70s"),
        (timedelta(seconds=119), "119s"),
        (timedelta(seconds=119, milliseconds=999), "119s"),
        # Under ten minutes: minutes and seconds, seconds dropped when zero.
        (timedelta(minutes=2), "2m"),
        (timedelta(minutes=3, seconds=10), "3m10s"),
        (timedelta(minutes=5, seconds=12), "5m12s"),
        (timedelta(minutes=9, seconds=59), "9m59s"),
        # Under three hours: minutes.
        (timedelta(minutes=10), "10m"),
        (timedelta(minutes=70), "70m"),
        (timedelta(minutes=179, seconds=59), "179m"),
        # Under eight hours: hours and minutes.
        (timedelta(hours=3), "3h"),
        (timedelta(hours=3, minutes=4), "3h4m"),
        (timedelta(hours=7, minutes=59, seconds=59), "7h59m"),
        # Under two days: hours.
        (timedelta(hours=8), "8h"),
        (timedelta(hours=18, minutes=7, seconds=49), "18h"),
        (timedelta(hours=47), "47h"),
        # Under eight days: days and hours.
        (timedelta(hours=48), "2d"),
        (timedelta(hours=49), "2d1h"),
        (timedelta(days=2, hours=5), "2d5h"),
        (timedelta(days=7, hours=23), "7d23h"),
        # Under two years: days.
        (timedelta(days=8, hours=2), "8d"),
        (timedelta(days=84, hours=1, minutes=58), "84d"),
        (timedelta(days=367), "367d"),
        (timedelta(days=400), "400d"),
        (timedelta(days=729), "729d"),
        # Under eight years: years and days.
        (timedelta(days=730), "2y"),
        (timedelta(days=731, hours=1), "2y1d"),
        (timedelta(days=3 * 365 + 120), "3y120d"),
        # Beyond: years.
        (timedelta(days=8 * 365, hours=2), "8y"),
        (timedelta(days=10 * 365 + 100), "10y"),
        # The future: one second of skew is "now", more is invalid.
        (timedelta(milliseconds=-500), "0s"),
        (timedelta(seconds=-1), "0s"),
        (timedelta(seconds=-1, milliseconds=-900), "0s"),
        (timedelta(seconds=-2), "<invalid>"),
        (timedelta(minutes=-4, seconds=-35), "<invalid>"),
    ],
)
def test_human_age(delta: timedelta, expected: str) -> None:
    assert human_age(delta) == expected
