"""Why-not-ready: dependsOn followed to the first ancestor failing on its own."""

from __future__ import annotations

from tuiops.domain.feed import FeedState, FeedStatus
from tuiops.domain.live import LiveObject
from tuiops.domain.refs import ObjectRef
from tuiops.domain.root_cause import find_root_cause
from tuiops.domain.status import Condition, ConditionStatus


def _hr(name: str, ready: str, reason: str, message: str, *deps: str) -> LiveObject:
    return LiveObject(
        ref=ObjectRef("HelmRelease", "apps", name),
        api_version="helm.toolkit.fluxcd.io/v2",
        conditions=(Condition("Ready", ConditionStatus.parse(ready), reason, message),),
        depends_on=tuple(ObjectRef("HelmRelease", "apps", dep) for dep in deps),
    )


def _index(*objects: LiveObject) -> dict[ObjectRef, LiveObject]:
    return {obj.ref: obj for obj in objects}


def test_chain_ends_at_the_first_object_failing_on_its_own() -> None:
    objects = _index(
        _hr("db", "False", "UpgradeFailed", "immutable field"),
        _hr("api", "False", "DependencyNotReady", "dependency 'apps/db' is not ready", "db"),
        _hr("web", "False", "DependencyNotReady", "dependency 'apps/api' is not ready", "api"),
    )
    cause = find_root_cause(ObjectRef("HelmRelease", "apps", "web"), objects)
    assert [ref.name for ref in cause.chain] == ["web", "api", "db"]
    assert cause.cause is not None and cause.cause.ref.name == "db"
    assert cause.message == "immutable field"


def test_the_first_not_ready_dependency_is_followed() -> None:
    objects = _index(
        _hr("ok", "True", "InstallSucceeded", ""),
        _hr("bad", "False", "InstallFailed", "boom"),
        _hr("app", "False", "DependencyNotReady", "x", "ok", "bad"),
    )
    cause = find_root_cause(ObjectRef("HelmRelease", "apps", "app"), objects)
    assert cause.cause is not None and cause.cause.ref.name == "bad"


def test_missing_dependency_is_the_cause() -> None:
    objects = _index(_hr("app", "False", "DependencyNotReady", "x", "ghost"))
    ref = ObjectRef("HelmRelease", "apps", "app")
    listed = (FeedStatus("HelmRelease", FeedState.LIVE, listed=True),)
    cause = find_root_cause(ref, objects, listed)
    assert cause.missing == ObjectRef("HelmRelease", "apps", "ghost")
    assert cause.message == "HelmRelease/apps/ghost: not in the cluster"


def test_absence_is_not_claimed_before_a_list_succeeded() -> None:
    objects = _index(_hr("app", "False", "DependencyNotReady", "x", "ghost"))
    ref = ObjectRef("HelmRelease", "apps", "app")
    for feeds in ((), (FeedStatus("HelmRelease", FeedState.UNREACHABLE),)):
        message = find_root_cause(ref, objects, feeds).message
        assert "not in the cluster" not in message and "not known yet" in message


def test_cycle_stops_and_ready_object_has_no_cause() -> None:
    objects = _index(
        _hr("a", "False", "DependencyNotReady", "x", "b"),
        _hr("b", "False", "DependencyNotReady", "x", "a"),
        _hr("fine", "True", "InstallSucceeded", "ok"),
    )
    looped = find_root_cause(ObjectRef("HelmRelease", "apps", "a"), objects)
    assert [ref.name for ref in looped.chain] == ["a", "b"]
    fine = find_root_cause(ObjectRef("HelmRelease", "apps", "fine"), objects)
    assert fine.cause is None and fine.message == ""
