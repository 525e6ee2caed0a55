"""The one kinds table agrees with what the simulated API server serves (the Flux 2.7.5 CRD
summary and kubectl's built-in kinds), so a word typed, a path requested and a short name
shown all name the same thing."""

from __future__ import annotations

import pytest

from tuiops.domain.kinds import ALL_KINDS, ApiKind, api_kind, is_applier, kind_for_word
from tuiops.sim.apiserver.resources import type_for_kind


@pytest.mark.parametrize("kind", ALL_KINDS, ids=lambda kind: kind.kind)
def test_kind_matches_the_served_type(kind: ApiKind) -> None:
    served = type_for_kind(kind.kind)
    assert (served.group, served.plural, served.namespaced) == (
        kind.group,
        kind.plural,
        kind.namespaced,
    )
    assert served.versions[0] == kind.version  # the storage version
    assert served.singular == kind.singular
    if kind.flux_word:  # Flux kinds: the CRDs' own short names
        assert kind.short_names == served.short_names


def test_words_people_type() -> None:
    for word, kind in (
        ("hr", "HelmRelease"),
        ("HelmReleases", "HelmRelease"),
        ("ks", "Kustomization"),
        ("rs", "ReplicaSet"),
    ):
        found = kind_for_word(word)
        assert found is not None and found.kind == kind, word
    assert kind_for_word("helm") is None
    assert api_kind("ReplicaSet").plural == "replicasets"


def test_appliers_are_the_listed_kinds() -> None:
    assert [kind.kind for kind in ALL_KINDS if is_applier(kind.kind)] == [
        "Kustomization",
        "HelmRelease",
    ]
