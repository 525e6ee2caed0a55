"""`parse_release_manifest`: the objects a rendered Helm manifest creates, read without a YAML
library. Hand-written manifests cover the shapes Helm renders (and the odd ones templates
produce); a property test holds the reader against PyYAML on generated documents."""

from __future__ import annotations

import json

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tuiops.domain.refs import ObjectRef
from tuiops.domain.release_manifest import ManifestObject, parse_release_manifest

PODINFO = """---
# Source: podinfo/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: podinfo
  labels:
    helm.sh/chart: podinfo-6.9.2
    app.kubernetes.io/name: podinfo
spec:
  type: ClusterIP
  selector:
    app.kubernetes.io/name: podinfo
---
# Source: podinfo/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: podinfo
spec:
  template:
    metadata:
      name: not-this-one
      labels:
        app.kubernetes.io/name: podinfo
    spec:
      containers:
        - name: podinfo
          image: "ghcr.io/stefanprodan/podinfo:6.9.2"
"""


def refs(manifest: str, namespace: str = "apps") -> list[ObjectRef]:
    return [item.ref for item in parse_release_manifest(manifest, namespace).objects]


def test_helm_rendered_manifest() -> None:
    parsed = parse_release_manifest(PODINFO, "apps")
    assert parsed.objects == (
        ManifestObject(ObjectRef("Service", "apps", "podinfo"), "v1"),
        ManifestObject(ObjectRef("Deployment", "apps", "podinfo"), "apps/v1"),
    )
    assert parsed.unreadable == 0
    assert [item.group for item in parsed.objects] == ["", "apps"]


def test_namespaces_explicit_defaulted_and_cluster_scoped() -> None:
    manifest = """
kind: ConfigMap
metadata:
  namespace: elsewhere
  name: explicit
---
kind: ConfigMap
metadata:
  name: defaulted
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
  namespace: ignored
---
kind: CustomResourceDefinition
metadata:
  name: widgets.example.org
"""
    assert refs(manifest) == [
        ObjectRef("ConfigMap", "elsewhere", "explicit"),
        ObjectRef("ConfigMap", "apps", "defaulted"),
        ObjectRef("ClusterRole", "", "reader"),
        ObjectRef("CustomResourceDefinition", "", "widgets.example.org"),
    ]


def test_only_metadata_children_name_the_object() -> None:
    manifest = """kind: Secret
metadata:   # the object's own
  annotations:
    note: |
      name: from-a-block-scalar
  ownerReferences:
  - name: the-owner
    kind: Thing
  labels: {name: in-a-label}
  name: 'it''s'  # quoted with an escaped quote
spec:
  name: from-the-spec
"""
    assert refs(manifest) == [ObjectRef("Secret", "apps", "it's")]


def test_quoting_tags_comments_and_separators() -> None:
    manifest = (
        "--- # first\r\n"
        '"kind": "Service"\r\n'
        "metadata:\r\n"
        '  "name": "web\\u0031"\r\n'
        "...\r\n"
        "---\n"
        "kind: !!str Job\n"
        "metadata:\n"
        "    name: &anchor migrate # four-space indent\n"
        "---\n"
        '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "json", "namespace": "x"}}\n'
        "---\n"
        'kind: ServiceAccount\nmetadata: {name: "flow", namespace: other, labels: {a: b}}\n'
    )
    assert refs(manifest) == [
        ObjectRef("Service", "apps", "web1"),
        ObjectRef("Job", "apps", "migrate"),
        ObjectRef("Pod", "x", "json"),
        ObjectRef("ServiceAccount", "other", "flow"),
    ]


def test_unreadable_documents_are_counted_not_guessed() -> None:
    manifest = """---
# Source: chart/templates/empty.yaml
# nothing rendered here
---
kind: Deployment
metadata:
  labels: {}
---
kind: List
metadata:
  name: looks-named
items: []
---
- just
- a list
---
kind: ConfigMap
metadata:
  name: *alias
---
kind: ConfigMap
metadata:
  name: fine
---
kind: ConfigMap
metadata:
  name: fine
"""
    parsed = parse_release_manifest(manifest, "apps")
    assert [item.ref for item in parsed.objects] == [ObjectRef("ConfigMap", "apps", "fine")]
    assert parsed.unreadable == 4
    assert parse_release_manifest("", "apps").objects == ()
    assert parse_release_manifest("", "apps").unreadable == 0


NAMES = st.from_regex(r"[a-z0-9]([-a-z0-9.]{0,20}[a-z0-9])?", fullmatch=True)
KINDS = st.sampled_from(["Deployment", "Service", "ConfigMap", "ClusterRole", "Widget"])


@st.composite
def documents(draw: st.DrawFn) -> dict[str, object]:
    metadata: dict[str, object] = {"name": draw(NAMES)}
    if draw(st.booleans()):
        metadata["namespace"] = draw(NAMES)
    if draw(st.booleans()):
        metadata["labels"] = {"name": draw(NAMES), "app": draw(NAMES)}
    if draw(st.booleans()):
        metadata["annotations"] = {"note": "name: decoy\nnamespace: decoy\n"}
    doc: dict[str, object] = {"apiVersion": "v1", "kind": draw(KINDS), "metadata": metadata}
    if draw(st.booleans()):
        doc["spec"] = {"template": {"metadata": {"name": draw(NAMES)}}}
    return doc


@settings(max_examples=150, deadline=None)
@given(st.lists(documents(), max_size=6), st.sampled_from(["block", "flow", "json"]))
def test_agrees_with_pyyaml(docs: list[dict[str, object]], style: str) -> None:
    if style == "json":
        text = "---\n".join(json.dumps(doc) + "\n" for doc in docs)
    else:
        text = yaml.safe_dump_all(
            docs, explicit_start=True, sort_keys=False, default_flow_style=style == "flow"
        )
    expected: list[ObjectRef] = []
    for doc in yaml.safe_load_all(text):
        metadata = doc["metadata"]
        scoped = doc["kind"] != "ClusterRole"
        ref = ObjectRef(
            doc["kind"], metadata.get("namespace", "ns") if scoped else "", metadata["name"]
        )
        if ref not in expected:
            expected.append(ref)
    assert refs(text, "ns") == expected
