"""Saving a SOPS file when the machine misbehaves (issue 16): a save interrupted at each step
(creating the temporary file, writing it, syncing it, giving it its mode, renaming it, syncing
the folder), a full disk (ENOSPC half way through the write, or at the sync), a read-only file
system, a folder without write permission, an I/O error on the rename, and a file changed by
another process between the read and the save.

Whatever happens, the file is never partial and never lost: it decrypts (MAC verified) to the
old value or the new one, whole, with no temporary file left beside it; and the user gets one
line saying what went wrong (exit 2 from `tuiops env set`, a one-line `SopsError` in process).
`tests/faults/files/test_crash_safety.py` does the same with a real SIGKILL at random moments.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import pytest

from tests.sops.oracle import FIRST, Result, run_sops, run_tuiops
from tuiops.gitops.sops.errors import FileChangedError, SopsError
from tuiops.gitops.sops.files import open_sops_file
from tuiops.gitops.sops.keys import parse_identities

NAME = "clusterenv.yaml"
OLD, NEW = "old-value", "new-value"
SOURCES = [parse_identities(FIRST.secret, "first")]


class Interrupted(BaseException):
    """Stands for the process dying at this point (nothing after it runs)."""


def _error(code: int, call: str) -> OSError:
    """The OSError `call` gives with `code` (its message as the C library words it)."""
    return OSError(code, os.strerror(code))


class FailingTemporary:
    """`tempfile.NamedTemporaryFile` whose file takes half the data, then raises."""

    def __init__(self, failure: BaseException) -> None:
        self._failure = failure
        self._real = tempfile.NamedTemporaryFile

    def __call__(self, *args: Any, **kwargs: Any) -> IO[bytes]:
        handle = self._real(*args, **kwargs)
        failure, write = self._failure, handle.write

        def half_then_fail(data: bytes) -> int:
            write(data[: len(data) // 2])
            handle.flush()
            raise failure

        handle.write = half_then_fail  # type: ignore[method-assign,assignment]
        return handle


def _on_call(number: int, failure: BaseException, real: Callable[..., Any]) -> Callable[..., Any]:
    """`real`, except that its `number`th call (1-based) raises `failure`."""
    calls = [0]

    def patched(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == number:
            raise failure
        return real(*args, **kwargs)

    return patched


def _raising(failure: BaseException) -> Callable[..., Any]:
    def patched(*_args: Any, **_kwargs: Any) -> Any:
        raise failure

    return patched


FAULTS: dict[str, Callable[[pytest.MonkeyPatch], None]] = {
    # Killed (interrupted) at each step of the save.
    "killed-creating-temp": lambda mp: mp.setattr(
        tempfile, "NamedTemporaryFile", _raising(Interrupted())
    ),
    "killed-writing-temp": lambda mp: mp.setattr(
        tempfile, "NamedTemporaryFile", FailingTemporary(Interrupted())
    ),
    "killed-syncing-temp": lambda mp: mp.setattr(os, "fsync", _raising(Interrupted())),
    "killed-setting-mode": lambda mp: mp.setattr(os, "chmod", _raising(Interrupted())),
    "killed-renaming": lambda mp: mp.setattr(os, "replace", _raising(Interrupted())),
    "killed-syncing-folder": lambda mp: mp.setattr(
        os, "fsync", _on_call(2, Interrupted(), os.fsync)
    ),
    # The machine says no.
    "disk-full-writing": lambda mp: mp.setattr(
        tempfile, "NamedTemporaryFile", FailingTemporary(_error(errno.ENOSPC, "write"))
    ),
    "disk-full-syncing": lambda mp: mp.setattr(
        os, "fsync", _raising(_error(errno.ENOSPC, "fsync"))
    ),
    "read-only-file-system": lambda mp: mp.setattr(
        tempfile, "NamedTemporaryFile", _raising(_error(errno.EROFS, "open"))
    ),
    "folder-not-writable": lambda mp: mp.setattr(
        tempfile, "NamedTemporaryFile", _raising(_error(errno.EACCES, "open"))
    ),
    "io-error-renaming": lambda mp: mp.setattr(os, "replace", _raising(_error(errno.EIO, "x"))),
    "io-error-syncing-folder": lambda mp: mp.setattr(
        os, "fsync", _on_call(2, _error(errno.EIO, "fsync"), os.fsync)
    ),
}
AFTER_THE_RENAME = {"killed-syncing-folder", "io-error-syncing-folder"}
"""Faults that strike once the new file is in place: the new value is whole on disk."""


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / NAME
    path.write_text(f"A: {OLD}\nB: kept\n", encoding="utf-8")
    done = run_sops(["-e", "-i", "--age", FIRST.recipient, NAME], tmp_path)
    assert done.code == 0, done.err
    path.chmod(0o600)
    return path


def value_on_disk(path: Path) -> str:
    """The file's value of A, decrypted with its MAC checked: raises if the file is partial."""
    opened = open_sops_file(path, SOURCES)
    assert opened.get(("B",)).value == "kept"
    return str(opened.get(("A",)).value)


def leftovers(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(f".{NAME}."))


def _set_a(path: Path) -> Result | BaseException:
    try:
        return run_tuiops(
            ["env", "set", "A", "--file", str(path)], path.parent, stdin=NEW.encode(),
            keys=FIRST.secret,
        )  # fmt: skip
    except Interrupted as interrupted:
        return interrupted


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_save_that_fails_loses_nothing(
    fault: str, secret_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = secret_file.read_bytes()
    with monkeypatch.context() as patched:
        FAULTS[fault](patched)
        outcome = _set_a(secret_file)
    value = value_on_disk(secret_file)
    assert leftovers(secret_file) == [], "a temporary file was left beside the secret"
    assert secret_file.stat().st_mode & 0o777 == 0o600
    if fault in AFTER_THE_RENAME:
        assert value == NEW
    else:
        assert value == OLD and secret_file.read_bytes() == before
    if isinstance(outcome, Result):
        assert outcome.one_line_error, outcome
        assert "Traceback" not in outcome.err
    else:
        assert fault.startswith("killed-"), f"{fault} escaped as {outcome!r}"


OTHER_WRITER = """
import sys
from pathlib import Path
from tuiops.gitops.sops.files import open_sops_file
from tuiops.gitops.sops.keys import parse_identities
path = Path(sys.argv[1])
opened = open_sops_file(path, [parse_identities(sys.stdin.read(), "first")])
opened.save(opened.set(("A",), "theirs"))
"""


def test_a_file_changed_by_another_process_is_never_overwritten(secret_file: Path) -> None:
    mine = open_sops_file(secret_file, SOURCES)
    planned = mine.set(("A",), NEW)
    assert planned is not None
    subprocess.run(
        [sys.executable, "-c", OTHER_WRITER, str(secret_file)],
        input=FIRST.secret,
        text=True,
        check=True,
        timeout=60,
    )
    with pytest.raises(FileChangedError) as refused:
        mine.save(planned)
    message = str(refused.value)
    assert "\n" not in message and "changed on disk since it was read" in message
    assert value_on_disk(secret_file) == "theirs", "the other process's change was lost"
    assert leftovers(secret_file) == []


def test_a_file_deleted_by_another_process_is_not_recreated(secret_file: Path) -> None:
    mine = open_sops_file(secret_file, SOURCES)
    planned = mine.set(("A",), NEW)
    assert planned is not None
    secret_file.unlink()
    with pytest.raises(SopsError) as refused:
        mine.save(planned)
    assert "\n" not in str(refused.value)
    assert not secret_file.exists() and leftovers(secret_file) == []
