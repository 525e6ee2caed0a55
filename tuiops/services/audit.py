"""The audit log: one JSON line per attempt to change the cluster or the repo, in
`$XDG_STATE_HOME/tuiops/audit.jsonl` (default `~/.local/state/tuiops/`).

Each line holds `time` (UTC, RFC 3339 with milliseconds), `user`, `context` (the kube context,
"" when there is none), `action` (`flux reconcile --with-source`, `flux suspend`, `env save`,
`git commit`), `objects` (object refs `Kind/namespace/name`, repo file paths, `FILE:KEY`
names), `outcome` (`ok`, `failed`, `refused`) and `message` (one line: what happened or why not).

Never a secret value: the API takes names, never values. `record` has no value, data or
keyword catch-all parameter; an object is an `ObjectRef`, a path or a short one-line name; the
message is folded to one line and cut at `MAX_MESSAGE` characters. Callers must not put values
into messages either (an env save says which keys changed, never to what).

Each entry is one `write(2)` on a file opened `O_APPEND`, so lines from parallel actions (a bulk
reconcile's threads, a console and a script) never interleave. The file is created `0600` in a
`0700` folder, and tightened to `0600` if it was looser.
"""

from __future__ import annotations

import enum
import getpass
import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePath

from tuiops.domain.refs import ObjectRef
from tuiops.errors import TuiopsError
from tuiops.services.problem_log import state_dir

AUDIT_NAME = "audit.jsonl"
MAX_MESSAGE = 500
"""Characters of a message kept (a controller's message can be a page of YAML)."""
MAX_OBJECT = 512
"""Characters an object name may have: a path or a ref, never a document."""


class Outcome(enum.StrEnum):
    """How a mutation attempt ended."""

    OK = "ok"
    FAILED = "failed"
    REFUSED = "refused"
    """Not attempted: read-only mode (or another guard) refused it."""


class AuditError(TuiopsError):
    """The audit log could not be written (the message names the file and the OS error)."""


AuditObject = ObjectRef | PurePath | str
"""What an entry may name: an object ref, a file path, or a short one-line name (`FILE:KEY`)."""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the audit log."""

    time: str
    """UTC, RFC 3339 (`2025-11-25T10:09:41.702Z`)."""
    user: str
    context: str
    action: str
    objects: tuple[str, ...]
    outcome: Outcome
    message: str

    def to_json(self) -> str:
        """The entry as one line of JSON (ASCII only, so `cat` shows it as written)."""
        return json.dumps(
            {
                "time": self.time,
                "user": self.user,
                "context": self.context,
                "action": self.action,
                "objects": list(self.objects),
                "outcome": self.outcome.value,
                "message": self.message,
            },
            ensure_ascii=True,
            separators=(",", ":"),
        )


def audit_path(environ: Mapping[str, str] | None = None) -> Path:
    """`$XDG_STATE_HOME/tuiops/audit.jsonl`, or `~/.local/state/tuiops/audit.jsonl`."""
    return state_dir(dict(os.environ if environ is None else environ)) / AUDIT_NAME


def current_user() -> str:
    """The login name (`getpass.getuser`: $LOGNAME, $USER, ..., then the password database)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no variable set and no passwd entry (a bare container)
        return os.environ.get("USER", "") or f"uid {os.getuid()}"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def rfc3339_utc(moment: datetime) -> str:
    """`2025-11-25T10:09:41.702Z`: UTC, milliseconds."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _one_line(text: str, limit: int) -> str:
    folded = " ".join(text.split())
    return folded if len(folded) <= limit else folded[: limit - 1] + "…"


def object_name(item: AuditObject) -> str:
    """The text an entry holds for `item`.

    Raises:
        ValueError: a string with a line break or control character, or longer than
            `MAX_OBJECT`: a name, not a value (a caller's bug, never written).
    """
    if isinstance(item, ObjectRef):
        return str(item)
    text = str(item) if isinstance(item, PurePath) else item
    if not isinstance(text, str):
        raise ValueError(f"an audit object is a ref, a path or a name, not {type(item).__name__}")
    if len(text) > MAX_OBJECT or any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        raise ValueError("an audit object is a short one-line name (a ref, a path, FILE:KEY)")
    return text


class AuditLog:
    """Appends entries to one audit file.

    Args:
        path: The file (default `audit_path()`).
        context: The kube context every entry names ("" when there is none).
        user: Who acts (default `current_user()`).
        now: Clock for the entries' time (tests).
    """

    def __init__(
        self,
        path: Path | None = None,
        *,
        context: str = "",
        user: str | None = None,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.path = audit_path() if path is None else path
        self.context = context
        self._user = user
        self._now = now

    def for_context(self, context: str) -> AuditLog:
        """The same log, its entries naming `context`."""
        return AuditLog(self.path, context=context, user=self._user, now=self._now)

    def record(
        self,
        action: str,
        objects: Sequence[AuditObject],
        outcome: Outcome | str,
        message: str = "",
    ) -> AuditEntry:
        """Append one entry.

        Args:
            action: What was attempted: `flux reconcile`, `env save`, `git commit`.
            objects: What it was about: object refs, repo file paths, `FILE:KEY` names.
                Never values.
            outcome: `ok`, `failed` or `refused` (an `Outcome` or its value).
            message: One line: what happened, or why it failed or was refused. Never a value.

        Returns:
            The entry written.

        Raises:
            ValueError: an unknown outcome, or an object that is not a short one-line name.
            AuditError: the file could not be written.
        """
        entry = AuditEntry(
            time=rfc3339_utc(self._now()),
            user=self._user if self._user is not None else current_user(),
            context=self.context,
            action=_one_line(action, 100),
            objects=tuple(object_name(item) for item in objects),
            outcome=Outcome(outcome),
            message=_one_line(message, MAX_MESSAGE),
        )
        self._append((entry.to_json() + "\n").encode("ascii"))
        return entry

    def _append(self, line: bytes) -> None:
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            descriptor = os.open(self.path, flags, 0o600)
            try:
                if os.fstat(descriptor).st_mode & 0o077:
                    os.fchmod(descriptor, 0o600)
                written = os.write(descriptor, line)  # one write: O_APPEND keeps the line whole
            finally:
                os.close(descriptor)
        except OSError as error:
            raise AuditError(
                f"cannot write the audit log {self.path}: {error.strerror or error}"
            ) from None
        if written != len(line):
            raise AuditError(f"cannot write the audit log {self.path}: short write (disk full?)")

    def entries(self) -> Iterator[AuditEntry]:
        """The entries in the file, oldest first (none when there is no file); lines that are
        not entries (a torn line after a crash) are skipped."""
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return
        for line in text.splitlines():
            entry = _parse_entry(line)
            if entry is not None:
                yield entry


def _parse_entry(line: str) -> AuditEntry | None:
    try:
        data = json.loads(line)
        return AuditEntry(
            time=str(data["time"]),
            user=str(data["user"]),
            context=str(data["context"]),
            action=str(data["action"]),
            objects=tuple(str(item) for item in data["objects"]),
            outcome=Outcome(data["outcome"]),
            message=str(data["message"]),
        )
    except (ValueError, KeyError, TypeError):
        return None


def record(
    action: str,
    objects: Sequence[AuditObject],
    outcome: Outcome | str,
    message: str = "",
    *,
    context: str = "",
) -> AuditEntry:
    """Append one entry to the default audit log (`audit_path()`): for code with no Backend at
    hand (`tuiops env ...`). Arguments, returns and raises as `AuditLog.record`; `context` is
    the kube context the change is for ("" when none)."""
    return AuditLog(context=context).record(action, objects, outcome, message)
