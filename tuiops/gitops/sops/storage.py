"""Reading and writing SOPS files safely: atomic replace, and no lost concurrent change.

The temporary file sits in the same folder (so the rename is atomic), holds only the final
ciphertext, is fsynced before the rename, and gets the original file's mode.
"""

from __future__ import annotations

import hashlib
import os
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
    """Replace `path` with `text` atomically.

    Args:
        expected: the stamp from when the file was read; None for a new file (which must
            not exist yet).

    Raises:
        FileChangedError: the file changed (or appeared) since it was read.
        SopsError: the folder is not writable.
    """
    try:
        current = path.read_bytes()
        stat = path.stat()
    except FileNotFoundError:
        current, stat = None, None
    if expected is None and current is not None:
        raise FileChangedError(f"{path}: file appeared while editing; not overwritten")
    if expected is not None and (
        current is None or stat is None or _stamp(current, stat) != expected
    ):
        raise FileChangedError(f"{path}: changed on disk since it was read; reload and retry")
    mode = stat.st_mode & 0o7777 if stat is not None else 0o644
    import tempfile  # only writers need it; readers (`env get`) start faster without

    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, before the rename
            "wb", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
        )
    except OSError as error:
        raise SopsError(f"{path.parent}: cannot write: {error.strerror}") from None
    temporary = Path(handle.name)
    try:
        with handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
