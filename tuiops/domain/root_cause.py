"""Why is it not ready? Follow dependsOn to the first failing ancestor (flux2 #4685,
capacitor #62): the object whose own failure, not a dependency's, blocks the chain."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tuiops.domain.feed import FeedStatus, absence_text
from tuiops.domain.live import LiveObject
from tuiops.domain.refs import ObjectRef
from tuiops.domain.status import Health


@dataclass(frozen=True, slots=True)
class RootCause:
    """The dependsOn chain from an object up to the first ancestor failing on its own."""

    chain: tuple[ObjectRef, ...]
    """The object first, then each dependency followed, ending at the cause (if found)."""
    cause: LiveObject | None
    """The first ancestor that is not ready for its own reasons; None when all are fine."""
    missing: ObjectRef | None = None
    """A dependency absent from the live view (itself a cause)."""
    absence: str = ""
    """What that absence means: "not in the cluster" only after a list of its kind
    succeeded, else "not known yet (…)" (`domain.feed.absence_text`)."""

    @property
    def message(self) -> str:
        if self.missing is not None:
            return f"{self.missing}: {self.absence or 'not in the live view'}"
        if self.cause is None:
            return ""
        return self.cause.message


def _blocking_dependency(
    live: LiveObject, objects: Mapping[ObjectRef, LiveObject]
) -> tuple[ObjectRef | None, bool]:
    """The first dependency that is not ready, and whether it is missing altogether."""
    for dependency in live.depends_on:
        # dependsOn names an object of the same kind (Kustomization → Kustomization).
        ref = ObjectRef(live.ref.kind, dependency.namespace, dependency.name)
        found = objects.get(ref)
        if found is None:
            return ref, True
        if found.health is not Health.READY:
            return ref, False
    return None, False


def find_root_cause(
    ref: ObjectRef,
    objects: Mapping[ObjectRef, LiveObject],
    feeds: Iterable[FeedStatus] = (),
) -> RootCause:
    """Walk dependsOn from `ref` while the object only waits on a dependency.

    Stops at the first object that fails for its own reason, at a missing dependency, or at a
    cycle (reported as the object where the cycle closes).

    Args:
        ref: The object asked about.
        objects: The live view.
        feeds: The feeds of that view, which say whether an absence is known.
    """
    feeds = tuple(feeds)
    chain: list[ObjectRef] = [ref]
    current = objects.get(ref)
    if current is None:
        return RootCause((ref,), None, missing=ref, absence=absence_text(ref.kind, feeds))
    while True:
        if current.health is Health.READY:
            return RootCause(tuple(chain), None)
        blocking, missing = _blocking_dependency(current, objects)
        if blocking is None or not current.waiting_on_dependency:
            if blocking is not None and missing:
                chain.append(blocking)
                absence = absence_text(blocking.kind, feeds)
                return RootCause(tuple(chain), None, missing=blocking, absence=absence)
            return RootCause(tuple(chain), current)
        if blocking in chain:
            return RootCause(tuple(chain), current)
        chain.append(blocking)
        if missing:
            absence = absence_text(blocking.kind, feeds)
            return RootCause(tuple(chain), None, missing=blocking, absence=absence)
        current = objects[blocking]
