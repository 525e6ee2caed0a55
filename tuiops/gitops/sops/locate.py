"""Finding a key path in a SOPS file's tree, and deciding what `set` and `rm` may do there.

The rules are the same for every format, so they live here once: the `sops` block is never a
target; `set` changes one value (it never turns a map or list into a string, which would drop
its contents) and creates missing maps on the way, like `sops set`; `rm` removes a value or a
whole subtree. Each refusal is one line that says what to do instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from tuiops.errors import UsageError
from tuiops.gitops.sops.keypath import Address, format_key_path
from tuiops.gitops.sops.metadata import METADATA_KEY
from tuiops.gitops.sops.tree import Comment, Document, Mapping, Node, Scalar, Sequence


@dataclass(frozen=True, slots=True)
class Found:
    """A node at an address, with the collection that holds it."""

    document: int
    node: Node
    parent: Mapping | Sequence
    step: str | int
    grandparent: Mapping | Sequence | None
    parent_step: str | int | None


@dataclass(frozen=True, slots=True)
class Missing:
    """The deepest existing map on the way to an address, and the keys still to create."""

    document: int
    parent: Mapping
    parent_address: Address
    keys: tuple[str, ...]
    grandparent: Mapping | Sequence | None
    parent_step: str | int | None


def items_of(node: Mapping | Sequence) -> list[Node]:
    """The child nodes of a list (comments left out)."""
    return [item for item in node.items if not isinstance(item, Comment)]  # type: ignore[misc]


def child_of(node: Node, step: str | int) -> Node | None:
    """The child `step` (a key of a map, a position of a list), or None."""
    if isinstance(node, Mapping) and isinstance(step, str):
        return node.get(step)
    if isinstance(node, Sequence) and isinstance(step, int):
        children = items_of(node)
        return children[step] if step < len(children) else None
    return None


def _describe(node: Node) -> str:
    if isinstance(node, Mapping):
        count = sum(1 for item in node.items if isinstance(item, tuple))
        return f"a map of {count} key{'s' if count != 1 else ''}"
    if isinstance(node, Sequence):
        count = len(items_of(node))
        return f"a list of {count} item{'s' if count != 1 else ''}"
    return "a value"


def _check_not_metadata(address: Address) -> None:
    if address and address[0] == METADATA_KEY:
        raise UsageError("`sops` is the file's metadata block, not a value; it cannot be edited")


def walk(documents: list[Document], address: Address, document: int) -> Found | Missing:
    """Follow `address` in one document.

    Raises:
        UsageError: the path runs through a value, a list is indexed by name or a map by
            position, or a list position is past its end.
    """
    node: Node = documents[document].root
    parent: Mapping | Sequence | None = None
    parent_step: str | int | None = None
    for depth, step in enumerate(address):
        child = child_of(node, step)
        if child is None:
            where = format_key_path(address[:depth]) or "the top level"
            if isinstance(node, Mapping) and isinstance(step, str):
                rest = address[depth:]
                if any(isinstance(s, int) for s in rest):
                    raise UsageError(
                        f"no {format_key_path(address[: depth + 1])}: a list is not created "
                        "by a path; add it in an editor"
                    )
                return Missing(document, node, address[:depth], rest, parent, parent_step)  # type: ignore[arg-type]
            if isinstance(node, Sequence) and isinstance(step, int):
                raise UsageError(f"{where} is {_describe(node)}; position [{step}] is past its end")
            raise UsageError(
                f"{where} is {_describe(node)}, so {format_key_path(address[: depth + 1])} "
                "cannot be in it"
            )
        if depth == len(address) - 1:
            assert isinstance(node, Mapping | Sequence)
            return Found(document, child, node, step, parent, parent_step)
        parent, parent_step, node = node, step, child  # type: ignore[assignment]
    raise UsageError("empty key path")


def find(documents: list[Document], address: Address, document: int | None) -> Found | None:
    """The node at `address` (in `document`, or the first document that has it), or None."""
    _check_not_metadata(address)
    numbers = [document] if document is not None else range(len(documents))
    for number in numbers:
        try:
            found = walk(documents, address, number)
        except UsageError:
            continue
        if isinstance(found, Found):
            return found
    return None


def target_for_set(
    documents: list[Document], address: Address, document: int | None
) -> Found | Missing:
    """Where `set` writes: an existing value, or the map to add keys to.

    Raises:
        UsageError: the target holds a map or list, or lies in the metadata, or cannot exist.
    """
    _check_not_metadata(address)
    found = find(documents, address, document)
    if found is None:
        return walk(documents, address, document or 0)
    if not isinstance(found.node, Scalar):
        raise UsageError(
            f"{format_key_path(address)} holds {_describe(found.node)}; set one value inside "
            f"it ({format_key_path(address)}.KEY), or rm it first"
        )
    return found


def target_for_rm(documents: list[Document], address: Address, document: int | None) -> Found:
    """What `rm` removes.

    Raises:
        UsageError: nothing is there, or it is the metadata.
    """
    found = find(documents, address, document)
    if found is None:
        raise UsageError(f"no key {format_key_path(address)}")
    return found
