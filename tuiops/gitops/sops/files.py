"""Open a SOPS file of any format, list its values, change them, and save with proof.

`OpenSopsFile` is the one way the command line (and later the console) edits a SOPS file. Every
change is planned in memory, re-opened with the data key, and compared with what was meant
(every other value unchanged, the changed one as given) before any byte reaches the disk; the
file on disk is then read back. A claim of "saved" is only made after both checks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tuiops.domain.env import EnvEntry
from tuiops.errors import UsageError
from tuiops.gitops.sops.decrypt import DecryptedYaml, Leaf, open_with_key, unlock_metadata
from tuiops.gitops.sops.errors import SopsError
from tuiops.gitops.sops.goyaml import sops_plaintext, yaml_scalar_text
from tuiops.gitops.sops.keypath import Address, format_key_path, parse_key_path
from tuiops.gitops.sops.keys import IdentitySource
from tuiops.gitops.sops.metadata import read_metadata
from tuiops.gitops.sops.storage import FileStamp, read_with_stamp, write_atomic
from tuiops.gitops.sops.stores import format_of, parse_encrypted
from tuiops.gitops.sops.tree import allow_deep_nesting

ValueKey = tuple[int, tuple[str, ...], str, str]
"""A value as compared across an edit: document, map keys, sops type, plaintext."""


def _value_key(leaf: Leaf) -> ValueKey:
    text = str(leaf.value) if leaf.kind == "comment" else sops_plaintext(leaf.kind, leaf.value)
    return (leaf.document, leaf.path, leaf.kind, text)


def _values(opened: DecryptedYaml) -> Counter[ValueKey]:
    return Counter(_value_key(leaf) for leaf in opened.leaves)


@dataclass(slots=True)
class OpenSopsFile:
    """A decrypted file and what it looked like on disk when read."""

    path: Path
    format: str
    stamp: FileStamp
    decrypted: DecryptedYaml

    def entries(self) -> list[EnvEntry]:
        """Every value in document order (comments left out)."""
        found = []
        for leaf in self.decrypted.leaves:
            if leaf.kind == "comment":
                continue
            value = leaf.value if leaf.kind == "str" else yaml_scalar_text(leaf.kind, leaf.value)
            key = format_key_path(leaf.address)
            if len(self.decrypted.documents) > 1:
                key = f"{key} (document {leaf.document + 1})"
            found.append(EnvEntry(key, str(value), leaf.encrypted, leaf.kind))
        return found

    def find(self, key: str, document: int | None = None) -> Address:
        """The address of `key` (see keypath); a bare key not at the top level is looked up
        under `stringData` / `data` (Kubernetes Secrets).

        Raises:
            UsageError: `key` is not a valid key path.
        """
        address = parse_key_path(key)
        if self.decrypted.leaf(address, document) is not None or len(address) > 1:
            return address
        for parent in ("stringData", "data"):
            nested = (parent, *address)
            if self.decrypted.leaf(nested, document) is not None:
                return nested
        return address

    @allow_deep_nesting
    def get(self, address: Address, document: int | None = None) -> Leaf:
        """The value at `address`.

        Raises:
            UsageError: nothing there, or a map or list (named as such).
        """
        leaf = self.decrypted.leaf(address, document)
        if leaf is None or leaf.kind == "comment":
            from tuiops.gitops.sops.locate import find

            shown = format_key_path(address)
            if find(self.decrypted.documents, address, document) is not None:
                raise UsageError(f"{self.path}: {shown} holds a map or list, not one value")
            raise UsageError(f"{self.path}: no key {shown}")
        return leaf

    @allow_deep_nesting
    def set(self, address: Address, value: str, document: int | None = None) -> str | None:
        """The new text with `address` set to `value`, checked; None when unchanged."""
        from tuiops.gitops.sops.edit import set_value

        text = set_value(self.decrypted, address, value, document)
        if text is None:
            return None
        old = self.decrypted.leaf(address, document)
        expected = _values(self.decrypted)
        if old is not None:
            expected[_value_key(old)] -= 1
        number = old.document if old is not None else (document or 0)
        path = tuple(a for a in address if isinstance(a, str))
        expected[(number, path, "str", value)] += 1
        self._check(text, expected, address, value, number)
        return text

    @allow_deep_nesting
    def delete(self, address: Address, document: int | None = None) -> str:
        """The new text without `address` (a value or a whole subtree), checked."""
        from tuiops.gitops.sops.edit import delete_value
        from tuiops.gitops.sops.locate import target_for_rm

        found = target_for_rm(self.decrypted.documents, address, document)
        text = delete_value(self.decrypted, address, found.document)
        gone = [
            leaf
            for leaf in self.decrypted.leaves
            if leaf.document == found.document and leaf.address[: len(address)] == address
        ]
        expected = _values(self.decrypted) - Counter(_value_key(leaf) for leaf in gone)
        self._check(text, expected)
        return text

    def _check(
        self,
        text: str,
        expected: Counter[ValueKey],
        address: Address | None = None,
        value: str | None = None,
        document: int = 0,
    ) -> None:
        """Refuse a planned text that does not decrypt to exactly what was meant."""
        result = open_with_key(text, str(self.path), self.decrypted.data_key, fmt=self.format)
        got = _values(result)
        expected = +expected  # drop zero counts
        target = result.leaf(address, document) if address is not None else None
        misplaced = address is not None and (target is None or target.value != value)
        if got != expected or misplaced:
            raise SopsError(
                f"{self.path}: the edit would not read back as intended "
                f"({sum((got - expected).values())} unexpected, "
                f"{sum((expected - got).values())} missing value(s)); nothing written"
            )

    @allow_deep_nesting
    def rotate(self) -> tuple[str, bytes]:
        """The text under a new data key, checked to hold the same values; and that key."""
        from tuiops.gitops.sops.rekey import rotate_data_key

        text, key = rotate_data_key(self.decrypted)
        result = open_with_key(text, str(self.path), key, fmt=self.format)
        if _values(result) != _values(self.decrypted):
            raise SopsError(f"{self.path}: the rotation would change values; nothing written")
        return text, key

    @allow_deep_nesting
    def save(self, text: str, data_key: bytes | None = None) -> None:
        """Write `text` in place of the file if it is unchanged since it was read, and prove
        it: `text` decrypts (MAC checked) with the data key (default: this file's; a rotation
        passes its new one), and `write_atomic` reads the file back byte for byte."""
        key = data_key if data_key is not None else self.decrypted.data_key
        open_with_key(text, str(self.path), key, fmt=self.format)
        write_atomic(self.path, text, self.stamp)


@allow_deep_nesting
def open_sops_file(path: Path, sources: Sequence[IdentitySource]) -> OpenSopsFile:
    """Read, decrypt and verify `path` (its format chosen by name, as sops does).

    Raises:
        SopsError subclasses, each with a one-line message.
    """
    text, stamp = read_with_stamp(path)
    fmt = format_of(path)
    documents = parse_encrypted(text, fmt)
    metadata = read_metadata(documents, str(path))
    key = unlock_metadata(metadata, sources, str(path))
    decrypted = open_with_key(text, str(path), key, documents, metadata, fmt=fmt)
    return OpenSopsFile(path, fmt, stamp, decrypted)
