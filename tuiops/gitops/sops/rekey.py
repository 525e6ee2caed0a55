"""Re-keying: `updatekeys` (new key groups, same data key) and data-key rotation.

Both rewrite the whole `sops:` block in the order sops writes it. The data key is sealed for
each group's age recipients; with several groups it is first split with Shamir (`shamir.py`),
as sops does. Keys tuiops cannot seal for (PGP, KMS, Vault) are carried over only when what
they hold does not change; any rule that needs a new such stanza is refused, never stripped.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from tuiops.gitops.sops.cipher import encrypt
from tuiops.gitops.sops.config import GroupSpec
from tuiops.gitops.sops.decrypt import DecryptedYaml
from tuiops.gitops.sops.edit import Splice, line_end, line_start, seal, subtree_end
from tuiops.gitops.sops.emit import emit_yaml
from tuiops.gitops.sops.errors import UnsupportedError
from tuiops.gitops.sops.goyaml import sops_plaintext
from tuiops.gitops.sops.keys import seal_data_key
from tuiops.gitops.sops.metadata import (
    METADATA_KEY,
    KeyGroup,
    Metadata,
    key_name,
    metadata_node,
    metadata_tree,
    to_plain,
)
from tuiops.gitops.sops.tree import Comment, Document, Mapping
from tuiops.gitops.sops.tree import Sequence as SequenceNode

_HELP = "use `sops updatekeys` / `sops rotate` where those keys are at hand"


def _kept_others(
    wanted: Sequence[str], reusable: KeyGroup | None, file: str
) -> tuple[tuple[str, SequenceNode], ...]:
    """The old non-age stanzas the new group still names (they hold the same data key)."""
    kept: list[tuple[str, SequenceNode]] = []
    found: set[str] = set()
    for kind, node in reusable.others if reusable is not None else ():
        items = [
            item
            for item in node.items
            if not isinstance(item, Comment) and key_name(kind, to_plain(item)) in wanted
        ]
        found.update(key_name(kind, to_plain(item)) for item in items)
        if items:
            kept.append((kind, SequenceNode(items=list(items))))
    missing = [name for name in wanted if name not in found]
    if missing:
        raise UnsupportedError(
            f"{file}: the keys would need new {', '.join(missing)} stanzas; tuiops seals for age "
            f"recipients only ({_HELP})"
        )
    return tuple(kept)


def seal_groups(
    key: bytes,
    specs: Sequence[GroupSpec],
    threshold: int,
    reusable: KeyGroup | None,
    file: str,
) -> tuple[KeyGroup, ...]:
    """Key groups holding `key`: whole with one group, else one Shamir share per group.

    Raises:
        UnsupportedError: no group, an empty group, or a non-age key that needs a new stanza.
        SopsConfigError: an age recipient is not valid.
    """
    if not specs:
        raise UnsupportedError(f"{file}: the rule names no keys at all; nothing to seal for")
    if len(specs) == 1:
        parts = [key]
    else:
        from tuiops.gitops.sops.shamir import split

        if threshold < 2:
            raise UnsupportedError(
                f"{file}: {len(specs)} key groups need a Shamir threshold of at least 2 "
                "(sops refuses 1 too)"
            )
        parts = split(key, len(specs), threshold)
        reusable = None  # new shares: every old stanza holds a share that no longer fits
    groups = []
    for number, (spec, part) in enumerate(zip(specs, parts, strict=True)):
        others = _kept_others(spec.others, reusable, file)
        if not spec.age and not others:
            raise UnsupportedError(f"{file}: key group {number + 1} has no key tuiops can use")
        groups.append(KeyGroup(seal_data_key(part, spec.age), others))
    return tuple(groups)


def _same_keys(meta: Metadata, specs: Sequence[GroupSpec]) -> bool:
    if len(meta.key_groups) != len(specs):
        return False
    for group, spec in zip(meta.key_groups, specs, strict=True):
        names = set(group.other_names())
        if set(group.recipients) != set(spec.age) or names != set(spec.others):
            return False
    return True


def updated_threshold(meta: Metadata, groups: int, wanted: int | None = None) -> int | None:
    """The rule's threshold when it names one (sops keeps the file's unless told on the command
    line, which surprises people who just edited `.sops.yaml`), else the file's; lowered to the
    number of groups; with several groups and none set, all groups are needed."""
    threshold = min(wanted or meta.shamir_threshold or 0, groups)
    if groups > 1 and threshold == 0:
        return groups
    return threshold or None


def metadata_splices(opened: DecryptedYaml, meta: Metadata) -> list[Splice]:
    """Replace the `sops:` block of every YAML document by `meta`, in the block's own indent."""
    splices = []
    for document in opened.documents:
        node = metadata_node(document)
        if node is None or not isinstance(document.root, Mapping):
            continue
        indent = node.indent if node.indent > 0 else 4
        block = emit_yaml([Document(Mapping(items=[(METADATA_KEY, metadata_tree(meta))]))], indent)
        start = line_start(opened.text, document.root.key_spans[METADATA_KEY].start)
        splices.append((start, line_end(opened.text, subtree_end(node)), block))
    return splices


def update_keys(
    opened: DecryptedYaml, specs: Sequence[GroupSpec], threshold_wanted: int | None = None
) -> str | None:
    """The text with the data key sealed for the groups `specs`; values, MAC and lastmodified
    stay as they are.

    Returns:
        None when the file already has exactly these keys and threshold.
    """
    meta = opened.metadata
    threshold = updated_threshold(meta, len(specs), threshold_wanted)
    if _same_keys(meta, specs) and threshold == (meta.shamir_threshold or None):
        return None
    reusable = meta.key_groups[0] if len(meta.key_groups) == 1 else None
    groups = seal_groups(opened.data_key, specs, threshold or 1, reusable, opened.file)
    new_meta = meta.with_keys(groups, threshold)
    if opened.format != "yaml":
        from tuiops.gitops.sops.treeedit import tree_with_metadata

        return tree_with_metadata(opened, new_meta)
    from tuiops.gitops.sops.edit import apply_splices

    return apply_splices(opened.text, metadata_splices(opened, new_meta))


def current_specs(meta: Metadata) -> tuple[GroupSpec, ...]:
    return tuple(GroupSpec(group.recipients) for group in meta.key_groups)


def rotate_data_key(opened: DecryptedYaml) -> tuple[str, bytes]:
    """The text re-encrypted under a new data key: every value and comment gets a new
    ciphertext, the key is sealed for the same groups, new MAC.

    Returns:
        The new text and its data key (to check the file once it is written).

    Raises:
        UnsupportedError: the file also has keys tuiops cannot seal for (PGP, KMS, ...).
    """
    meta = opened.metadata
    others = [name for group in meta.key_groups for name in group.other_names()]
    if others:
        raise UnsupportedError(
            f"{opened.file}: a new data key would need new {', '.join(others)} stanzas; "
            f"tuiops seals for age recipients only ({_HELP})"
        )
    key = os.urandom(32)
    groups = seal_groups(key, current_specs(meta), meta.threshold, None, opened.file)
    new_meta = meta.with_keys(groups, meta.shamir_threshold)
    if opened.format != "yaml":
        from tuiops.gitops.sops.treeedit import tree_rotate

        return tree_rotate(opened, new_meta, key), key
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
    splices += metadata_splices(opened, new_meta)
    return seal(opened, splices, key=key), key
