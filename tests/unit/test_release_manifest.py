"""`parse_release_manifest`: the objects a rendered Helm manifest creates. Hand-written
manifests cover the shapes Helm renders and the odd ones templates produce: namespaces
defaulted or not, quoting, tags, flow style, JSON, and documents that name nothing."""

from __future__ import annotations

from tuiops.adapters.release_objects import parse_release_manifest
from tuiops.domain.refs import ObjectRef
from tuiops.domain.release_manifest import ManifestObject

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
