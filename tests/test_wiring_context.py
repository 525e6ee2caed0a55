"""The console names the kube context it talks to, also when it is the kubeconfig's
current-context (the status bar said "no context" while connected to `tuiops-sim`)."""

from __future__ import annotations

from pathlib import Path

from tuiops.wiring import cluster_backend

KUBECONFIG = """\
apiVersion: v1
kind: Config
current-context: homelab
contexts:
- name: homelab
  context: {cluster: c, user: u}
- name: other
  context: {cluster: c, user: u}
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: u
  user: {token: t}
"""


def test_the_label_is_the_context_in_use(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text(KUBECONFIG)
    assert cluster_backend(None, kubeconfig=str(config)).label == "homelab"
    assert cluster_backend(None, kubeconfig=str(config), context="other").label == "other"
    assert cluster_backend(None, kubeconfig=str(config), label="demo").label == "demo"
