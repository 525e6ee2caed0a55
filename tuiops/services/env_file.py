"""One SOPS file of the Env screen, decrypted in memory, and the edits staged on it: its rows
(a manifest's stringData/data only, a Secret's `data` decoded from base64), staging, checks,
review, and the save through the SOPS engine, reported only after the file read back from disk
decrypts to exactly the intended values. Messages name keys and files, never values."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from tuiops.domain.env_checks import (
    DiffLine,
    EditKind,
    EnvCheck,
    EnvRow,
    StagedEdit,
    check_edits,
    review_lines,
    valid_key,
)
from tuiops.errors import UsageError
from tuiops.services.env_files import EnvFileInfo
from tuiops.services.env_uses import VariableUsers

if TYPE_CHECKING:
    from tuiops.gitops.sops.files import OpenSopsFile
    from tuiops.gitops.sops.keypath import Address
    from tuiops.gitops.sops.keys import IdentitySource

_NESTED = ("stringData", "data")
"""Where a Kubernetes Secret or ConfigMap manifest keeps its values."""


@dataclass(frozen=True, slots=True)
class SaveOutcome:
    """What a save did, in one line that names the file, never a value."""

    saved: bool
    message: str
    changed_on_disk: bool = False
    """Refused: the file changed since it was read (reload, then edit again)."""


@dataclass(frozen=True, slots=True)
class _Slot:
    """Where a row's value sits in the file, and how it is stored."""

    address: Address
    document: int
    base64: bool


class EnvFile:
    """One decrypted SOPS file and the edits staged on it."""

    def __init__(
        self,
        info: EnvFileInfo,
        opened: OpenSopsFile,
        sources: Sequence[IdentitySource],
        users: VariableUsers,
    ) -> None:
        self.info = info
        self._opened = opened
        self._sources = sources
        self._users = users
        self._edits: dict[str, StagedEdit] = {}
        self._rows: dict[str, EnvRow] = {}
        self._slots: dict[str, _Slot] = {}
        self._read()

    # -- reading -------------------------------------------------------------------------

    def _read(self) -> None:
        """Rows and slots from the decrypted file (a manifest: its stringData/data only)."""
        decrypted = self._opened.decrypted
        several = len(decrypted.documents) > 1
        manifests = {
            leaf.document
            for leaf in decrypted.leaves
            if leaf.address and leaf.address[0] in _NESTED and len(leaf.address) == 2
        }
        self._rows, self._slots = {}, {}
        from tuiops.gitops.sops.goyaml import yaml_scalar_text
        from tuiops.gitops.sops.keypath import format_key_path

        for leaf in decrypted.leaves:
            if leaf.kind == "comment":
                continue
            if leaf.document in manifests and (not leaf.address or leaf.address[0] not in _NESTED):
                continue  # a manifest's apiVersion, kind, metadata: not settings
            kind_leaf = decrypted.leaf(("kind",), leaf.document)
            is_secret = kind_leaf is not None and kind_leaf.value == "Secret"
            raw = leaf.value if leaf.kind == "str" else yaml_scalar_text(leaf.kind, leaf.value)
            text = "" if raw is None else str(raw)
            encoded = is_secret and leaf.address[0] == "data" and leaf.kind == "str"
            if encoded:
                decoded = _b64decode(text)
                encoded = decoded is not None
                text = decoded if decoded is not None else text
            key = format_key_path(leaf.address)
            if several:
                key = f"{key} (document {leaf.document + 1})"
            name = str(leaf.address[-1])
            self._rows[key] = EnvRow(
                key,
                text,
                leaf.encrypted,
                leaf.kind,
                self._users.uses.get(name, 0),
                self._users.users.get(name, ()),
                encoded,
            )
            self._slots[key] = _Slot(leaf.address, leaf.document, encoded)

    @property
    def rel(self) -> str:
        return self.info.rel

    @property
    def edits(self) -> tuple[StagedEdit, ...]:
        return tuple(self._edits.values())

    def rows(self) -> tuple[EnvRow, ...]:
        """The file's values with the staged edits shown: changed values, added keys last,
        deleted keys still listed (marked) until saved."""
        shown = []
        for key, row in self._rows.items():
            edit = self._edits.get(key)
            if edit is None:
                shown.append(row)
            elif edit.kind is EditKind.DELETE:
                shown.append(replace(row, staged=EditKind.DELETE))
            else:
                shown.append(replace(row, value=edit.value, staged=EditKind.SET))
        for key, edit in self._edits.items():
            if edit.kind is EditKind.ADD:
                name = key.rsplit(".", 1)[-1]
                _address, encoded, secret = self._slot_of_new(key)
                uses, users = self._users.uses.get(name, 0), self._users.users.get(name, ())
                row = EnvRow(key, edit.value, secret, "str", uses, users, encoded, EditKind.ADD)
                shown.append(row)
        return tuple(shown)

    def row(self, key: str) -> EnvRow | None:
        return next((row for row in self.rows() if row.key == key), None)

    # -- staging ---------------------------------------------------------------------------

    def stage_set(self, key: str, value: str) -> None:
        """Stage `key` = `value` (an existing key, or one staged for adding).

        Raises:
            UsageError: no such key (the message names the key, never the value).
        """
        edit = self._edits.get(key)
        if edit is not None and edit.kind is EditKind.ADD:
            self._edits[key] = StagedEdit(EditKind.ADD, key, value)
            return
        row = self._rows.get(key)
        if row is None:
            raise UsageError(f"{self.rel}: no key {key}")
        if value == row.value:
            self._edits.pop(key, None)  # back to what the file holds
        else:
            self._edits[key] = StagedEdit(EditKind.SET, key, value, row.value)

    def stage_add(self, key: str, value: str) -> str:
        """Stage a new key; returns the key as listed (a manifest's under its stringData/data).

        Raises:
            UsageError: the key is malformed or exists already.
        """
        key = key.strip()
        if not valid_key(key):
            raise UsageError(f"{key or 'an empty key'}: use letters, digits, _, - and . only")
        if len(self._opened.decrypted.documents) > 1:
            raise UsageError(
                f"{self.rel}: adding keys to a file of several documents is not supported"
            )
        listed = self._new_key(key)
        if listed in self._rows or listed in self._edits:
            raise UsageError(f"{self.rel}: {listed} exists already; edit it instead")
        self._edits[listed] = StagedEdit(EditKind.ADD, listed, value)
        return listed

    def stage_delete(self, key: str) -> None:
        """Stage deleting `key` (or drop it when it was only staged for adding)."""
        edit = self._edits.get(key)
        if edit is not None and edit.kind is EditKind.ADD:
            del self._edits[key]
            return
        row = self._rows.get(key)
        if row is None:
            raise UsageError(f"{self.rel}: no key {key}")
        self._edits[key] = StagedEdit(EditKind.DELETE, key, "", row.value)

    def unstage(self, key: str) -> None:
        """Forget the staged edit of `key`."""
        self._edits.pop(key, None)

    def discard(self) -> None:
        """Forget every staged edit."""
        self._edits.clear()

    def _new_key(self, key: str) -> str:
        parent = self._nested_parent()
        if parent and not key.startswith(_NESTED):
            return f"{parent}.{key}"
        return key

    def _nested_parent(self) -> str:
        """`stringData` or `data` for a manifest (stringData preferred), else ""."""
        parents = {slot.address[0] for slot in self._slots.values() if len(slot.address) == 2}
        return next((p for p in _NESTED if p in parents), "")

    def _slot_of_new(self, key: str) -> tuple[Address, bool, bool]:
        """(address, base64, encrypted) of a key staged for adding."""
        from tuiops.gitops.sops.keypath import parse_key_path

        address = parse_key_path(key)
        kind = self._opened.decrypted.leaf(("kind",), 0)
        encoded = kind is not None and kind.value == "Secret" and address[0] == "data"
        rule = self._opened.decrypted.metadata.rule
        path = tuple(a for a in address if isinstance(a, str))
        return address, encoded, rule.encrypts(path)

    # -- checks and review ----------------------------------------------------------------

    def checks(self) -> tuple[EnvCheck, ...]:
        """Errors (save refused) and warnings about the staged edits."""
        before = {key: row.value for key, row in self._rows.items()}
        names = {key: key.rsplit(".", 1)[-1] for key in (*before, *self._edits)}
        users = {key: self._users.users.get(name, ()) for key, name in names.items()}
        return check_edits(before, self.edits, users, self._users.loadbalancer)

    def review(self) -> tuple[DiffLine, ...]:
        """One line per staged edit (masked when drawn unless revealed)."""
        secret = {row.key: row.secret for row in self.rows()}
        return review_lines(self.edits, secret)

    def changed_on_disk(self) -> bool:
        """Blocking: whether the file differs from what was read."""
        from tuiops.gitops.sops.errors import SopsError
        from tuiops.gitops.sops.storage import read_with_stamp

        try:
            _text, stamp = read_with_stamp(self._opened.path)
        except SopsError:
            return True
        return stamp != self._opened.stamp

    # -- saving ----------------------------------------------------------------------------

    def planned_text(self) -> str | None:
        """Blocking: the file's new text with every staged edit applied (each checked by the
        engine to decrypt to what was meant); None when nothing changes."""
        from tuiops.gitops.sops.decrypt import open_with_key
        from tuiops.gitops.sops.files import OpenSopsFile

        current = self._opened
        for edit in self._edits.values():
            address, document, encoded = self._slot_for(edit.key)
            if edit.kind is EditKind.DELETE:
                text: str | None = current.delete(address, document)
            else:
                stored = _b64encode(edit.value) if encoded else edit.value
                text = current.set(address, stored, document)
            if text is None:
                continue
            key = current.decrypted.data_key
            decrypted = open_with_key(text, str(current.path), key, fmt=current.format)
            current = OpenSopsFile(current.path, current.format, current.stamp, decrypted)
        return None if current is self._opened else current.decrypted.text

    def _slot_for(self, key: str) -> tuple[Address, int, bool]:
        slot = self._slots.get(key)
        if slot is not None:
            return slot.address, slot.document, slot.base64
        address, encoded, _secret = self._slot_of_new(key)
        return address, 0, encoded

    def save(self) -> SaveOutcome:
        """Blocking: write the staged edits, then prove the file on disk holds them.

        Returns:
            Saved, nothing to save, refused by a check, or refused because the file changed
            on disk since it was read (then nothing was written).

        Raises:
            SopsError (a TuiopsError): the engine refused the edit or the file did not read
                back as intended; one line naming the file, never a value.
        """
        from tuiops.gitops.sops.errors import FileChangedError, SopsError
        from tuiops.gitops.sops.files import open_sops_file

        if not self._edits:
            return SaveOutcome(False, f"{self.rel}: nothing staged, nothing written")
        errors = [check for check in self.checks() if check.blocks_save]
        if errors:
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            return SaveOutcome(False, f"not saved: {errors[0]}{more}")
        text = self.planned_text()
        if text is None:
            self._edits.clear()
            return SaveOutcome(False, f"{self.rel}: no change, nothing written")
        try:
            self._opened.save(text)
        except FileChangedError:
            return SaveOutcome(
                False,
                f"{self.rel} changed on disk since it was read; nothing written (reload)",
                changed_on_disk=True,
            )
        expected = self._expected_values()
        reread = open_sops_file(self._opened.path, self._sources)
        count = len(self._edits)
        self._opened = reread
        self._edits.clear()
        self._read()
        got = {key: row.value for key, row in self._rows.items()}
        if got != expected:
            raise SopsError(f"{self.rel}: written, but it does not read back as intended")
        return SaveOutcome(True, f"saved {self.rel}: {count} change{'s' if count != 1 else ''}")

    def _expected_values(self) -> dict[str, str]:
        expected = {key: row.value for key, row in self._rows.items()}
        for key, edit in self._edits.items():
            if edit.kind is EditKind.DELETE:
                expected.pop(key, None)
            else:
                expected[key] = edit.value
        return expected

    def reload(self) -> EnvFile:
        """Blocking: the file read and decrypted again, with no edits staged."""
        from tuiops.gitops.sops.files import open_sops_file

        opened = open_sops_file(self._opened.path, self._sources)
        return EnvFile(self.info, opened, self._sources, self._users)


def _b64decode(text: str) -> str | None:
    """A Secret's `data` value as text; None when it is not base64 of UTF-8 text."""
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None


def _b64encode(value: str) -> str:
    return base64.b64encode(value.encode("utf-8")).decode("ascii")
