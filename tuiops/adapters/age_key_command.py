"""SOPS_AGE_KEY_CMD: a command whose output is an age keys file, run as sops runs it."""

from __future__ import annotations

import shlex
from collections.abc import Mapping

from tuiops.adapters.process import run

KEY_COMMAND_TIMEOUT = 30.0


def run_key_command(env: Mapping[str, str]) -> str | None:
    """The output of SOPS_AGE_KEY_CMD (split shell-style; no shell runs), or None if unset."""
    command = env.get("SOPS_AGE_KEY_CMD", "").strip()
    if not command:
        return None
    return run(shlex.split(command), timeout=KEY_COMMAND_TIMEOUT, env=env).stdout
