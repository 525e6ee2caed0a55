"""Patch bodies as the apiserver applies them: JSON merge patch (RFC 7386), JSON patch
(RFC 6902), and strategic merge patch for built-in kinds (treated as a merge patch, which is
what the python client's dict bodies need)."""

from __future__ import annotations

import copy
from typing import Any

from tuiops.sim.apiserver.store import StatusError

MERGE = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
APPLY = "application/apply-patch+yaml"

UNSUPPORTED_FOR_CUSTOM = (
    "the body of the request was in an unknown format - accepted media types include:"
    " application/json-patch+json, application/merge-patch+json,"
    " application/apply-patch+yaml, application/apply-patch+cbor"
)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge recursively, `null` deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise _invalid(f"invalid JSON pointer {path!r}")
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def _invalid(message: str) -> StatusError:
    return StatusError(422, "Invalid", message)


def _parent(document: Any, parts: list[str]) -> tuple[Any, str]:
    node = document
    for part in parts[:-1]:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise _invalid(f"doc is missing path: /{'/'.join(parts)}")
    return node, parts[-1]


def _read(document: Any, parts: list[str]) -> Any:
    if not parts:
        return document
    node, last = _parent(document, parts)
    if isinstance(node, dict) and last in node:
        return node[last]
    if isinstance(node, list) and last.isdigit() and int(last) < len(node):
        return node[int(last)]
    raise _invalid(f"doc is missing path: /{'/'.join(parts)}")


def _write(document: Any, parts: list[str], value: Any, *, insert: bool) -> Any:
    if not parts:
        return value
    node, last = _parent(document, parts)
    if isinstance(node, dict):
        if not insert and last not in node:
            raise _invalid(f"doc is missing key: /{'/'.join(parts)}")
        node[last] = value
    elif isinstance(node, list):
        index = len(node) if last == "-" else int(last) if last.isdigit() else -1
        if index < 0 or index > len(node) or (not insert and index >= len(node)):
            raise _invalid(f"index out of range: /{'/'.join(parts)}")
        if insert:
            node.insert(index, value)
        else:
            node[index] = value
    else:
        raise _invalid(f"doc is missing path: /{'/'.join(parts)}")
    return document


def _remove(document: Any, parts: list[str]) -> Any:
    node, last = _parent(document, parts)
    if isinstance(node, dict) and last in node:
        del node[last]
    elif isinstance(node, list) and last.isdigit() and int(last) < len(node):
        del node[int(last)]
    else:
        raise _invalid(f"doc is missing path: /{'/'.join(parts)}")
    return document


def json_patch(document: Any, operations: Any) -> Any:
    """RFC 6902 add/remove/replace/move/copy/test on a copy of `document`."""
    if not isinstance(operations, list):
        raise StatusError(400, "BadRequest", "json patch body must be a list of operations")
    result = copy.deepcopy(document)
    for operation in operations:
        if not isinstance(operation, dict) or "op" not in operation or "path" not in operation:
            raise _invalid(f"invalid json patch operation: {operation!r}")
        op, path = operation["op"], _pointer(str(operation["path"]))
        if op == "add":
            result = _write(result, path, copy.deepcopy(operation.get("value")), insert=True)
        elif op == "replace":
            result = _write(result, path, copy.deepcopy(operation.get("value")), insert=False)
        elif op == "remove":
            result = _remove(result, path)
        elif op in ("move", "copy"):
            source = _pointer(str(operation.get("from", "")))
            value = copy.deepcopy(_read(result, source))
            if op == "move":
                result = _remove(result, source)
            result = _write(result, path, value, insert=True)
        elif op == "test":
            if _read(result, path) != operation.get("value"):
                raise _invalid(f"testing value /{'/'.join(path)} failed")
        else:
            raise _invalid(f"unknown json patch operation {op!r}")
    return result


def apply_patch(document: dict[str, Any], content_type: str, body: Any, *, custom: bool) -> Any:
    """The patched document for a PATCH request's Content-Type.

    Raises:
        StatusError: 415 for strategic merge on custom resources or an unknown type.
    """
    media = content_type.split(";", 1)[0].strip()
    if media == MERGE:
        return merge_patch(document, body)
    if media == JSON_PATCH:
        return json_patch(document, body)
    if media == STRATEGIC and not custom:
        return merge_patch(document, body)
    if media == APPLY:
        # Server-side apply reduced to "the applied fields win", enough for a simulator.
        return merge_patch(document, body)
    raise StatusError(415, "UnsupportedMediaType", UNSUPPORTED_FOR_CUSTOM)
