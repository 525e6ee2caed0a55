"""Label and field selectors as the apiserver parses them (`a=b,c!=d,e in (x,y),!f,g`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from tuiops.sim.apiserver.store import StatusError

Predicate = Callable[[Mapping[str, Any]], bool]

_SET_TERM = re.compile(r"^\s*([^\s!=]+)\s+(in|notin)\s+\((.*)\)\s*$")


def _split_terms(text: str) -> list[str]:
    """Split on commas outside parentheses (`env in (a,b),tier=web`)."""
    terms: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            terms.append("".join(current))
            current = []
        else:
            current.append(char)
    terms.append("".join(current))
    return [term.strip() for term in terms if term.strip()]


def _bad(kind: str, text: str) -> StatusError:
    return StatusError(400, "BadRequest", f"unable to parse requirement: invalid {kind}: {text!r}")


LabelCheck = Callable[[Mapping[str, str]], bool]


def _label_check(term: str) -> LabelCheck:
    """One requirement: `k in (a,b)`, `k notin (..)`, `k!=v`, `k=v`, `!k` or `k`."""
    set_match = _SET_TERM.match(term)
    if set_match:
        key, operator, values_text = set_match.groups()
        values = {value.strip() for value in values_text.split(",") if value.strip()}
        wanted = operator == "in"
        return lambda labels: (labels.get(key) in values) == wanted
    if "!=" in term:
        key, value = (part.strip() for part in term.split("!=", 1))
        return lambda labels: labels.get(key) != value
    if "=" in term:
        key, value = (part.strip() for part in term.replace("==", "=").split("=", 1))
        return lambda labels: labels.get(key) == value
    if term.startswith("!"):
        absent = term[1:].strip()
        return lambda labels: absent not in labels
    if re.fullmatch(r"[A-Za-z0-9._/-]+", term):
        return lambda labels: term in labels
    raise _bad("label selector", term)


def label_selector(text: str) -> Predicate:
    """A predicate over an object's `metadata.labels`."""
    checks = [_label_check(term) for term in _split_terms(text)]

    def matches(obj: Mapping[str, Any]) -> bool:
        labels = obj.get("metadata", {}).get("labels") or {}
        return all(check(labels) for check in checks)

    return matches


def _field_value(obj: Mapping[str, Any], path: str) -> str:
    value: Any = obj
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return "" if value is None else str(value)


COMMON_FIELDS = frozenset({"metadata.name", "metadata.namespace"})
"""Every kind (custom resources included) can be selected by name and namespace."""

FIELDS_BY_KIND: dict[str, frozenset[str]] = {
    "Event": frozenset(
        {
            "involvedObject.kind",
            "involvedObject.name",
            "involvedObject.namespace",
            "involvedObject.apiVersion",
            "involvedObject.uid",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "type",
            "source",
        }
    ),
    "Pod": frozenset(
        {
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "status.phase",
            "status.podIP",
            "status.nominatedNodeName",
        }
    ),
    "Namespace": frozenset({"status.phase"}),
    "Secret": frozenset({"type"}),
    "Node": frozenset({"spec.unschedulable"}),
}
"""The extra fields the apiserver indexes per kind; anything else answers 400."""

SUPPORTED_FIELDS = COMMON_FIELDS.union(*FIELDS_BY_KIND.values())


def field_selector(text: str) -> Predicate:
    """A predicate over the fields the apiserver indexes (name, namespace, event fields)."""
    checks: list[tuple[str, str, bool]] = []
    for term in _split_terms(text):
        negate = "!=" in term
        key, _, value = term.replace("!=", "=").replace("==", "=").partition("=")
        key = key.strip()
        if key not in SUPPORTED_FIELDS:
            raise StatusError(
                400,
                "BadRequest",
                f"field label not supported: {key}",
            )
        checks.append((key, value.strip(), negate))

    def matches(obj: Mapping[str, Any]) -> bool:
        for key, value, negate in checks:
            actual = (
                _field_value(obj, "source.component") if key == "source" else _field_value(obj, key)
            )
            if (actual == value) == negate:
                return False
        return True

    return matches


def field_selector_for(kind: str, text: str) -> Predicate:
    """`field_selector` limited to the fields the apiserver supports for `kind`.

    Raises:
        StatusError: 400 `field label not supported` for a field `kind` does not index.
    """
    allowed = COMMON_FIELDS | FIELDS_BY_KIND.get(kind, frozenset())
    for term in _split_terms(text):
        key = term.replace("!=", "=").partition("=")[0].strip()
        if key not in allowed:
            raise StatusError(400, "BadRequest", f"field label not supported: {key}")
    return field_selector(text)
