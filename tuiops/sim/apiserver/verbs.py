"""get, list, create, patch, replace and delete on the store, shaped as the apiserver answers."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from typing import Any

from tuiops.sim.apiserver.patching import apply_patch
from tuiops.sim.apiserver.resources import ResourceType
from tuiops.sim.apiserver.routes import Route
from tuiops.sim.apiserver.selectors import field_selector_for, label_selector
from tuiops.sim.apiserver.store import JsonObject, ObjectStore, StatusError, not_found
from tuiops.sim.apiserver.tables import table


def wants_table(accept: str) -> bool:
    return "as=Table" in accept


def served_as(resource: ResourceType, version: str, obj: JsonObject) -> JsonObject:
    """The object under the apiVersion the client asked for (one stored form, many served)."""
    wanted = resource.api_version(version)
    if obj.get("apiVersion") == wanted:
        return obj
    return {**obj, "apiVersion": wanted}


def _encode_continue(resource_version: int, after: tuple[str, str]) -> str:
    raw = json.dumps({"rv": resource_version, "after": list(after)}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode_continue(token: str) -> tuple[int, tuple[str, str]]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        return int(data["rv"]), (str(data["after"][0]), str(data["after"][1]))
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise StatusError(400, "BadRequest", "continue key is not valid") from error


def _keep_status(resource: ResourceType, current: JsonObject, written: JsonObject) -> JsonObject:
    """A write to the main resource of a kind with a status subresource leaves status alone
    (the apiserver resets it to the stored one, or drops it when there is none yet)."""
    if "status" not in resource.subresources:
        return written
    written.pop("status", None)
    if "status" in current:
        written["status"] = current["status"]
    return written


_SERVER_FIELDS = ("name", "namespace", "uid", "creationTimestamp", "resourceVersion", "generation")


def _unchanged(current: JsonObject, candidate: JsonObject, *, status_only: bool) -> bool:
    """True when writing `candidate` would store what is already stored."""
    if status_only:
        return bool(candidate.get("status") == current.get("status"))
    metadata = dict(candidate.get("metadata") or {})
    for field in _SERVER_FIELDS:
        if field in current["metadata"]:
            metadata[field] = current["metadata"][field]
        else:
            metadata.pop(field, None)
    normalized = {
        **candidate,
        "metadata": metadata,
        "kind": current["kind"],
        "apiVersion": current["apiVersion"],
    }
    return normalized == current


def _key(obj: JsonObject) -> tuple[str, str]:
    metadata = obj.get("metadata", {})
    return metadata.get("namespace", ""), metadata.get("name", "")


class Verbs:
    """The non-streaming verbs."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store

    def selected(
        self, resource: ResourceType, route: Route, query: dict[str, str]
    ) -> tuple[list[JsonObject], int]:
        """Objects in the route's namespace that pass the label and field selectors."""
        items, resource_version = self.store.list_objects(
            resource, route.namespace if route.namespace else None
        )
        if query.get("labelSelector"):
            matches = label_selector(query["labelSelector"])
            items = [item for item in items if matches(item)]
        if query.get("fieldSelector"):
            matches = field_selector_for(resource.kind, query["fieldSelector"])
            items = [item for item in items if matches(item)]
        return items, resource_version

    def list(
        self, resource: ResourceType, route: Route, query: dict[str, str], accept: str
    ) -> JsonObject:
        items, resource_version = self.selected(resource, route, query)
        metadata: JsonObject = {"resourceVersion": str(resource_version)}
        if query.get("continue"):
            token_version, after = _decode_continue(query["continue"])
            try:
                self.store.changes_since(token_version)
            except StatusError as error:
                raise StatusError(
                    410,
                    "Expired",
                    "The provided continue parameter is too old to display a consistent list"
                    " result. You can start a new list without the continue parameter, or use"
                    " the continue token in this response to retrieve the remainder of the"
                    " results. Continuing with the provided token results in an inconsistent"
                    " list - objects that were created, modified, or deleted between the time"
                    " the first chunk was returned and now may show up in the list.",
                ) from error
            items = [item for item in items if _key(item) > after]
            metadata["resourceVersion"] = str(token_version)
        limit = int(query.get("limit") or 0)
        if 0 < limit < len(items):
            metadata["continue"] = _encode_continue(
                int(metadata["resourceVersion"]), _key(items[limit - 1])
            )
            metadata["remainingItemCount"] = len(items) - limit
            items = items[:limit]
        if wants_table(accept):
            return table(resource, items, self.store.clock.now(), metadata)
        return {
            "kind": resource.list_kind,
            "apiVersion": resource.api_version(route.version),
            "metadata": metadata,
            "items": [served_as(resource, route.version, item) for item in items],
        }

    def get(self, resource: ResourceType, route: Route, accept: str) -> JsonObject:
        found = self.store.get(resource, route.namespace, route.name)
        if found is None:
            raise not_found(resource, route.name)
        if wants_table(accept):
            metadata = {"resourceVersion": found["metadata"]["resourceVersion"]}
            return table(resource, [found], self.store.clock.now(), metadata)
        return served_as(resource, route.version, found)

    def patch(
        self, resource: ResourceType, route: Route, content_type: str, body: Any
    ) -> JsonObject:
        if not route.name:
            raise StatusError(405, "MethodNotAllowed", "the server does not allow this method")
        status_only = route.subresource == "status"

        def mutate(current: JsonObject) -> JsonObject:
            patched = apply_patch(current, content_type, body, custom=resource.is_custom)
            if not isinstance(patched, dict):
                raise StatusError(422, "Invalid", "patch result is not an object")
            return patched if status_only else _keep_status(resource, current, patched)

        expected = None
        if isinstance(body, dict):
            expected = (body.get("metadata") or {}).get("resourceVersion")
        updated = self._write(resource, route, mutate, expected)
        return served_as(resource, route.version, updated)

    def create(self, resource: ResourceType, route: Route, body: Any) -> JsonObject:
        if not isinstance(body, dict) or not (body.get("metadata") or {}).get("name"):
            raise StatusError(
                422, "Invalid", f"{resource.kind} is invalid: metadata.name: Required"
            )
        if resource.namespaced:
            body.setdefault("metadata", {})["namespace"] = route.namespace
        return served_as(resource, route.version, self.store.create(resource, body))

    def replace(self, resource: ResourceType, route: Route, body: Any) -> JsonObject:
        if not isinstance(body, dict):
            raise StatusError(400, "BadRequest", "body must be an object")
        expected = (body.get("metadata") or {}).get("resourceVersion")
        status_only = route.subresource == "status"

        def replace(current: JsonObject) -> JsonObject:
            return dict(body) if status_only else _keep_status(resource, current, dict(body))

        updated = self._write(resource, route, replace, expected)
        return served_as(resource, route.version, updated)

    def _write(
        self,
        resource: ResourceType,
        route: Route,
        change: Callable[[JsonObject], JsonObject],
        expected: str | None,
    ) -> JsonObject:
        """Commit `change`, unless it changes nothing: the apiserver skips no-op writes (same
        resourceVersion, no watch event), which is how kubectl tells "patched (no change)"."""
        status_only = route.subresource == "status"
        current = self.store.get(resource, route.namespace, route.name)
        if current is None:
            raise not_found(resource, route.name)
        if not expected or expected == current["metadata"]["resourceVersion"]:
            candidate = change(copy.deepcopy(current))
            if _unchanged(current, candidate, status_only=status_only):
                return current
        return self.store.update(
            resource,
            route.namespace,
            route.name,
            change,
            status_only=status_only,
            expected_version=expected,
        )

    def delete(self, resource: ResourceType, route: Route) -> JsonObject:
        gone = self.store.delete(resource, route.namespace, route.name)
        return served_as(resource, route.version, gone)
