"""The decrypted document as text, exactly as `sops -d` prints it (for viewing in memory)."""

from __future__ import annotations

from collections.abc import Iterator

from tuiops.gitops.sops.decrypt import DecryptedComment, DecryptedYaml, Leaf
from tuiops.gitops.sops.emit import emit_yaml
from tuiops.gitops.sops.metadata import METADATA_KEY
from tuiops.gitops.sops.tree import Comment, Document, Mapping, Node, Scalar, Sequence


class _Rebuilder:
    """Rebuilds each tree with decrypted leaves, in the order the decryptor visited them."""

    def __init__(self, opened: DecryptedYaml) -> None:
        self._leaves: Iterator[Leaf] = iter(opened.leaves)
        self._comments: Iterator[DecryptedComment] = iter(opened.comments)

    def _comment(self) -> Comment:
        return Comment(next(self._comments).text)

    def node(self, node: Node, top: bool = False) -> Node | Comment:
        if isinstance(node, Mapping):
            mapping = Mapping(indent=node.indent)
            for item in node.items:
                if isinstance(item, Comment):
                    mapping.items.append(self._comment())
                elif not (top and item[0] == METADATA_KEY):
                    child = self.node(item[1])
                    assert not isinstance(child, Comment)
                    mapping.items.append((item[0], child))
            return mapping
        if isinstance(node, Sequence):
            sequence = Sequence()
            for element in node.items:
                sequence.items.append(
                    self._comment() if isinstance(element, Comment) else self.node(element)
                )
            return sequence
        leaf = next(self._leaves)
        if leaf.kind == "comment":
            return Comment(str(leaf.value))  # sops 3.11 writes list comments as list items
        return Scalar(leaf.value, leaf.kind)


def plaintext_documents(opened: DecryptedYaml) -> list[Document]:
    """The decrypted trees, metadata removed."""
    rebuilder = _Rebuilder(opened)
    documents = []
    for document in opened.documents:
        root = rebuilder.node(document.root, top=True)
        assert not isinstance(root, Comment)
        documents.append(Document(root))
    return documents


def plaintext_yaml(opened: DecryptedYaml, indent: int = 4) -> str:
    """What `sops -d` prints for this file (with the same indent setting)."""
    return emit_yaml(plaintext_documents(opened), indent)
