"""Reading and writing SOPS files safely: atomic replace, and no lost concurrent change.

The temporary file sits in the same folder (so the rename is atomic), holds only the final
ciphertext, is fsynced before the rename, and gets the original file's mode.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tuiops.gitops.sops.errors import FileChangedError, SopsError


@dataclass(frozen=True, slots=True)
class FileStamp:
    """What a file looked like when it was read."""

    size: int
    mtime_ns: int
    sha256: str


def _stamp(data: bytes, stat: os.stat_result) -> FileStamp:
    return FileStamp(stat.st_size, stat.st_mtime_ns, hashlib.sha256(data).hexdigest())


def read_with_stamp(path: Path) -> tuple[str, FileStamp]:
    """The file's text and its stamp.

    Raises:
        SopsError: when it cannot be read (one line with the reason).
    """
    try:
        with path.open("rb") as handle:
            data = handle.read()
            stat = os.fstat(handle.fileno())
    except OSError as error:
        raise SopsError(f"{path}: cannot read: {error.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SopsError(f"{path}: not UTF-8 text") from None
    return text, _stamp(data, stat)


def write_atomic(path: Path, text: str, expected: FileStamp | None) -> None:
    """Replace `path` with `text` atomically, then read it back.

    A symlink is written through: its target is replaced and the link stays, as sops does.
    The check that nothing changed since the read and the rename happen under a lock on the
    folder, so two tuiops processes cannot both write from the same stale read.

    Args:
        expected: the stamp from when the file was read; None for a new file (which must
            not exist yet).

    Raises:
        FileChangedError: the file changed (or appeared) since it was read.
        SopsError: the file or its folder cannot be written, or did not read back as written
            (one line with the reason; the original file is then left as it was).
    """
    target = Path(os.path.realpath(path))
    data = text.encode("utf-8")
    with _folder_lock(target.parent):
        stat = _check_unchanged(target, expected, path)
        mode = stat.st_mode & 0o7777 if stat is not None else 0o644
        temporary = _write_temporary(target, data, mode)
        with _removed_on_failure(temporary, f"{path}: cannot replace the file"):
            os.replace(temporary, target)
        _fsync_folder(target.parent, path)
    try:
        written = target.read_bytes()
    except OSError as error:
        raise SopsError(f"{path}: written, but cannot be read back: {error.strerror}") from None
    if written != data:
        raise SopsError(f"{path}: the file does not read back as written; check the disk")


def _check_unchanged(
    target: Path, expected: FileStamp | None, shown: Path
) -> os.stat_result | None:
    try:
        current = target.read_bytes()
        stat = target.stat()
    except FileNotFoundError:
        current, stat = None, None
    except OSError as error:
        raise SopsError(f"{shown}: cannot read: {error.strerror}") from None
    if expected is None and current is not None:
        raise FileChangedError(f"{shown}: file appeared while editing; not overwritten")
    if expected is not None and (
        current is None or stat is None or _stamp(current, stat) != expected
    ):
        raise FileChangedError(f"{shown}: changed on disk since it was read; reload and retry")
    return stat


def _write_temporary(target: Path, data: bytes, mode: int) -> Path:
    """A fsynced file beside `target` holding `data` (only ciphertext ever goes here)."""
    import tempfile  # only writers need it; readers (`env get`) start faster without

    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, before the rename
            "wb", dir=target.parent, prefix=f".{target.name}.", suffix=".tmp", delete=False
        )
    except OSError as error:
        raise SopsError(f"{target.parent}: cannot write: {error.strerror}") from None
    temporary = Path(handle.name)
    with _removed_on_failure(temporary, f"{target.parent}: cannot write"):
        with handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
    return temporary


@contextlib.contextmanager
def _removed_on_failure(temporary: Path, what: str) -> Iterator[None]:
    """Remove `temporary` if the block fails (an OS error becomes one line: `what: reason`);
    a partial file must never be left beside the real one."""
    try:
        yield
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise SopsError(f"{what}: {error.strerror}") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """An exclusive advisory lock on `folder` (held by tuiops writers only)."""
    import fcntl

    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        yield  # a folder we cannot open cannot be written either; the write says why
        return
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def _fsync_folder(folder: Path, shown: Path) -> None:
    """Make the rename durable. A folder that cannot be synced (EIO) comes after the rename:
    the new file is whole and in place, which the one-line error says (issue 16: it was a raw
    OSError, a traceback); a file system without folder sync (EINVAL) is not an error."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError as error:
        if error.errno in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            return
        raise SopsError(
            f"{shown}: written, but its folder could not be synced ({error.strerror}); "
            "check the disk"
        ) from None
    finally:
        os.close(descriptor)
