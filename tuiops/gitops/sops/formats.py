"""The file formats sops handles besides YAML, read into the same tree as YAML and written back
byte for byte as sops writes them, so that editing is "change the tree, re-emit the file".

sops picks the format by file name (`stores.format_of`): `.yaml`/`.yml` YAML (`parse.py`,
`emit.py`), `.json` JSON, `.env` dotenv, `.ini` INI, anything else binary (a JSON file
`{"data": "<whole file>", "sops": {...}}`). Per format there is a parser for encrypted files
(the `sops` metadata becomes a map item named `sops`) and for plaintext files (`plain=True`),
an emitter for encrypted files (the `sops` item is written last, as sops' metadata struct
writes it) and one for what `sops -d` prints. `parse_plain`, `emit_encrypted` and
`emit_plain` pick them by format name (`stores.py` dispatches YAML too). The stores live in
`json_store.py`, `dotenv_store.py` and `ini_store.py`; the rules they share in
`stores_common.py`.

Byte-exact: JSON, binary and dotenv in both directions; INI too, except the order of the lines
of the `[sops]` section, which sops writes in Go map order (random) and these emitters sort.
Text comes in and goes out as `str`: a file that is not UTF-8 is the caller's to refuse.

One trap: a dotenv file may hold a data key named exactly `sops` (only `sops_` lines are
metadata). Its tree then has two items named `sops`, the data scalar and, last, the metadata
map; the emitters take the map (`json_store.split_metadata`), `Mapping.get` finds the first.
"""

from __future__ import annotations

from tuiops.gitops.sops.dotenv_store import emit_dotenv, emit_plain_dotenv, parse_dotenv
from tuiops.gitops.sops.ini_store import emit_ini, emit_plain_ini, parse_ini
from tuiops.gitops.sops.json_store import (
    emit_json,
    emit_plain_binary,
    emit_plain_json,
    parse_binary,
    parse_json,
)
from tuiops.gitops.sops.tree import Document

__all__ = [
    "emit_dotenv",
    "emit_encrypted",
    "emit_ini",
    "emit_json",
    "emit_plain",
    "emit_plain_binary",
    "emit_plain_dotenv",
    "emit_plain_ini",
    "emit_plain_json",
    "parse_binary",
    "parse_dotenv",
    "parse_ini",
    "parse_json",
    "parse_plain",
]

FORMATS = ("json", "dotenv", "ini", "binary")
"""The formats of this module (YAML has its own parser and emitter)."""


def _check(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"not a format of formats.py: {fmt!r} (one of {', '.join(FORMATS)})")


def _json_indent(indent: int | str | None) -> int | str:
    return -1 if indent is None else indent


def parse_plain(text: str, fmt: str) -> list[Document]:
    """A plaintext file (to be encrypted) as a one-document tree, read as sops reads `fmt`.

    It needs no metadata; a `sops` key, `sops_*` line or `[sops]` section in it is data (sops
    refuses to encrypt such a file, as already encrypted).

    Raises:
        SopsFormatError: text sops could not read either.
        ValueError: `fmt` is not json, dotenv, ini or binary.
    """
    _check(fmt)
    if fmt == "json":
        return parse_json(text, plain=True)
    if fmt == "dotenv":
        return parse_dotenv(text, plain=True)
    if fmt == "ini":
        return parse_ini(text, plain=True)
    return parse_binary(text, plain=True)


def emit_encrypted(documents: list[Document], fmt: str, indent: int | str | None = None) -> str:
    """An encrypted file's text as sops writes it (see `emit_json`, `emit_dotenv`, `emit_ini`).

    Args:
        documents: one document: the data map with its `sops` map item.
        fmt: json, dotenv, ini or binary.
        indent: JSON and binary only: `stores.json.indent` (None or -1 a tab, N >= 0 that many
            spaces) or the indent text itself.

    Raises:
        SopsFormatError: no `sops` map, or a tree the format cannot hold.
        ValueError: an unknown `fmt`, or an indent below -1.
    """
    _check(fmt)
    if fmt == "dotenv":
        return emit_dotenv(documents)
    if fmt == "ini":
        return emit_ini(documents)
    return emit_json(documents, _json_indent(indent))


def emit_plain(documents: list[Document], fmt: str, indent: int | str | None = None) -> str:
    """What `sops -d` prints for a file of format `fmt` whose decrypted tree is `documents`.

    Raises:
        SopsFormatError: a tree the format cannot hold.
        ValueError: an unknown `fmt`, or an indent below -1.
    """
    _check(fmt)
    if fmt == "json":
        return emit_plain_json(documents, _json_indent(indent))
    if fmt == "dotenv":
        return emit_plain_dotenv(documents)
    if fmt == "ini":
        return emit_plain_ini(documents)
    return emit_plain_binary(documents)
