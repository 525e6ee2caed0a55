"""Substitution scopes of Flux Kustomizations: which variables each one defines, with values.

A scope is per Flux Kustomization (docs/real-repos.md §3): its own `postBuild.substitute`, its
`substituteFrom` objects, and whatever its ancestors inject through `patches`. Inline values win
over `substituteFrom`; later `substituteFrom` entries win over earlier ones.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from tuiops.domain.charts import ChartOrigin
from tuiops.domain.decode import as_list, as_map, as_str
from tuiops.domain.flux import FluxKustomization, HelmRelease, ValuesRef
from tuiops.domain.refs import ObjectRef, SourceLocation
from tuiops.gitops.substitution import closing_brace, find_references
from tuiops.gitops.yamldocs import load_documents

ENCRYPTED_VALUE = re.compile(r"^ENC\[[A-Z0-9_]+,data:")


@dataclass(frozen=True, slots=True)
class ValuesObject:
    """A ConfigMap or Secret (or generated one) that `substituteFrom` can name."""

    ref: ObjectRef
    location: SourceLocation
    values: Mapping[str, str | None]
    """Key → plaintext value, or None when the value is SOPS-encrypted or unknown."""
    origin: str
    """`configmap`, `secret`, `dotenv` or `clusterenv`."""


@dataclass(frozen=True, slots=True)
class Injection:
    """A `patches` entry of a Flux Kustomization that rewrites its child Kustomizations."""

    selector: str
    """`target.labelSelector`, empty for all."""
    name: str
    """`target.name`, empty for all."""
    post_build: Mapping[str, Any]


@dataclass(slots=True)
class Scope:
    """What one Flux Kustomization substitutes."""

    enabled: bool = False
    """Flux runs substitution only when the Kustomization has `postBuild` (own or injected)."""
    values: dict[str, str | None] = field(default_factory=dict)
    sources: list[ValuesObject] = field(default_factory=list)
    missing: list[ValuesRef] = field(default_factory=list)
    """`substituteFrom` entries found nowhere in the repo (their keys are unknown)."""

    @property
    def complete(self) -> bool:
        """Whether every key the scope may define is known (no missing, non-optional source)."""
        return not any(not m.optional for m in self.missing)


def substitute_known(text: str, values: Mapping[str, str | None]) -> str:
    """Replace references whose value is known; leave the others as written."""
    for reference in reversed(find_references(text)):
        value = values.get(reference.name)
        if reference.enclosing is None and value is not None:
            end = closing_brace(text, reference.column + 1)
            text = text[: reference.column] + value + text[end + 1 :]
    return text


def _known(text: str, values: Mapping[str, str | None]) -> str:
    return substitute_known(text, values) if "${" in text else text


def _known_ref(ref: ObjectRef, values: Mapping[str, str | None]) -> ObjectRef:
    if "${" not in ref.namespace and "${" not in ref.name:
        return ref
    return ObjectRef(ref.kind, _known(ref.namespace, values), _known(ref.name, values))


def _known_refs(
    refs: tuple[ObjectRef, ...], values: Mapping[str, str | None]
) -> tuple[ObjectRef, ...]:
    return tuple(_known_ref(r, values) for r in refs)


def substituted_release(release: HelmRelease, values: Mapping[str, str | None]) -> HelmRelease:
    """A HelmRelease as its Kustomization's substitution renders it: name, namespace, chart,
    version, source and dependsOn with every variable of known value replaced."""
    if not values:
        return release
    return replace(
        release,
        ref=_known_ref(release.ref, values),
        chart=_known(release.chart, values),
        version=_known(release.version, values),
        chart_source=_known_ref(release.chart_source, values) if release.chart_source else None,
        depends_on=_known_refs(release.depends_on, values),
    )


def substituted_kustomization(
    ks: FluxKustomization, values: Mapping[str, str | None]
) -> FluxKustomization:
    """A Flux Kustomization as its parent's substitution renders it (all but `spec.path`,
    which the walk resolves itself, and `postBuild`, which makes the child's own scope)."""
    if not values:
        return ks
    return replace(
        ks,
        ref=_known_ref(ks.ref, values),
        source=_known_ref(ks.source, values) if ks.source else None,
        depends_on=_known_refs(ks.depends_on, values),
        target_namespace=_known(ks.target_namespace, values),
    )


def substituted_origin(origin: ChartOrigin, values: Mapping[str, str | None]) -> ChartOrigin:
    """A chart source as its Kustomization's substitution renders it."""
    if not values:
        return origin
    return replace(
        origin,
        ref=_known_ref(origin.ref, values),
        chart=_known(origin.chart, values),
        version=_known(origin.version, values),
        source=_known_ref(origin.source, values) if origin.source else None,
    )


def _selector_matches(selector: str, labels: Mapping[str, str]) -> bool:
    """Kubernetes label selector subset: `k`, `!k`, `k=v`, `k!=v`, `k in (..)`, `k notin (..)`."""
    for requirement in re.split(r",(?![^()]*\))", selector):
        requirement = requirement.strip()
        if not requirement:
            continue
        set_match = re.match(r"^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$", requirement)
        if set_match:
            key, operator, raw = set_match.groups()
            options = {o.strip() for o in raw.split(",")}
            inside = key in labels and labels[key] in options
            if inside != (operator == "in"):
                return False
            continue
        equality = re.match(r"^([\w./-]+)\s*(!=|==|=)\s*(\S*)$", requirement)
        if equality:
            key, operator, value = equality.groups()
            if (labels.get(key) == value) != (operator != "!="):
                return False
        elif requirement.startswith("!"):
            if requirement[1:] in labels:
                return False
        elif requirement not in labels:
            return False
    return True


def injections_of(doc: Mapping[str, Any]) -> tuple[Injection, ...]:
    """The `spec.patches` of a Flux Kustomization that target Flux Kustomizations and set
    `postBuild` (how clustertool's flux-entry and home-ops' cluster-apps reach every child)."""
    found = []
    for raw in as_list(as_map(doc.get("spec")).get("patches")):
        patch = as_map(raw)
        target = as_map(patch.get("target"))
        if as_str(target.get("kind")) not in ("", "Kustomization"):
            continue
        if as_str(target.get("group")) not in ("", "kustomize.toolkit.fluxcd.io"):
            continue
        body = _parse_patch(as_str(patch.get("patch")))
        post_build = as_map(as_map(body.get("spec")).get("postBuild"))
        if post_build or "postBuild" in as_map(body.get("spec")):
            found.append(
                Injection(
                    as_str(target.get("labelSelector")), as_str(target.get("name")), post_build
                )
            )
    return tuple(found)


def _parse_patch(text: str) -> Mapping[str, Any]:
    loaded = load_documents(text)
    return as_map(loaded.documents[0].data) if loaded.documents else {}


def apply_injections(
    ks: FluxKustomization, injections: tuple[Injection, ...]
) -> tuple[dict[str, str], list[ValuesRef], bool]:
    """The child's effective substitute, substituteFrom and whether it has postBuild.

    Kustomize patches a CRD with JSON-merge semantics: maps merge, lists are replaced.
    """
    substitute = dict(ks.substitute)
    substitute_from = list(ks.substitute_from)
    enabled = ks.has_post_build
    labels = dict(ks.labels)
    for injection in injections:
        if injection.name and injection.name != ks.ref.name:
            continue
        if not _selector_matches(injection.selector, labels):
            continue
        enabled = True
        substitute.update(
            {str(k): as_str(v) for k, v in as_map(injection.post_build.get("substitute")).items()}
        )
        if "substituteFrom" in injection.post_build:
            substitute_from = [
                ValuesRef(
                    as_str(as_map(e).get("kind"), "ConfigMap"),
                    as_str(as_map(e).get("name")),
                    as_map(e).get("optional") is True,
                )
                for e in as_list(injection.post_build.get("substituteFrom"))
            ]
    return substitute, substitute_from, enabled
