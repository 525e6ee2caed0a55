"""sops' dotenv store, read and written byte for byte as sops does.

Lines are split at `\\n` only (a `\\r` stays in the value). An empty line is dropped, a line
starting with `#` is a comment (its text is the rest of the line), any other line is split at
its first `=`; a line without `=` is an error, as in sops. There is no quote processing and no
`export` keyword: `K="v"` keeps its quotes. The two characters `\\n` in a value are a newline.
In an encrypted file the `sops_*` lines are the flattened metadata; sops writes them after the
data, sorted by name.
"""

from __future__ import annotations

from tuiops.gitops.sops.errors import NotSopsFileError, SopsFormatError
from tuiops.gitops.sops.json_store import split_metadata
from tuiops.gitops.sops.metadata import METADATA_KEY
from tuiops.gitops.sops.stores_common import flatten_metadata, go_value_text, unflatten_metadata
from tuiops.gitops.sops.tree import Comment, Document, Mapping, Scalar

PREFIX = METADATA_KEY + "_"


def parse_dotenv(text: str, *, plain: bool = False) -> list[Document]:
    """A dotenv file as a one-document tree: data items and comments in file order, then (for
    an encrypted file) the `sops` map rebuilt from the `sops_*` lines.

    Args:
        text: the file's text.
        plain: read a plaintext file: `sops_*` lines are data, and none are needed.

    Raises:
        SopsFormatError: a line without `=` (the message names its line number only, since
            the line may be a secret).
        NotSopsFileError: (encrypted) no `sops_*` line.
    """
    root = Mapping()
    flat: dict[str, str] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        if not line:
            continue
        if line[0] == "#":
            root.items.append(Comment(line[1:]))
            continue
        key, equals, value = line.partition("=")
        if not equals:
            raise SopsFormatError(f"line {number}: invalid dotenv input line (no '=')")
        value = value.replace("\\n", "\n")
        if not plain and key.startswith(PREFIX):
            flat[key.removeprefix(PREFIX)] = value
        else:
            root.items.append((key, Scalar(value, "str")))
    if not plain:
        if not flat:
            raise NotSopsFileError("not a SOPS file (no sops_* lines)")
        root.items.append((METADATA_KEY, unflatten_metadata(flat)))
    return [Document(root)]


def _lines(root: Mapping) -> list[str]:
    """sops' dotenv EmitPlainFile: `#comment` and `KEY=value` lines."""
    lines = []
    for item in root.items:
        if isinstance(item, Comment):
            lines.append(f"#{item.text}\n")
            continue
        key, node = item
        if not isinstance(node, Scalar):
            raise SopsFormatError(
                f"cannot use complex value in dotenv file; offending key {key[:60]}"
            )
        if isinstance(node.value, str):
            value = node.value.replace("\n", "\\n")
        else:
            value = go_value_text(node)
        lines.append(f"{key}={value}\n")
    return lines


def emit_dotenv(documents: list[Document]) -> str:
    """An encrypted dotenv file's text, byte for byte as sops writes it: the data lines, then
    one `sops_<flattened key>=<value>` line per metadata value, sorted by name.

    Raises:
        SopsFormatError: no `sops` map, or a map or list among the data.
    """
    data, metadata = split_metadata(documents)
    lines = _lines(data)
    lines += [f"{PREFIX}{key}={value}\n" for key, value in flatten_metadata(metadata)]
    return "".join(lines)


def emit_plain_dotenv(documents: list[Document]) -> str:
    """What `sops -d` prints for a dotenv file whose decrypted tree is `documents`.

    Raises:
        SopsFormatError: not one map, or a map or list among the values.
    """
    if len(documents) != 1 or not isinstance(documents[0].root, Mapping):
        raise SopsFormatError("a dotenv file is exactly one map")
    return "".join(_lines(documents[0].root))
