"""The bundled example GitOps repo (clustertool layout, fictional homelab, fake secrets)."""

from __future__ import annotations

from pathlib import Path

EXAMPLE_REPO = Path(__file__).resolve().parent / "data" / "example-repo"
"""Read-only package data; the demo works on a temporary copy."""

DEMO_KEY_FILE = Path(__file__).resolve().parent / "data" / "demo-only.agekey"
"""DEMO ONLY age identity that decrypts the example repo; it protects nothing real."""
