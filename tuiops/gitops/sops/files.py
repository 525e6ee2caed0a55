"""Open a SOPS file of any format, list its values, save edits atomically."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tuiops.domain.env import EnvEntry
from tuiops.gitops.sops.decrypt import Address, DecryptedYaml, open_with_key
from tuiops.gitops.sops.errors import UnsupportedError
from tuiops.gitops.sops.formats import parse_dotenv, parse_json
from tuiops.gitops.sops.goyaml import yaml_scalar_text
from tuiops.gitops.sops.keys import IdentitySource, unlock_data_key
from tuiops.gitops.sops.metadata import read_metadata
from tuiops.gitops.sops.parse import parse_yaml
from tuiops.gitops.sops.storage import FileStamp, read_with_stamp, write_atomic
from tuiops.gitops.sops.tree import Document


def format_of(path: Path) -> str:
    """`yaml`, `json` or `dotenv`, by file name as sops decides."""
    name = path.name
    if name.endswith(".json"):
        return "json"
    if name.endswith(".env") or name == ".env":
        return "dotenv"
    return "yaml"


def parse_sops_text(text: str, fmt: str) -> list[Document]:
    """`text` as a tree, read as YAML, JSON or dotenv per `fmt` (see `format_of`)."""
    if fmt == "json":
        return parse_json(text)
    if fmt == "dotenv":
        return parse_dotenv(text)
    return parse_yaml(text)


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
            found.append(
                EnvEntry(address_text(leaf.address), str(value), leaf.encrypted, leaf.kind)
            )
        return found

    def find(self, key: str) -> Address:
        """The address of `key`: dotted (`stringData.X`), or a bare key looked up at the top
        level first, then under `stringData` / `data` (Kubernetes Secrets)."""
        address = parse_address(key)
        if self.decrypted.leaf(address) is not None or len(address) > 1:
            return address
        for parent in ("stringData", "data"):
            nested = (parent, *address)
            if self.decrypted.leaf(nested) is not None:
                return nested
        return address

    def save(self, text: str) -> None:
        """Write `text` in place of the file, if the file is unchanged since it was read."""
        if self.format != "yaml":
            raise UnsupportedError(
                f"{self.path}: editing {self.format} SOPS files is not supported"
            )
        write_atomic(self.path, text, self.stamp)


def address_text(address: Address) -> str:
    text = ""
    for step in address:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def parse_address(key: str) -> Address:
    """`a.b[2].c` → ("a", "b", 2, "c")."""
    address: list[str | int] = []
    for part in key.split("."):
        name, _, rest = part.partition("[")
        if name:
            address.append(name)
        while rest:
            index, _, rest = rest.partition("]")
            if index.isdigit():
                address.append(int(index))
            rest = rest.removeprefix("[")
    return tuple(address)


def open_sops_file(path: Path, sources: Sequence[IdentitySource]) -> OpenSopsFile:
    """Read, decrypt and verify `path`.

    Raises:
        SopsError subclasses, each with a one-line message.
    """
    text, stamp = read_with_stamp(path)
    fmt = format_of(path)
    documents = parse_sops_text(text, fmt)
    metadata = read_metadata(documents, str(path))
    key = unlock_data_key(metadata.age, sources, str(path))
    return OpenSopsFile(path, fmt, stamp, open_with_key(text, str(path), key, documents, metadata))
