"""The five file formats sops knows, picked by file name as sops picks them, and the one place
that maps a format to its reader and writer.

YAML is read by `parse.py` and written by `emit.py`; JSON, dotenv, INI and binary (a JSON
envelope around the whole file) by `formats.py`. Readers of other modules are imported on first
use, so `tuiops env get` on a YAML file loads nothing else.
"""

from __future__ import annotations

from pathlib import Path

from tuiops.gitops.sops.tree import Document

FORMATS = ("yaml", "json", "dotenv", "ini", "binary")


def format_of(path: Path | str) -> str:
    """The format sops uses for `path`: by its name's ending, anything else is binary."""
    name = str(path)
    if name.endswith((".yaml", ".yml")):
        return "yaml"
    if name.endswith(".json"):
        return "json"
    if name.endswith(".env"):
        return "dotenv"
    if name.endswith(".ini"):
        return "ini"
    return "binary"


def parse_encrypted(text: str, fmt: str) -> list[Document]:
    """An encrypted file as trees (with its `sops` block as a map item)."""
    if fmt == "yaml":
        from tuiops.gitops.sops.parse import parse_yaml

        return parse_yaml(text)
    from tuiops.gitops.sops import formats

    if fmt in ("json", "binary"):
        return formats.parse_json(text)
    if fmt == "dotenv":
        return formats.parse_dotenv(text)
    return formats.parse_ini(text)


def parse_plain(text: str, fmt: str) -> list[Document]:
    """A plaintext file as trees, to be encrypted."""
    if fmt == "yaml":
        from tuiops.gitops.sops.parse import parse_yaml

        return parse_yaml(text)
    from tuiops.gitops.sops import formats

    return formats.parse_plain(text, fmt)


def emit_encrypted(documents: list[Document], fmt: str, indent: int | str | None = None) -> str:
    """An encrypted file's text, in sops' own layout for `fmt`.

    Args:
        indent: YAML spaces per level, or the JSON indent text (default: sops' defaults).
    """
    if fmt == "yaml":
        from tuiops.gitops.sops.emit import emit_yaml

        return emit_yaml(documents, indent if isinstance(indent, int) else 4)
    from tuiops.gitops.sops import formats

    return formats.emit_encrypted(documents, fmt, indent)


def emit_plain(documents: list[Document], fmt: str, indent: int | str | None = None) -> str:
    """What `sops -d` prints for decrypted trees."""
    if fmt == "yaml":
        from tuiops.gitops.sops.emit import emit_yaml

        return emit_yaml(documents, indent if isinstance(indent, int) else 4)
    from tuiops.gitops.sops import formats

    return formats.emit_plain(documents, fmt, indent)
