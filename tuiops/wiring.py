"""The composition root: the only module that knows which concrete adapters serve the ports.

Everything heavy (the kubernetes client) is imported when a port is first used, not here.
"""

from __future__ import annotations

from tuiops.adapters.flux_reader import KubeFluxReader
from tuiops.adapters.kube_api import KubeApi
from tuiops.ports import FluxReader


def flux_reader(kubeconfig: str | None = None, context: str | None = None) -> FluxReader:
    """A FluxReader for the kube context (default: $KUBECONFIG / ~/.kube/config current)."""
    return KubeFluxReader(KubeApi(kubeconfig, context))
