"""Re-keying: `updatekeys` (new recipients, same data key) and data-key rotation."""

from __future__ import annotations

import os
from collections.abc import Sequence

from tuiops.gitops.sops.cipher import encrypt
from tuiops.gitops.sops.decrypt import DecryptedYaml
from tuiops.gitops.sops.edit import Splice, apply_splices, line_end, line_start, seal
from tuiops.gitops.sops.errors import SopsFormatError, UnsupportedError
from tuiops.gitops.sops.goyaml import sops_plaintext
from tuiops.gitops.sops.keys import AgeStanza, seal_data_key
from tuiops.gitops.sops.metadata import metadata_node
from tuiops.gitops.sops.tree import Comment, Mapping, Scalar
from tuiops.gitops.sops.tree import Sequence as SequenceNode


def _age_block(indent: int, stanzas: Sequence[AgeStanza]) -> str:
    """The `age:` entry as sops writes it: the dash one indent deeper than `age:`, the armor
    two columns deeper than `enc:`."""
    dash = " " * (2 * indent)
    lines = [" " * indent + "age:"]
    for stanza in stanzas:
        lines.append(f"{dash}- recipient: {stanza.recipient}")
        lines.append(f"{dash}  enc: |")
        lines.extend(f"{dash}    {line}" for line in stanza.enc.rstrip("\n").split("\n"))
    return "\n".join(lines) + "\n"


def _block_end(text: str, parent: Mapping, key: str, fallback: int) -> int:
    """Where the entry `key` of `parent` ends: the start of the next key's line (a block
    sequence's end mark can point into that line), else the end of its own last line."""
    keys = [k for k, _ in (i for i in parent.items if isinstance(i, tuple))]
    position = keys.index(key)
    if position + 1 < len(keys):
        return line_start(text, parent.key_spans[keys[position + 1]].start)
    return line_end(text, fallback)


def _above_one(node: object) -> bool:
    return isinstance(node, Scalar) and isinstance(node.value, int) and node.value > 1


def age_splices(opened: DecryptedYaml, stanzas: Sequence[AgeStanza]) -> list[Splice]:
    """Replace the `age:` entry of every document's sops block."""
    splices = []
    for document in opened.documents:
        node = metadata_node(document)
        if node is None:
            continue
        if node.get("key_groups") is not None:
            raise UnsupportedError(
                f"{opened.file}: re-keying files with key_groups is not supported"
            )
        age = node.get("age")
        key_span = node.key_spans.get("age")
        if not isinstance(age, SequenceNode) or age.span is None or key_span is None:
            raise SopsFormatError(f"{opened.file}: sops block has no age list")
        start = line_start(opened.text, key_span.start)
        end = _block_end(opened.text, node, "age", age.span.end)
        splices.append((start, end, _age_block(node.indent, stanzas)))
        threshold = node.get("shamir_threshold")
        if _above_one(threshold) and isinstance(threshold, Scalar) and threshold.span:
            # As sops does: the threshold cannot exceed the number of key groups (one).
            splices.append((threshold.span.start, threshold.span.end, "1"))
    return splices


def current_recipients(opened: DecryptedYaml) -> tuple[str, ...]:
    return tuple(s.recipient for s in opened.metadata.age)


def update_keys(opened: DecryptedYaml, recipients: Sequence[str]) -> str | None:
    """The text with the data key sealed for `recipients`; values, MAC and lastmodified stay.

    Returns:
        None when the file already has exactly these recipients.
    """
    if sorted(recipients) == sorted(current_recipients(opened)):
        return None
    stanzas = seal_data_key(opened.data_key, recipients)
    return apply_splices(opened.text, age_splices(opened, stanzas))


def rotate_data_key(opened: DecryptedYaml, recipients: Sequence[str] | None = None) -> str:
    """The text re-encrypted under a new data key: every value and comment gets a new
    ciphertext, the key is sealed for `recipients` (default: the current ones), new MAC."""
    key = os.urandom(32)
    splices: list[Splice] = []
    for leaf in opened.leaves:
        if not leaf.encrypted or leaf.node.span is None or leaf.kind == "null":
            continue
        if leaf.kind == "str" and leaf.value == "":
            continue
        plain = str(leaf.value) if leaf.kind == "comment" else sops_plaintext(leaf.kind, leaf.value)
        token = encrypt(plain, leaf.kind, key, leaf.aad)
        splices.append((leaf.node.span.start, leaf.node.span.end, token))
    for comment in opened.comments:
        if comment.encrypted and isinstance(comment.node, Comment) and comment.node.span:
            aad = ":".join(comment.container_path) + ":"
            token = encrypt(comment.text, "comment", key, aad)
            span = comment.node.span
            splices.append((span.start, span.end, "#" + token))
    stanzas = seal_data_key(key, recipients or current_recipients(opened))
    splices += age_splices(opened, stanzas)
    return seal(opened, splices, key=key)
