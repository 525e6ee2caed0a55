"""Whatever the files hold, loading a repo never raises (it reports findings instead)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tuiops.gitops.clusterenv import ClusterEnv
from tuiops.gitops.clustertool import READS, clustertool_findings, needs
from tuiops.gitops.loader import load_repo

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.sampled_from(["${X}", "${A:=${B}}", "$${E}", "./a/../..", "/", ""]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=12), inner, max_size=4),
    ),
    max_leaves=20,
)
KEYS = [
    "metadata",
    "spec",
    "resources",
    "namespace",
    "components",
    "configMapGenerator",
    "path",
    "dependsOn",
    "postBuild",
    "patches",
    "chart",
    "chartRef",
    "sourceRef",
    "name",
    "substitute",
    "substituteFrom",
    "data",
    "generatorOptions",
]
documents = st.one_of(
    values,
    st.fixed_dictionaries(
        {
            "apiVersion": st.sampled_from(
                [
                    "kustomize.toolkit.fluxcd.io/v1",
                    "helm.toolkit.fluxcd.io/v2",
                    "v1",
                    "kustomize.config.k8s.io/v1beta1",
                    "source.toolkit.fluxcd.io/v1",
                ]
            ),
            "kind": st.sampled_from(["Kustomization", "HelmRelease", "ConfigMap", "GitRepository"]),
        },
        optional={key: values for key in KEYS},
    ),
)
FILES = [
    "clusters/main/kubernetes/flux-entry.yaml",
    "clusters/main/kubernetes/kustomization.yaml",
    "clusters/main/kubernetes/apps/kustomization.yaml",
    "clusters/main/kubernetes/apps/a/ks.yaml",
    "clusters/main/kubernetes/apps/a/app/hr.yaml",
    "clusters/main/clusterenv.yaml",
    "clusters/main/talos/talconfig.yaml",
]


def _dump(docs: list[Any]) -> str:
    return yaml.safe_dump_all(docs, allow_unicode=True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(FILES), st.lists(documents, max_size=3), min_size=1))
def test_random_manifests_never_break_the_loader(files: dict[str, list[Any]]) -> None:
    root = Path(tempfile.mkdtemp())
    try:
        for rel, docs in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(_dump(docs), encoding="utf-8")
        model = load_repo(root)
        assert model.clusters
    finally:
        shutil.rmtree(root)


addresses = st.one_of(
    st.none(),
    st.text(max_size=20),
    st.sampled_from(
        [
            "",
            "10.0.0.1",
            "10.0.0.1/33",
            "10.0.0.1/",
            "::1",
            "fe80::1/64",
            "1.2.3.4-::5",
            "10.0.0.9-10.0.0.1",
            " 10.0.0.1 - 10.0.0.9 ",
            "-",
            "1.2.3.4/255.0.0.0",
            "0",
            "1.5",
        ]
    ),
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([*READS, "X_IP"]), addresses), st.text(max_size=200))
def test_clustertool_rules_never_raise(values: dict[str, str | None], text: str) -> None:
    env = ClusterEnv("clusters/main/clusterenv.yaml", values, {}, text)
    for finding in clustertool_findings(env):
        assert finding.file == env.file
    assert set(needs(env, values)) >= {k for k in values if k in READS}
