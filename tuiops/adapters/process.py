"""The one way tuiops runs a program: argv only (no shell), a timeout on every call, the
process group killed on timeout or cancellation, stderr kept for the message, secrets only
ever on stdin, and a missing binary reported as a missing tool."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tuiops.errors import TuiopsError


class ToolNotFound(TuiopsError):
    """A program tuiops needs is not installed (or not on PATH)."""


MESSAGE_LINE = 300
"""Characters of the program's last stderr line kept in a `CommandFailed` message: a program
that dies printing a 100 kB line still gives one readable line (issue 16); the whole stderr
stays on the error's `stderr`."""


class CommandFailed(TuiopsError):
    """A program exited non-zero or timed out; the message carries its stderr's last line."""

    def __init__(self, argv: Sequence[str], returncode: int | None, stderr: str) -> None:
        self.argv = tuple(argv)
        self.returncode = returncode
        self.stderr = stderr
        last = stderr.strip().splitlines()[-1].strip() if stderr.strip() else ""
        if len(last) > MESSAGE_LINE:
            last = last[: MESSAGE_LINE - 1] + "…"
        status = "timed out" if returncode is None else f"exited {returncode}"
        super().__init__(f"{argv[0]} {status}" + (f": {last}" if last else ""))


@dataclass(frozen=True, slots=True)
class Completed:
    """A finished run."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def run(
    argv: Sequence[str],
    *,
    timeout: float,
    stdin: str | None = None,
    env: Mapping[str, str] | None = None,
    check: bool = True,
    decode_errors: str = "replace",
) -> Completed:
    """Run `argv` to completion.

    Args:
        argv: program and arguments; never a shell string, never a secret.
        timeout: seconds before the whole process group is killed.
        stdin: text fed on standard input (the only way secrets go in).
        env: the full environment for the child (default: inherited).
        check: raise CommandFailed on a non-zero exit.
        decode_errors: how undecodable output bytes are read ("replace": a program printing
            binary never raises here; "surrogateescape" lets the caller tell such bytes apart).

    Raises:
        ToolNotFound: the program does not exist.
        CommandFailed: non-zero exit (with check) or timeout.
    """
    try:
        process = subprocess.Popen(
            list(argv),
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env) if env is not None else None,
            text=True,
            errors=decode_errors,
            start_new_session=True,  # its own process group, so a kill reaches its children
        )
    except FileNotFoundError:
        raise ToolNotFound(f"{argv[0]}: not installed or not on PATH") from None
    except PermissionError:
        raise ToolNotFound(f"{argv[0]}: not executable") from None
    try:
        stdout, stderr = process.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        process.communicate()
        raise CommandFailed(argv, None, "") from None
    except BaseException:
        _kill_group(process)
        raise
    if check and process.returncode != 0:
        raise CommandFailed(argv, process.returncode, stderr)
    return Completed(tuple(argv), process.returncode, stdout, stderr)


def _kill_group(process: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
