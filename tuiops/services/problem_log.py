"""Where the console keeps the tracebacks of its own bugs: one file in the XDG state dir
(`$XDG_STATE_HOME/tuiops/console.log`, default `~/.local/state/tuiops/`), so a notification
can say where the details are and a bug report can quote them.

Only exceptions the console did not expect are written; their tracebacks name code and
messages, never local variables, so no secret value reaches the file.
"""

from __future__ import annotations

import os
import traceback
from datetime import datetime
from pathlib import Path

MAX_BYTES = 1_000_000
"""The log is cut to its newer half beyond this: a bug in a loop must not fill the disk."""


def state_dir(environ: dict[str, str] | None = None) -> Path:
    """`$XDG_STATE_HOME/tuiops`, or `~/.local/state/tuiops` when it is unset or relative."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_STATE_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".local/state"
    return root / "tuiops"


class ProblemLog:
    """Appends tracebacks to one file; never raises (a full disk must not hide the bug)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else state_dir() / "console.log"

    def record(self, error: BaseException, where: str) -> Path | None:
        """Append `error`'s traceback with a timestamp and what was running.

        Returns:
            The log file, or None when it could not be written.
        """
        lines = traceback.format_exception(error)
        entry = f"--- {datetime.now().isoformat(timespec='seconds')} {where}\n" + "".join(lines)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if self.path.exists() and self.path.stat().st_size > MAX_BYTES:
                kept = self.path.read_bytes()[-MAX_BYTES // 2 :]
                self.path.write_bytes(kept)
            with self.path.open("a", encoding="utf-8", errors="replace") as log:
                log.write(entry)
        except OSError:
            return None
        return self.path
