"""JSON bodies, with each stored object serialised once, as the apiserver's serialization cache
does: the store commits a new dict for every change and never mutates one, so an object's bytes
stay valid for as long as that dict is the one served. A list of 5,000 HelmReleases is then a
join of cached bytes instead of 10 MB of fresh `json.dumps`."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any

JsonObject = dict[str, Any]
CACHED_OBJECTS = 50_000
"""Above the large scenario's 7,000 appliers plus their sources, secrets and events."""


def dumps(document: object) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()


class JsonEncoder:
    """Encodes response documents; list items come from the cache."""

    def __init__(self, capacity: int = CACHED_OBJECTS) -> None:
        self._capacity = capacity
        # id() of the dict → (the dict itself, its bytes). Holding the dict keeps its id from
        # being reused by another object while the entry lives.
        self._cache: OrderedDict[int, tuple[JsonObject, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, document: JsonObject) -> bytes:
        items = document.get("items")
        if not isinstance(items, list) or not str(document.get("kind", "")).endswith("List"):
            return dumps(document)
        head = {key: value for key, value in document.items() if key != "items"}
        prefix = dumps(head)[:-1]  # without the closing brace
        body = b",".join(self._item(item) for item in items)
        return prefix + (b',"items":[' if head else b'"items":[') + body + b"]}"

    def _item(self, item: JsonObject) -> bytes:
        key = id(item)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and hit[0] is item:
                self._cache.move_to_end(key)
                return hit[1]
        data = dumps(item)
        with self._lock:
            self._cache[key] = (item, data)
            if len(self._cache) > self._capacity:
                self._cache.popitem(last=False)
        return data
