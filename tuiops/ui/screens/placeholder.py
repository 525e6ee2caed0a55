"""Env's screen used to be a placeholder here; it is `ui/screens/env.py` now (issue 15). The
name stays importable from here for code written against the placeholder."""

from __future__ import annotations

from tuiops.ui.screens.env import EnvScreen

__all__ = ["EnvScreen"]
