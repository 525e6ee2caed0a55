"""The simulator's serialization cache: a list body is the same JSON as a plain dump, and an
object changed in the store (a new committed dict) is never served from the old bytes."""

from __future__ import annotations

import json
from typing import Any

from tuiops.sim.apiserver.encoding import JsonEncoder, dumps


def _list(*items: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "HelmReleaseList", "apiVersion": "v2", "metadata": {}, "items": list(items)}


def test_a_list_body_is_the_plain_dump() -> None:
    encoder = JsonEncoder()
    document = _list({"metadata": {"name": "a", "labels": {"é": "✓"}}}, {"metadata": {"name": "b"}})
    assert encoder.encode(document) == dumps(document)
    assert encoder.encode(_list()) == dumps(_list())
    other = {"kind": "Status", "items": "not a list"}
    assert json.loads(encoder.encode(other)) == other


def test_a_new_dict_for_a_changed_object_is_encoded_afresh() -> None:
    encoder = JsonEncoder()
    before = {"metadata": {"name": "a", "resourceVersion": "1"}}
    assert b'"resourceVersion":"1"' in encoder.encode(_list(before))
    after = {"metadata": {"name": "a", "resourceVersion": "2"}}
    assert b'"resourceVersion":"2"' in encoder.encode(_list(after))
    assert encoder.encode(_list(before)) == dumps(_list(before))


def test_the_cache_is_bounded() -> None:
    encoder = JsonEncoder(capacity=2)
    items = [{"metadata": {"name": str(index)}} for index in range(5)]
    assert json.loads(encoder.encode(_list(*items)))["items"] == items
    assert len(encoder._cache) == 2
