"""SOPS_AGE_KEY_CMD: a command whose output is an age keys file, run as sops runs it."""

from __future__ import annotations

import shlex
from collections.abc import Mapping

from tuiops.adapters.process import CommandFailed, ToolNotFound, run

KEY_COMMAND_TIMEOUT = 30.0


def run_key_command(env: Mapping[str, str]) -> tuple[bytes | None, str]:
    """The output of SOPS_AGE_KEY_CMD (split shell-style; no shell runs), or why there is none.

    Never raises: like sops, a command that cannot be split, is missing, fails or hangs only
    spoils its own source, and the other identity sources are still tried.

    Returns:
        (stdout as bytes, "") on success; (None, one-line reason) otherwise; (None, "") unset.
    """
    command = env.get("SOPS_AGE_KEY_CMD", "").strip()
    if not command:
        return None, ""
    try:
        argv = shlex.split(command)
    except ValueError as error:
        return None, f"cannot split the command: {error}"
    if not argv:
        return None, "empty command"
    try:
        completed = run(argv, timeout=KEY_COMMAND_TIMEOUT, env=env, decode_errors="surrogateescape")
    except (ToolNotFound, CommandFailed) as error:
        return None, str(error)
    return completed.stdout.encode("utf-8", "surrogateescape"), ""
