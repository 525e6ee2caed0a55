"""A layer Flux does not apply says why, in the CLI's words (the Layers screen showed a clipped
`not appli` with no reason)."""

from __future__ import annotations

from tuiops.gitops.loader import load_repo
from tuiops.services.overview import build_overview
from tuiops.sim.example_repo import EXAMPLE_REPO


def test_a_commented_out_layer_says_so() -> None:
    cluster = load_repo(EXAMPLE_REPO).clusters[0]
    layers = {layer.name: layer for layer in build_overview(cluster, ()).layers}
    assert layers["observability"].applied is False
    assert layers["observability"].why_not_applied == "commented out"
    assert all(layer.why_not_applied == "" for layer in layers.values() if layer.applied)
