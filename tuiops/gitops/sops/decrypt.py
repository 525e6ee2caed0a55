"""Decrypting a SOPS YAML file in memory, with the MAC verified (always; never skipped)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from tuiops.gitops.sops.cipher import decrypt, mac_hex, parse_token
from tuiops.gitops.sops.errors import TamperedError
from tuiops.gitops.sops.goyaml import parse_sops_plaintext, sops_plaintext
from tuiops.gitops.sops.keys import IdentitySource, unlock_data_key
from tuiops.gitops.sops.metadata import METADATA_KEY, Metadata, read_metadata
from tuiops.gitops.sops.parse import parse_yaml
from tuiops.gitops.sops.rules import EncryptionRule
from tuiops.gitops.sops.tree import (
    Comment,
    Document,
    Mapping,
    Node,
    Scalar,
    ScalarKind,
    ScalarValue,
    allow_deep_nesting,
)
from tuiops.gitops.sops.tree import Sequence as SequenceNode

Address = tuple[str | int, ...]
"""Where a leaf is: map keys and list indices from the root."""


@dataclass(slots=True)
class Leaf:
    """A value of the file, decrypted."""

    address: Address
    path: tuple[str, ...]
    """Map keys only: the AAD path (sops leaves list indices out)."""
    node: Scalar
    kind: ScalarKind
    value: ScalarValue
    encrypted: bool
    """Whether the file's rule puts this value in an encrypted position."""
    document: int = 0

    @property
    def aad(self) -> str:
        return ":".join(self.path) + ":"


@dataclass(slots=True)
class DecryptedComment:
    """A comment, decrypted when it was encrypted."""

    text: str
    node: Comment | Scalar
    container_path: tuple[str, ...]
    encrypted: bool


@dataclass(slots=True)
class DecryptedYaml:
    """A SOPS file open in memory: its text, tree, data key and plaintext values.

    Every format (YAML, JSON, dotenv, INI, binary) is read into the same tree, so one walker
    decrypts them all; `format` says how the text is written back.
    """

    file: str
    text: str
    documents: list[Document]
    metadata: Metadata
    data_key: bytes
    format: str = "yaml"
    leaves: list[Leaf] = field(default_factory=list)
    comments: list[DecryptedComment] = field(default_factory=list)
    _index: dict[tuple[int, Address], Leaf] | None = None

    def leaf(self, address: Address, document: int | None = None) -> Leaf | None:
        """The value at `address` in `document` (default: the first document that has it)."""
        if self._index is None:
            self._index = {}
            for leaf in self.leaves:
                self._index.setdefault((leaf.document, leaf.address), leaf)
        if document is not None:
            return self._index.get((document, address))
        for number in range(len(self.documents)):
            found = self._index.get((number, address))
            if found is not None:
                return found
        return None

    def mac_plaintexts(self) -> Iterator[str]:
        """The values the MAC covers, in document order, as sops hashes them."""
        for leaf in self.leaves:
            if leaf.kind in ("null", "comment"):
                continue
            if self.metadata.mac_only_encrypted and not leaf.encrypted:
                continue
            yield sops_plaintext(leaf.kind, leaf.value)


def _aad(path: Sequence[str]) -> str:
    return ":".join(path) + ":"


class _Walker:
    """Walks the data of each document in order, decrypting what the rule encrypts."""

    def __init__(self, opened: DecryptedYaml) -> None:
        self._open = opened
        self._rule: EncryptionRule = opened.metadata.rule
        self._by_comment = self._rule.field.endswith("comment_regex")

    def walk_document(self, number: int, root: Mapping) -> None:
        items = [i for i in root.items if not (isinstance(i, tuple) and i[0] == METADATA_KEY)]
        self._mapping(number, items, (), (), [])

    def _encrypts(self, path: tuple[str, ...], preceding: list[str]) -> bool:
        if self._by_comment:
            return self._rule.encrypts_after_comments(path, preceding)
        return self._rule.encrypts(path)

    def _mapping(
        self,
        number: int,
        items: Sequence[tuple[str, Node] | Comment],
        address: Address,
        path: tuple[str, ...],
        inherited: list[str],
    ) -> None:
        pending: list[str] = []
        for item in items:
            if isinstance(item, Comment):
                pending.append(self._comment(item, path))
                continue
            key, node = item
            self._node(number, node, (*address, key), (*path, key), inherited + pending)
            pending = []

    def _node(
        self,
        number: int,
        node: object,
        address: Address,
        path: tuple[str, ...],
        preceding: list[str],
    ) -> None:
        if isinstance(node, Mapping):
            self._mapping(number, node.items, address, path, preceding)
        elif isinstance(node, SequenceNode):
            pending: list[str] = []
            for index, item in enumerate(node.items):
                if isinstance(item, Comment):
                    pending.append(self._comment(item, path))
                    continue
                self._node(number, item, (*address, index), path, preceding + pending)
                pending = []
        elif isinstance(node, Scalar):
            self._leaf(number, node, address, path, preceding)

    def _comment(self, comment: Comment, path: tuple[str, ...]) -> str:
        token = (
            parse_token(comment.text.strip()) if comment.text.lstrip().startswith("ENC[") else None
        )
        text, encrypted = comment.text, False
        if token is not None:
            try:
                text = decrypt(token, self._open.data_key, _aad(path), "comment")
                encrypted = True
            except TamperedError:
                pass  # sops keeps an undecryptable comment as it is, with a warning
        self._open.comments.append(DecryptedComment(text, comment, path, encrypted))
        return text

    def _leaf(
        self,
        number: int,
        node: Scalar,
        address: Address,
        path: tuple[str, ...],
        preceding: list[str],
    ) -> None:
        encrypted = self._encrypts(path, preceding)
        kind, value = node.kind, node.value
        where = f"{self._open.file}: {'.'.join(str(a) for a in address)}"
        if encrypted and kind == "str" and value != "":
            token = parse_token(str(value))
            if token is None:
                raise TamperedError(
                    f"{where}: value is not encrypted (does not match sops' format)"
                )
            text = decrypt(token, self._open.data_key, _aad(path), where)
            kind = token.kind  # type: ignore[assignment]
            is_comment = token.kind == "comment"
            try:
                value = text if is_comment else parse_sops_plaintext(kind, text)
            except ValueError:
                # The type field is not authenticated: a changed one shows up here.
                raise TamperedError(
                    f"{where}: its type field ({token.kind}) does not fit the value"
                ) from None
        elif encrypted and kind not in ("null", "str"):
            raise TamperedError(f"{where}: value is not encrypted (does not match sops' format)")
        self._open.leaves.append(Leaf(address, path, node, kind, value, encrypted, number))


def open_yaml(text: str, file: str, sources: Sequence[IdentitySource]) -> DecryptedYaml:
    """Decrypt `text` and verify its MAC.

    Args:
        text: the file's content.
        file: its name, for messages.
        sources: age identity sources (see keys.identity_sources).

    Raises:
        NotSopsFileError, NoIdentityError, WrongIdentityError, TamperedError, SopsFormatError.
    """
    documents = parse_yaml(text)
    metadata = read_metadata(documents, file)
    key = unlock_metadata(metadata, sources, file)
    return open_with_key(text, file, key, documents, metadata)


def unlock_metadata(metadata: Metadata, sources: Sequence[IdentitySource], file: str) -> bytes:
    """The data key, from the file's key groups (Shamir-combined when there are several)."""
    groups = [group.age for group in metadata.key_groups]
    return unlock_data_key(groups, metadata.threshold, sources, file)


@allow_deep_nesting
def open_with_key(
    text: str,
    file: str,
    key: bytes,
    documents: list[Document] | None = None,
    metadata: Metadata | None = None,
    verify: bool = True,
    fmt: str = "yaml",
) -> DecryptedYaml:
    """Decrypt `text` with a data key already known (after an edit).

    Args:
        verify: check the MAC; only `edit.seal` passes False, for a text it re-seals at once.
        fmt: the file's format (see `stores.format_of`), when `documents` are not given.
    """
    if documents is None:
        from tuiops.gitops.sops.stores import parse_encrypted

        documents = parse_encrypted(text, fmt)
    metadata = metadata if metadata is not None else read_metadata(documents, file)
    opened = DecryptedYaml(file, text, documents, metadata, key, fmt)
    walker = _Walker(opened)
    for number, document in enumerate(documents):
        if isinstance(document.root, Mapping):
            walker.walk_document(number, document.root)
    if verify:
        verify_mac(opened)
    return opened


def verify_mac(opened: DecryptedYaml) -> None:
    """Compare the stored MAC with the values.

    Raises:
        TamperedError: the MAC is missing, cannot be decrypted, or does not match.
    """
    meta = opened.metadata
    if not meta.mac:
        raise TamperedError(f"{opened.file}: file has no MAC")
    token = parse_token(meta.mac)
    if token is None:
        raise TamperedError(f"{opened.file}: the MAC is not a sops token")
    try:
        stored = decrypt(token, opened.data_key, meta.lastmodified, "mac")
    except TamperedError:
        raise TamperedError(
            f"{opened.file}: cannot decrypt the MAC: the MAC or lastmodified was changed"
        ) from None
    computed = mac_hex(opened.mac_plaintexts(), meta.mac_only_encrypted)
    if stored != computed:
        raise TamperedError(
            f"{opened.file}: MAC mismatch: values were changed outside sops "
            f"(file has {stored[:12]}..., computed {computed[:12]}...)"
        )
