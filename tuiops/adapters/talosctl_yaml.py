"""A reader for the small YAML subset `talosctl -o yaml` writes (go-yaml, 4-space indent):
block mappings, block sequences, plain or quoted scalars and empty flow collections, with
`---` between documents.

It exists because the adapters layer does not depend on PyYAML; anything outside the subset is
refused with a ValueError instead of being guessed at.
"""

from __future__ import annotations

import json
import re
from typing import Any


def load_yaml_documents(text: str) -> list[Any]:
    """Read the YAML subset `talosctl -o yaml` writes: block mappings and sequences of plain,
    quoted or empty-flow scalars, documents split by `---`. Anything else is refused.
    """
    documents: list[Any] = []
    chunk: list[tuple[int, str]] = []
    for raw in [*text.splitlines(), "---"]:
        if raw.rstrip() in ("---", "..."):
            if chunk:
                try:
                    value, end = _yaml_block(chunk, 0, chunk[0][0])
                except RecursionError:
                    raise ValueError("YAML nested too deeply") from None
                if end != len(chunk):
                    raise ValueError(f"unexpected line: {_clip(chunk[end][1])!r}")
                documents.append(value)
            chunk = []
        elif raw.strip() and not raw.lstrip().startswith("#"):
            if "\t" in raw[: len(raw) - len(raw.lstrip())]:
                raise ValueError("talosctl YAML is indented with tabs")
            chunk.append((len(raw) - len(raw.lstrip(" ")), raw.strip()))
    return documents


def _yaml_block(lines: list[tuple[int, str]], i: int, indent: int) -> tuple[Any, int]:
    if lines[i][1] == "-" or lines[i][1].startswith("- "):
        items: list[Any] = []
        while i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("-"):
            rest = lines[i][1][1:].lstrip()
            if not rest:
                if i + 1 >= len(lines) or lines[i + 1][0] <= indent:
                    raise ValueError("empty YAML list item")
                value, i = _yaml_block(lines, i + 1, lines[i + 1][0])
            elif _YAML_KEY.match(rest):
                # `- name: x` opens a mapping whose keys sit where `name` starts
                lines[i] = (indent + len(lines[i][1]) - len(rest), rest)
                value, i = _yaml_block(lines, i, lines[i][0])
            else:
                value, i = _yaml_scalar(rest), i + 1
            items.append(value)
        return items, i
    mapping: dict[str, Any] = {}
    while i < len(lines) and lines[i][0] == indent:
        match = _YAML_KEY.match(lines[i][1])
        if not match:
            raise ValueError(f"unexpected line: {_clip(lines[i][1])!r}")
        key, rest = _yaml_scalar(match["key"]), (match["rest"] or "").strip()
        i += 1
        if rest:
            mapping[str(key)] = _yaml_scalar(rest)
        elif i < len(lines) and (
            lines[i][0] > indent or (lines[i][0] == indent and lines[i][1].startswith("- "))
        ):
            mapping[str(key)], i = _yaml_block(lines, i, lines[i][0])
        else:
            mapping[str(key)] = None
    if i < len(lines) and lines[i][0] > indent:
        raise ValueError(f"unexpected YAML indentation: {_clip(lines[i][1])!r}")
    return mapping, i


_YAML_KEY = re.compile(r"^(?P<key>\"[^\"]*\"|'[^']*'|[^\s\"'#\-\[{][^:]*?):(?: (?P<rest>.*)|$)")
_YAML_INT = re.compile(r"^-?\d+$")


def _yaml_scalar(text: str) -> Any:
    text = text.strip()
    if not text:
        return None
    if text.startswith('"'):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise ValueError(f"bad quoted YAML string: {_clip(text)!r}") from None
    if text.startswith("'"):
        if len(text) < 2 or not text.endswith("'"):
            raise ValueError(f"bad quoted YAML string: {_clip(text)!r}")
        return text[1:-1].replace("''", "'")
    if text in ("[]", "{}"):
        return [] if text == "[]" else {}
    if text[0] in "[{|>&*!":
        raise ValueError(f"YAML form tuiops does not read here: {_clip(text)!r}")
    if text in ("true", "false"):
        return text == "true"
    if text in ("null", "~"):
        return None
    return int(text) if _YAML_INT.match(text) else text


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
