"""The kube contexts a kubeconfig offers, as `:ctx` lists them (what `kubectl config
get-contexts` shows)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class KubeContextEntry:
    """One context of the kubeconfig."""

    name: str
    cluster: str
    """The kubeconfig's cluster entry it points at."""
    server: str
    """That cluster's API server URL; empty when the entry is missing or has none."""
    namespace: str
    """Its default namespace; empty for `default`."""
    current: bool
    """Whether it is the kubeconfig's current-context."""
