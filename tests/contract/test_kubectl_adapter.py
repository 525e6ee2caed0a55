"""The `Kubectl` adapter running the real /usr/bin/kubectl against the simulated API server
loaded with the Flux fixtures. Expected values come from the fixture objects and the CRDs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.sim.conftest import KUBECTL, NOW, crd_facts, flux_objects, load_fixtures
from tuiops.adapters.kubectl import Kubectl, resource_name
from tuiops.adapters.process import CommandFailed, ToolNotFound
from tuiops.domain.refs import ObjectRef
from tuiops.sim.clock import SimClock
from tuiops.sim.cluster import CONTEXT, SimulatedCluster

KPS = ObjectRef("HelmRelease", "monitoring", "kube-prometheus-stack")
APPS = ObjectRef("Kustomization", "flux-system", "apps")


@pytest.fixture
def kubectl(tmp_path: Path) -> Iterator[Kubectl]:
    assert KUBECTL.exists(), f"{KUBECTL} is required for the kubectl adapter tests"
    cluster = SimulatedCluster(clock=SimClock(NOW, frozen=True)).start()
    try:
        load_fixtures(cluster)
        kubeconfig = cluster.write_kubeconfig(tmp_path / "kubeconfig")
        cache = tmp_path / "kube-cache"
        yield Kubectl(str(kubeconfig), CONTEXT, str(KUBECTL), timeout=20, cache_dir=str(cache))
    finally:
        cluster.stop()


def fixture_object(ref: ObjectRef) -> dict[str, Any]:
    return next(
        obj
        for obj in flux_objects()
        if (obj["kind"], obj["metadata"]["namespace"], obj["metadata"]["name"])
        == (ref.kind, ref.namespace, ref.name)
    )


def folded(text: str) -> list[str]:
    """Lines with runs of whitespace folded, for describe's aligned columns."""
    return [re.sub(r"\s+", " ", line).strip() for line in text.splitlines()]


def test_resource_names_are_fully_qualified() -> None:
    for kind in ("Kustomization", "HelmRelease", "GitRepository", "HelmChart", "OCIRepository"):
        facts = crd_facts(kind)
        assert resource_name(ObjectRef(kind, "ns", "x")) == f"{facts.plural}.{facts.group}"
    assert resource_name(ObjectRef("Pod", "ns", "x")) == "pods"


def test_describe_shows_name_and_conditions(kubectl: Kubectl) -> None:
    lines = folded(kubectl.describe(KPS))
    assert f"Name: {KPS.name}" in lines
    assert f"Namespace: {KPS.namespace}" in lines
    assert "Kind: HelmRelease" in lines
    for condition in fixture_object(KPS)["status"]["conditions"]:
        assert f"Type: {condition['type']}" in lines
        assert f"Reason: {condition['reason']}" in lines
        assert f"Message: {condition['message']}" in lines


def test_yaml_is_the_stored_object(kubectl: Kubectl) -> None:
    document = yaml.safe_load(kubectl.yaml(APPS))
    want = fixture_object(APPS)
    assert document["kind"] == "Kustomization"
    assert document["apiVersion"] == "kustomize.toolkit.fluxcd.io/v1"
    assert document["metadata"]["name"] == APPS.name
    assert document["spec"] == want["spec"]
    assert document["status"]["conditions"] == want["status"]["conditions"]


def test_events_for_one_object(kubectl: Kubectl) -> None:
    header, *rows = kubectl.events(APPS).splitlines()
    assert header.split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    # The fixture's one event about apps, not those of its neighbours in flux-system.
    (row,) = rows
    assert " Normal " in row
    assert " DependencyNotReady " in row
    assert " Kustomization/apps " in row
    assert row.endswith("Dependencies do not meet ready condition, retrying in 30s")


def test_missing_object_carries_kubectls_error(kubectl: Kubectl) -> None:
    with pytest.raises(CommandFailed) as caught:
        kubectl.describe(ObjectRef("Kustomization", "flux-system", "nope"))
    assert caught.value.returncode == 1
    assert 'kustomizations.kustomize.toolkit.fluxcd.io "nope" not found' in str(caught.value)
    with pytest.raises(CommandFailed, match='"nope" not found'):
        kubectl.yaml(ObjectRef("HelmRelease", "apps", "nope"))


def test_missing_kubectl_is_tool_not_found(tmp_path: Path) -> None:
    missing = Kubectl(None, None, binary=str(tmp_path / "no-kubectl"))
    with pytest.raises(ToolNotFound, match="need kubectl"):
        missing.describe(APPS)
