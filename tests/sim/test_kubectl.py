"""The real kubectl v1.32 against the simulated API server: each command must print what it
prints against a real cluster holding the Flux fixtures (frozen "now": 2025-11-25T10:10:00Z).

Expected values come from the fixtures and the CRD files, read here independently of the
simulator, and from kubectl's own output rules; where the observed transcript
(kubectl-1.32-observed-requests.jsonl) has output for the same command, its shape is compared.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.sim.conftest import (
    CONTROLLERS,
    FIXTURES,
    FLUX_CRD_FILES,
    KubectlCluster,
    LineReader,
    controller_log_lines,
    crd_facts,
    fixture_events,
    flux_objects,
    observed,
    stop,
)
from tuiops.sim.apiserver.podlogs import LogRecord
from tuiops.sim.apiserver.resources import type_for_kind

KS = type_for_kind("Kustomization")

AGES = {
    # (kind, name): age at 2025-11-25T10:10:00Z of the fixture's creationTimestamp,
    # worked out by hand with HumanDuration's rules.
    ("GitRepository", "flux-system"): "84d",  # 2025-09-02T08:11:37Z
    ("GitRepository", "charts-internal"): "41d",  # 2025-10-14T12:00:03Z: 41d22h
    ("HelmRepository", "podinfo"): "84d",
    ("HelmRepository", "prometheus-community"): "84d",
    ("HelmChart", "apps-podinfo"): "84d",
    ("OCIRepository", "cert-manager"): "84d",
    ("Kustomization", "flux-system"): "84d",
    ("Kustomization", "infra-controllers"): "84d",
    ("Kustomization", "infra-configs"): "84d",
    ("Kustomization", "apps"): "84d",
    ("Kustomization", "monitoring"): "84d",
    ("Kustomization", "tenants"): "55d",  # 2025-10-01T09:00:00Z: 55d1h10m
    ("HelmRelease", "podinfo"): "84d",
    ("HelmRelease", "cert-manager"): "7d7h",  # 2025-11-18T02:15:06Z: 7d7h54m54s
    ("HelmRelease", "kube-prometheus-stack"): "84d",
}

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$")
"""kubelet's fixed-width RFC3339Nano (`2006-01-02T15:04:05.000000000Z07:00`)."""


# -- helpers ---------------------------------------------------------------------------------


def cells(line: str) -> list[str]:
    """The cells of one table line: kubectl pads columns with at least three spaces."""
    return re.split(r" {3,}", line.strip())


def blocks(stdout: str) -> list[list[list[str]]]:
    """Each resource type's table (kubectl separates them with a blank line), as cells."""
    return [
        [cells(line) for line in block.splitlines() if line.strip()]
        for block in stdout.split("\n\n")
        if block.strip()
    ]


def normalized(text: str) -> list[str]:
    """Lines with runs of whitespace folded, for `describe`'s aligned output."""
    return [" ".join(line.split()) for line in text.splitlines()]


def printed(value: str) -> str:
    """A string cell as kubectl prints it: cut at the first line break, marked with `...`."""
    cut = re.split(r"[\n\r\f]", value, maxsplit=1)
    return cut[0] + "..." if len(cut) > 1 else value


def ready(obj: dict[str, Any]) -> dict[str, Any]:
    condition: dict[str, Any] = next(c for c in obj["status"]["conditions"] if c["type"] == "Ready")
    return condition


def fixture(kind: str) -> list[dict[str, Any]]:
    """The fixture objects of `kind` in etcd order (namespace, then name)."""
    items = [obj for obj in flux_objects() if obj["kind"] == kind]
    return sorted(items, key=lambda o: (o["metadata"]["namespace"], o["metadata"]["name"]))


def fixture_object(kind: str, name: str) -> dict[str, Any]:
    return next(
        obj for obj in flux_objects() if obj["kind"] == kind and obj["metadata"]["name"] == name
    )


def column_value(obj: dict[str, Any], column: tuple[str, str, str, int]) -> str:
    """A printer column's cell for a fixture object, computed from the CRD's jsonPath."""
    _, kind, path, _ = column
    if kind == "date":
        return AGES[(obj["kind"], obj["metadata"]["name"])]
    ready_prefix = '.status.conditions[?(@.type=="Ready")].'
    if path.startswith(ready_prefix):
        return printed(str(ready(obj)[path[len(ready_prefix) :]]))
    value: Any = obj
    for part in path.strip(".").split("."):
        value = value[part]
    return printed(str(value))


def qualified(kind: str) -> str:
    facts = crd_facts(kind)
    return f"{facts.kind.lower()}.{facts.group}"


def expected_table(kind: str, *, all_namespaces: bool, prefix: bool) -> list[list[str]]:
    """Header and rows `kubectl get` prints for the fixture objects of `kind`."""
    columns = [c for c in crd_facts(kind).columns if c[3] == 0]
    header = ["NAMESPACE"] if all_namespaces else []
    header += ["NAME"] + [c[0].upper() for c in columns]
    rows = [header]
    for obj in fixture(kind):
        if not all_namespaces and obj["metadata"]["namespace"] != "flux-system":
            continue
        name = obj["metadata"]["name"]
        row = [obj["metadata"]["namespace"]] if all_namespaces else []
        row.append(f"{qualified(kind)}/{name}" if prefix else name)
        row += [column_value(obj, column) for column in columns]
        rows.append(row)
    return rows


def stored(live: KubectlCluster, name: str, namespace: str = "flux-system") -> dict[str, Any]:
    found = live.cluster.store.get(KS, namespace, name)
    assert found is not None
    return found


def observed_header(command: str) -> list[str]:
    head: str = observed(command)["stdout_head"]
    return head.splitlines()[0].split()


# -- get -----------------------------------------------------------------------------------


def test_get_kustomizations_and_helmreleases_table(fixture_cluster: KubectlCluster) -> None:
    result = fixture_cluster.kubectl("get", "kustomizations,helmreleases", "-A")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    tables = blocks(result.stdout)
    assert tables == [
        expected_table("Kustomization", all_namespaces=True, prefix=True),
        expected_table("HelmRelease", all_namespaces=True, prefix=True),
    ]
    # Same columns as kubectl printed against the probe server for `get ks -A`.
    assert tables[0][0] == observed_header("kubectl get ks -A")
    assert tables[0][0] == ["NAMESPACE", "NAME", "AGE", "READY", "STATUS"]
    # Spot checks written out in full.
    assert [
        "flux-system",
        "kustomization.kustomize.toolkit.fluxcd.io/apps",
        "84d",
        "False",
        "dependency 'flux-system/infra-configs' is not ready",
    ] in tables[0]
    assert [
        "flux-system",
        "kustomization.kustomize.toolkit.fluxcd.io/tenants",
        "55d",
        "Unknown",
        "Reconciliation in progress",
    ] in tables[0]
    assert tables[1][2][:4] == [
        "cert-manager",
        "helmrelease.helm.toolkit.fluxcd.io/cert-manager",
        "7d7h",
        "True",
    ]


def test_get_one_kind_in_the_default_namespace(fixture_cluster: KubectlCluster) -> None:
    result = fixture_cluster.kubectl("get", "ks")
    assert result.returncode == 0, result.stderr
    assert blocks(result.stdout) == [
        expected_table("Kustomization", all_namespaces=False, prefix=False)
    ]
    # The probe transcript's `get ks -w` printed this header (no -A: no NAMESPACE).
    assert blocks(result.stdout)[0][0] == observed_header("kubectl get ks -w")


def test_get_json_is_a_list_of_every_object(fixture_cluster: KubectlCluster) -> None:
    result = fixture_cluster.kubectl("get", "kustomizations,helmreleases", "-A", "-o", "json")
    assert result.returncode == 0, result.stderr
    # kubectl's own wrapping, as in the observed transcript.
    head = observed("kubectl get kustomizations.kustomize.toolkit.fluxcd.io -A -o json")
    assert result.stdout.startswith("\n".join(head["stdout_head"].splitlines()[:4]))
    document = json.loads(result.stdout)
    assert document["apiVersion"] == "v1"
    assert document["kind"] == "List"
    got = {
        (o["kind"], o["metadata"]["namespace"], o["metadata"]["name"], o["metadata"]["uid"])
        for o in document["items"]
    }
    want = {
        (o["kind"], o["metadata"]["namespace"], o["metadata"]["name"], o["metadata"]["uid"])
        for o in flux_objects()
        if o["kind"] in ("Kustomization", "HelmRelease")
    }
    assert len(document["items"]) == 9
    assert got == want
    by_name = {(o["kind"], o["metadata"]["name"]): o for o in document["items"]}
    for original in flux_objects():
        if original["kind"] not in ("Kustomization", "HelmRelease"):
            continue
        served = by_name[(original["kind"], original["metadata"]["name"])]
        assert served["apiVersion"] == original["apiVersion"]
        assert served["spec"] == original["spec"]
        assert served["status"] == original["status"]
        assert served["metadata"]["generation"] == original["metadata"]["generation"]
        assert served["metadata"]["creationTimestamp"] == original["metadata"]["creationTimestamp"]
        # The fixture's resourceVersion was dropped; the server assigned its own.
        assert served["metadata"]["resourceVersion"].isdigit()
        assert served["metadata"]["resourceVersion"] != original["metadata"]["resourceVersion"]


def test_get_missing_object_is_notfound(fixture_cluster: KubectlCluster) -> None:
    result = fixture_cluster.kubectl("get", "ks", "nope")
    transcript = observed("kubectl get ks nope")
    assert result.returncode == transcript["exit_code"] == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error from server (NotFound):"
        ' kustomizations.kustomize.toolkit.fluxcd.io "nope" not found\n'
    )
    assert result.stderr == transcript["stderr_head"]


def test_get_sources(fixture_cluster: KubectlCluster) -> None:
    result = fixture_cluster.kubectl("get", "gitrepo,helmrepo,hc,ocirepo", "-A")
    assert result.returncode == 0, result.stderr
    kinds = ("GitRepository", "HelmRepository", "HelmChart", "OCIRepository")
    assert blocks(result.stdout) == [
        expected_table(kind, all_namespaces=True, prefix=True) for kind in kinds
    ]
    headers = [table[0] for table in blocks(result.stdout)]
    assert headers == [
        ["NAMESPACE", "NAME", "URL", "AGE", "READY", "STATUS"],
        ["NAMESPACE", "NAME", "URL", "AGE", "READY", "STATUS"],
        [
            "NAMESPACE",
            "NAME",
            "CHART",
            "VERSION",
            "SOURCE KIND",
            "SOURCE NAME",
            "AGE",
            "READY",
            "STATUS",
        ],
        ["NAMESPACE", "NAME", "URL", "READY", "STATUS", "AGE"],
    ]
    assert blocks(result.stdout)[0][1][:5] == [
        "flux-system",
        "gitrepository.source.toolkit.fluxcd.io/charts-internal",
        "https://git.example.org/platform/charts.git",
        "41d",
        "False",
    ]


@pytest.mark.parametrize("kind", list(FLUX_CRD_FILES))
def test_short_names_resolve(fixture_cluster: KubectlCluster, kind: str) -> None:
    facts = crd_facts(kind)
    (short,) = facts.short_names
    expected = [f"{qualified(kind)}/{o['metadata']['name']}" for o in fixture(kind)]
    by_short = fixture_cluster.kubectl("get", short, "-A", "-o", "name")
    by_plural = fixture_cluster.kubectl("get", f"{facts.plural}.{facts.group}", "-A", "-o", "name")
    assert by_short.returncode == 0, by_short.stderr
    assert by_short.stdout.splitlines() == expected
    assert by_plural.stdout == by_short.stdout


# -- watch ----------------------------------------------------------------------------------


def test_get_watch_prints_the_changed_row(fixture_cluster: KubectlCluster) -> None:
    process = fixture_cluster.popen("get", "ks", "-w")
    try:
        reader = LineReader(process.stdout)
        expected = expected_table("Kustomization", all_namespaces=False, prefix=False)
        first = [cells(line) for line in reader.lines(len(expected))]
        assert first == expected

        def set_ready(obj: dict[str, Any]) -> None:
            for condition in obj["status"]["conditions"]:
                if condition["type"] == "Ready":
                    condition.update(
                        status="True",
                        reason="ReconciliationSucceeded",
                        message="Applied revision: main@sha1:feedfacefeedface",
                    )

        fixture_cluster.cluster.store.update(KS, "flux-system", "apps", set_ready, status_only=True)
        row = reader.until(lambda line: line.startswith("apps "))
        assert cells(row) == ["apps", "84d", "True", "Applied revision: main@sha1:feedfacefeedface"]
        assert process.poll() is None, "kubectl get -w must keep watching"
    finally:
        stop(process)


# -- writes -----------------------------------------------------------------------------------


def test_annotate_overwrite(fixture_cluster: KubectlCluster) -> None:
    key = "reconcile.fluxcd.io/requestedAt"
    first = fixture_cluster.kubectl("annotate", "ks", "apps", f"{key}=2025-11-25T10:00:00Z")
    assert first.returncode == 0, first.stderr
    before = stored(fixture_cluster, "apps")
    refused = fixture_cluster.kubectl("annotate", "ks", "apps", f"{key}=again")
    assert refused.returncode == 1
    assert "--overwrite is false" in refused.stderr

    command = f"{key}=2025-11-25T10:00:00.000000000Z"
    result = fixture_cluster.kubectl("annotate", "ks", "apps", command, "--overwrite")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "kustomization.kustomize.toolkit.fluxcd.io/apps annotated\n"
    assert result.stdout == observed("kubectl annotate ks apps")["stdout_head"]
    after = stored(fixture_cluster, "apps")
    assert after["metadata"]["annotations"] == {key: "2025-11-25T10:00:00.000000000Z"}
    # Metadata changes move resourceVersion but not generation; status stays.
    assert int(after["metadata"]["resourceVersion"]) > int(before["metadata"]["resourceVersion"])
    assert after["metadata"]["generation"] == 4
    assert after["status"] == fixture_object("Kustomization", "apps")["status"]


def test_patch_merge_bumps_generation(fixture_cluster: KubectlCluster) -> None:
    before = stored(fixture_cluster, "apps")
    result = fixture_cluster.kubectl(
        "patch", "ks", "apps", "--type", "merge", "-p", '{"spec":{"suspend":true}}'
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "kustomization.kustomize.toolkit.fluxcd.io/apps patched\n"
    assert result.stdout == observed("kubectl patch ks apps --type merge")["stdout_head"]
    after = stored(fixture_cluster, "apps")
    assert after["spec"] == {**fixture_object("Kustomization", "apps")["spec"], "suspend": True}
    assert after["metadata"]["generation"] == 5
    assert after["status"] == before["status"]
    assert int(after["metadata"]["resourceVersion"]) > int(before["metadata"]["resourceVersion"])


def test_patch_that_changes_nothing(fixture_cluster: KubectlCluster) -> None:
    # `monitoring` is already suspended: no write, so kubectl reports no change.
    before = stored(fixture_cluster, "monitoring")
    result = fixture_cluster.kubectl(
        "patch", "ks", "monitoring", "--type", "merge", "-p", '{"spec":{"suspend":true}}'
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "kustomization.kustomize.toolkit.fluxcd.io/monitoring patched (no change)\n"
    )
    assert stored(fixture_cluster, "monitoring") == before


def test_patch_strategic_on_a_custom_resource_is_415(fixture_cluster: KubectlCluster) -> None:
    before = stored(fixture_cluster, "apps")
    result = fixture_cluster.kubectl("patch", "ks", "apps", "-p", '{"spec":{"suspend":false}}')
    transcript = observed("kubectl patch ks apps -p")
    assert result.returncode == transcript["exit_code"] == 1
    assert result.stderr == (
        "error: application/strategic-merge-patch+json is not supported by"
        " kustomize.toolkit.fluxcd.io/v1, Kind=Kustomization: the body of the request was in an"
        " unknown format - accepted media types include: application/json-patch+json,"
        " application/merge-patch+json, application/apply-patch+yaml,"
        " application/apply-patch+cbor\n"
    )
    assert result.stderr == transcript["stderr_head"]
    assert stored(fixture_cluster, "apps") == before


def test_patch_json(fixture_cluster: KubectlCluster) -> None:
    ops = [
        {"op": "add", "path": "/spec/suspend", "value": True},
        {"op": "replace", "path": "/spec/interval", "value": "5m"},
    ]
    result = fixture_cluster.kubectl("patch", "ks", "apps", "--type", "json", "-p", json.dumps(ops))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "kustomization.kustomize.toolkit.fluxcd.io/apps patched\n"
    after = stored(fixture_cluster, "apps")
    assert after["spec"]["suspend"] is True
    assert after["spec"]["interval"] == "5m"
    assert after["metadata"]["generation"] == 5

    # The observed command: replace a key that now exists.
    replace = '[{"op":"replace","path":"/spec/suspend","value":false}]'
    result = fixture_cluster.kubectl("patch", "ks", "apps", "--type", "json", "-p", replace)
    assert result.stdout == observed("kubectl patch ks apps --type json")["stdout_head"]
    assert stored(fixture_cluster, "apps")["spec"]["suspend"] is False
    assert stored(fixture_cluster, "apps")["metadata"]["generation"] == 6

    # Replacing a key that is not there is refused and changes nothing.
    before = stored(fixture_cluster, "apps")
    bad = '[{"op":"replace","path":"/spec/nosuchfield","value":1}]'
    result = fixture_cluster.kubectl("patch", "ks", "apps", "--type", "json", "-p", bad)
    assert result.returncode == 1
    assert stored(fixture_cluster, "apps") == before


# -- logs ----------------------------------------------------------------------------------------


def fixed_width(stamp: str) -> str:
    """`2025-11-25T10:10:07.440Z` as kubelet prints it: nine fraction digits."""
    seconds, fraction = stamp.rstrip("Z").split(".")
    return f"{seconds}.{fraction.ljust(9, '0')}Z"


def test_logs_follow_tail_since_timestamps(fixture_cluster: KubectlCluster) -> None:
    pod = CONTROLLERS["kustomize-controller"][0]
    lines = [line for line in controller_log_lines() if line.pod == pod]
    assert len(lines) == 7
    texts = (FIXTURES / "controller-logs.jsonl").read_text(encoding="utf-8").splitlines()
    # Lines 12 and 13 of the file are the kustomize-controller's last two.
    expected = [f"{fixed_width(json.loads(t)['ts'])} {t}" for t in texts[11:13]]
    assert expected[0].startswith("2025-11-25T10:10:07.440000000Z {")

    process = fixture_cluster.popen("logs", "-f", pod, "--tail=2", "--since=1h", "--timestamps")
    try:
        reader = LineReader(process.stdout)
        assert reader.lines(2) == expected
        for line in reader.seen:
            assert TIMESTAMP.match(line.split(" ", 1)[0])

        text = '{"level":"info","ts":"2025-11-25T10:15:00.5Z","msg":"streamed"}'
        stamp = datetime(2025, 11, 25, 10, 15, 0, 500000, tzinfo=UTC)
        fixture_cluster.cluster.logs.append("flux-system", pod, "manager", LogRecord(stamp, text))
        assert reader.next_line() == f"2025-11-25T10:15:00.500000000Z {text}"
        assert process.poll() is None, "kubectl logs -f must keep following"
    finally:
        stop(process)


def test_logs_since_drops_each_older_line(fixture_cluster: KubectlCluster) -> None:
    # The source-controller's last three lines are stamped 09:15:03, yesterday and a week ago
    # (file order); with --since=1h only the first of them is newer than 09:10:00.
    pod = CONTROLLERS["source-controller"][0]
    result = fixture_cluster.kubectl("logs", pod, "--tail=3", "--since=1h")
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    assert json.loads(line)["ts"] == "2025-11-25T09:15:03.992Z"


# -- wait --------------------------------------------------------------------------------------


def test_wait_on_an_object_already_ready(fixture_cluster: KubectlCluster) -> None:
    result = fixture_cluster.kubectl(
        "wait", "--for=condition=Ready", "ks/flux-system", "--timeout=10s"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "kustomization.kustomize.toolkit.fluxcd.io/flux-system condition met\n"
    shape = observed("kubectl wait --for=condition=Ready")["stdout_head"]
    assert result.stdout == shape.replace("/infra ", "/flux-system ")


def test_wait_until_the_object_becomes_ready(
    fixture_cluster: KubectlCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = fixture_cluster.cluster.store
    watching = threading.Event()
    original = store.changes_since

    def noticing(resource_version: int) -> Any:
        watching.set()  # only a watch reads the change log here
        return original(resource_version)

    monkeypatch.setattr(store, "changes_since", noticing)
    process = fixture_cluster.popen("wait", "--for=condition=Ready", "ks/apps", "--timeout=30s")
    try:
        assert watching.wait(15), "kubectl wait never opened its watch"
        assert process.poll() is None, "apps is not Ready yet"

        def make_ready(obj: dict[str, Any]) -> None:
            obj["status"]["conditions"][0].update(status="True", reason="ReconciliationSucceeded")

        store.update(KS, "flux-system", "apps", make_ready, status_only=True)
        stdout, stderr = process.communicate(timeout=15)
        assert process.returncode == 0, stderr
        assert stdout == b"kustomization.kustomize.toolkit.fluxcd.io/apps condition met\n"
    finally:
        stop(process)


def test_wait_times_out_on_an_object_that_stays_not_ready(
    fixture_cluster: KubectlCluster,
) -> None:
    result = fixture_cluster.kubectl(
        "wait", "--for=condition=Ready", "ks/infra-configs", "--timeout=1s"
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "error: timed out waiting for the condition on kustomizations/infra-configs\n"
    )


# -- describe and events -----------------------------------------------------------------------


def events_section(lines: list[str]) -> list[str]:
    start = lines.index("Events:")
    return [line for line in lines[start + 1 :] if line]


def test_describe_kustomization(fixture_cluster: KubectlCluster) -> None:
    result = fixture_cluster.kubectl("describe", "ks", "apps")
    assert result.returncode == 0, result.stderr
    lines = normalized(result.stdout)
    for wanted in (
        "Name: apps",
        "Namespace: flux-system",
        "API Version: kustomize.toolkit.fluxcd.io/v1",
        "Kind: Kustomization",
        "UID: 4c5d6e7f-8091-4b2c-9d3e-4f5a6b7c8d9e",
        "Generation: 4",
        "Path: ./apps/homelab",
        "Status:",
        "Conditions:",
        "Last Transition Time: 2025-11-25T10:10:05Z",
        "Message: dependency 'flux-system/infra-configs' is not ready",
        "Reason: DependencyNotReady",
        "Status: False",
        "Type: Ready",
        "Last Applied Revision: main@sha1:9b8a7c6d5e4f30211203948576a6b5c4d3e2f1a0",
    ):
        assert wanted in lines, wanted
    events = events_section(lines)
    assert events[:2] == ["Type Reason Age From Message", "---- ------ ---- ---- -------"]
    (row,) = events[2:]
    # The age is computed by kubectl from the wall clock; the rest is the fixture event.
    assert row.startswith("Normal DependencyNotReady ")
    assert "(x10 over " in row
    assert row.endswith(
        " kustomize-controller Dependencies do not meet ready condition, retrying in 30s"
    )


def test_describe_helmrelease(fixture_cluster: KubectlCluster) -> None:
    result = fixture_cluster.kubectl("describe", "hr", "-n", "monitoring", "kube-prometheus-stack")
    assert result.returncode == 0, result.stderr
    lines = normalized(result.stdout)
    obj = fixture_object("HelmRelease", "kube-prometheus-stack")
    for condition in obj["status"]["conditions"]:
        assert f"Type: {condition['type']}" in lines
        assert f"Reason: {condition['reason']}" in lines
        assert f"Message: {condition['message']}" in lines
    assert "Upgrade Failures: 2" in lines
    events = events_section(lines)
    assert events[0] == "Type Reason Age From Message"
    # Oldest first: the failed upgrade (19:48:29), then the rollback (19:58:31).
    assert [row.split()[:2] for row in events[2:]] == [
        ["Warning", "UpgradeFailed"],
        ["Normal", "RollbackSucceeded"],
    ]
    assert events[2].endswith(
        "helm-controller Helm upgrade failed for release monitoring/kube-prometheus-stack with"
        " chart kube-prometheus-stack@79.5.0: context deadline exceeded"
    )


def test_get_events_table(fixture_cluster: KubectlCluster) -> None:
    result = fixture_cluster.kubectl("get", "events")
    assert result.returncode == 0, result.stderr
    # Server-side event printer; LAST SEEN is the age of lastTimestamp at 10:10:00, and a
    # lastTimestamp in the future (the fixture has a few) reads <invalid>.
    assert blocks(result.stdout) == [
        [
            ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"],
            [
                "18h",
                "Normal",
                "ChartPullSucceeded",
                "helmchart/apps-podinfo",
                "pulled 'podinfo' chart with version '6.9.2'",
            ],
            [
                "<invalid>",
                "Normal",
                "DependencyNotReady",
                "kustomization/apps",
                "Dependencies do not meet ready condition, retrying in 30s",
            ],
            [
                "<invalid>",
                "Warning",
                "GitOperationFailed",
                "gitrepository/charts-internal",
                "failed to checkout and determine revision: unable to clone"
                " 'https://git.example.org/platform/charts.git': authentication required:"
                " Invalid username or password",
            ],
            [
                "15s",
                "Normal",
                "ReconciliationSucceeded",
                "kustomization/flux-system",
                "Reconciliation finished in 1.503215406s, next run in 10m0s",
            ],
            [
                "18s",
                "Normal",
                "NewArtifact",
                "gitrepository/flux-system",
                "stored artifact for commit 'Update podinfo to 6.9.2'",
            ],
            [
                "16s",
                "Normal",
                "Progressing",
                "kustomization/flux-system",
                "Kustomization/flux-system/apps configured",
            ],
            [
                "<invalid>",
                "Normal",
                "ArtifactUpToDate",
                "gitrepository/flux-system",
                "artifact up-to-date with remote revision:"
                " 'main@sha1:3f1c9a0e7b6d5c4a3928171605f4e3d2c1b0a998'",
            ],
            [
                # The message's trailing newline is trimmed by the server's printer.
                "<invalid>",
                "Warning",
                "ReconciliationFailed",
                "kustomization/infra-configs",
                "ClusterIssuer/letsencrypt-prod dry-run failed: no matches for kind"
                ' "ClusterIssuer" in version "cert-manager.io/v1"',
            ],
        ]
    ]


def test_get_events_all_namespaces(fixture_cluster: KubectlCluster) -> None:
    result = fixture_cluster.kubectl("get", "events", "-A")
    assert result.returncode == 0, result.stderr
    (table,) = blocks(result.stdout)
    assert table[0] == ["NAMESPACE", "LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    events = fixture_events()
    assert len(table) - 1 == len(events) == 11
    want = sorted(
        (
            e["metadata"]["namespace"],
            e["reason"],
            f"{e['involvedObject']['kind'].lower()}/{e['involvedObject']['name']}",
        )
        for e in events
    )
    assert sorted((row[0], row[3], row[4]) for row in table[1:]) == want


def test_events_for_one_object(fixture_cluster: KubectlCluster) -> None:
    result = fixture_cluster.kubectl("events", "--for", "kustomization/flux-system")
    assert result.returncode == 0, result.stderr
    (table,) = blocks(result.stdout)
    assert table[0] == ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert table[0] == cells(observed("kubectl events --for")["stdout_head"].splitlines()[0])
    # Only the Kustomization's two events: not those of the GitRepository of the same name.
    rows = table[1:]
    assert [row[1:] for row in rows] == [
        [
            "Normal",
            "Progressing",
            "Kustomization/flux-system",
            "Kustomization/flux-system/apps configured",
        ],
        [
            "Normal",
            "ReconciliationSucceeded",
            "Kustomization/flux-system",
            "Reconciliation finished in 1.503215406s, next run in 10m0s",
        ],
    ]
    assert "(x377 over " in rows[1][0]

    result = fixture_cluster.kubectl("events", "--for", "kustomization/apps")
    (table,) = blocks(result.stdout)
    assert [row[1:] for row in table[1:]] == [
        [
            "Normal",
            "DependencyNotReady",
            "Kustomization/apps",
            "Dependencies do not meet ready condition, retrying in 30s",
        ]
    ]


# -- discovery -----------------------------------------------------------------------------------


def test_api_resources_lists_the_flux_kinds(fixture_cluster: KubectlCluster) -> None:
    result = fixture_cluster.kubectl("api-resources")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    rows = [cells(line) for line in lines[1:]]
    for kind in FLUX_CRD_FILES:
        facts = crd_facts(kind)
        want = [
            facts.plural,
            ",".join(facts.short_names),
            f"{facts.group}/{facts.storage_version}",
            "true",
            facts.kind,
        ]
        assert want in rows, kind
    assert [
        "kustomizations",
        "ks",
        "kustomize.toolkit.fluxcd.io/v1",
        "true",
        "Kustomization",
    ] in rows
    assert ["helmreleases", "hr", "helm.toolkit.fluxcd.io/v2", "true", "HelmRelease"] in rows
    # Core kinds the console needs are there too.
    assert ["pods", "po", "v1", "true", "Pod"] in rows
    assert ["deployments", "deploy", "apps/v1", "true", "Deployment"] in rows


def test_version_prints_the_server_version(fixture_cluster: KubectlCluster) -> None:
    talconfig = Path(__file__).resolve().parents[2] / "tuiops" / "sim" / "data"
    talconfig = talconfig / "example-repo" / "clusters" / "main" / "talos" / "talconfig.yaml"
    kubernetes = yaml.safe_load(talconfig.read_text(encoding="utf-8"))["kubernetesVersion"]
    assert kubernetes == "v1.34.1"
    result = fixture_cluster.kubectl("version")
    assert result.returncode == 0, result.stderr
    assert f"Server Version: {kubernetes}" in result.stdout.splitlines()
    # A 1.32 client warns about a 1.34 server, as it would against a real one.
    assert "version difference between client (1.32) and server (1.34)" in result.stderr
    document = json.loads(fixture_cluster.kubectl("version", "-o", "json").stdout)
    assert document["serverVersion"]["major"] == "1"
    assert document["serverVersion"]["minor"] == "34"
    assert document["serverVersion"]["gitVersion"] == kubernetes
