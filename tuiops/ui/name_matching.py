"""How a typed word matches names, for the `:` line (`command_line.py`): in tiers, exact,
prefix, part of the name, then the letters in order ("fuzzy": `nfd` finds
node-feature-discovery), and the name a user types for an object (bare, or `ns/name` when
another object of its kind shares the name).

Apart from the command line's words and outcomes because it knows nothing of commands: it
ranks command words and object names alike.
"""

from __future__ import annotations

from collections.abc import Iterable

from tuiops.domain.refs import ObjectRef


def rank(query: str, candidates: Iterable[str]) -> list[tuple[int, str]]:
    """Candidates that match `query` with their tier (0 exact, 1 prefix, 2 substring,
    3 subsequence), best first; within a tier shorter gaps first, then alphabetical."""
    wanted = query.lower()
    found: list[tuple[int, int, str]] = []
    for candidate in candidates:
        text = candidate.lower()
        if text == wanted:
            found.append((0, 0, candidate))
        elif text.startswith(wanted):
            found.append((1, 0, candidate))
        elif wanted in text:
            found.append((2, text.index(wanted), candidate))
        else:
            spread = _subsequence_spread(wanted, text)
            if spread is not None:
                found.append((3, spread, candidate))
    found.sort()
    return [(tier, candidate) for tier, _spread, candidate in found]


def _subsequence_spread(wanted: str, text: str) -> int | None:
    """How many characters of `text` the letters of `wanted` span in order (None: they do
    not all appear in order)."""
    start = position = -1
    for letter in wanted:
        position = text.find(letter, position + 1)
        if position < 0:
            return None
        if start < 0:
            start = position
    return position - start + 1 if wanted else 0


def typed_name(ref: ObjectRef, refs: tuple[ObjectRef, ...]) -> str:
    """The name a user types for `ref`: bare when no other object of its kind shares it."""
    shared = sum(1 for other in refs if other.name == ref.name)
    return ref.namespaced_name if shared > 1 else ref.name


def by_name(ref: ObjectRef) -> tuple[str, str]:
    """Sort key: by name, then namespace (the order completions list objects in)."""
    return (ref.name, ref.namespace)


def name_matches(word: str, refs: tuple[ObjectRef, ...]) -> list[tuple[int, ObjectRef]]:
    """Objects whose name (or `ns/name` when the word has a slash) matches, best first."""
    by_text: dict[str, list[ObjectRef]] = {}
    for ref in refs:
        by_text.setdefault(ref.namespaced_name if "/" in word else ref.name, []).append(ref)
    return [
        (tier, ref)
        for tier, text in rank(word, by_text)
        for ref in sorted(by_text[text], key=by_name)
    ]
