"""The bundled example GitOps repo (clustertool layout, fictional homelab, fake secrets)."""

from __future__ import annotations

from pathlib import Path

EXAMPLE_REPO = Path(__file__).resolve().parent / "data" / "example-repo"
"""Read-only package data; the demo works on a temporary copy."""
