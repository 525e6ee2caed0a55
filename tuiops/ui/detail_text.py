"""The sections of the Detail screen as Textual Content, built from domain objects only (pure,
so they are tested without a running app). All cluster text goes through `cluster_text`: made
inert and held as Content, which never reads markup. Colours are `Tone`s, resolved against the
theme when the page is drawn.

A section's heading is its own span: only the title is bold and underlined, never the body
under it (a Rich Text built as `Text(title, style=...)` styles everything appended to it).
"""

from __future__ import annotations

from datetime import UTC, datetime

from textual.content import Content

from tuiops.domain.age import age_of, parse_time
from tuiops.domain.charts import VERSION_KIND_LABEL, chart_drift, version_kind
from tuiops.domain.events import Event
from tuiops.domain.live import LiveObject
from tuiops.domain.overview import AppRow
from tuiops.domain.refs import ObjectRef
from tuiops.domain.repo import Cluster
from tuiops.domain.root_cause import RootCause
from tuiops.domain.status import (
    PROGRESSING_WITH_RETRY,
    READY,
    RECONCILING,
    STALLED,
    Condition,
    ConditionStatus,
)
from tuiops.domain.workloads import ObjectReadiness, Readiness, ReleaseObjects
from tuiops.services.console_state import offline_detail
from tuiops.ui.tables import HEALTH_GLYPH, HEALTH_TONE, NOT_IN_VIEW, cluster_text
from tuiops.ui.tones import Tone

Part = str | Content | tuple[str, str]
"""What `Content.assemble` joins: plain text, Content, or (text, style)."""

MAX_EVENTS = 10
MAX_RELEASE_OBJECTS = 15
"""Not-ready (and unknown) objects listed before `… N more`."""
READINESS_GLYPH = {Readiness.NOT_READY: ("✗", Tone.BAD), Readiness.UNKNOWN: ("?", Tone.WARN)}

POSITIVE_CONDITIONS = frozenset(
    {READY, "Healthy", "Released", "TestSuccess", "SourceVerified", "ArtifactInStorage"}
)
"""Conditions whose True is the state wanted (Flux's "normal-true" types)."""
ABNORMAL_TRUE_TONE = {
    STALLED: Tone.BAD,
    "FetchFailed": Tone.BAD,
    "BuildFailed": Tone.BAD,
    "StorageOperationFailed": Tone.BAD,
    RECONCILING: Tone.WARN,
    "ArtifactOutdated": Tone.WARN,
    "Remediated": Tone.WARN,
}
"""Conditions present (or True) only while something is wrong or under way, with the tone
of their True: Flux's "abnormal-true" types (Stalled=True is a terminal failure)."""
TERMINAL_REASONS = frozenset({"RetriesExceeded", "MissingRollbackTarget"})
"""Reasons that mean the controller gave up on this spec, whatever the condition's type."""


def condition_tone(condition: Condition) -> Tone:
    """The tone of a condition's status, following its polarity.

    True is good only for the conditions whose True is the wanted state (Ready, Healthy,
    Released…); for Stalled and the other abnormal-true types True is the problem. A
    condition this console does not know is never shown as good: its True and False are
    muted, since which of them is wanted is unknown.

    Args:
        condition: One entry of `status.conditions`.

    Returns:
        The tone to draw its status in.
    """
    if condition.reason in TERMINAL_REASONS and not (
        condition.type in POSITIVE_CONDITIONS and condition.is_true
    ):
        return Tone.BAD
    if condition.status is ConditionStatus.UNKNOWN:
        return Tone.WARN
    if condition.type == RECONCILING and condition.reason == PROGRESSING_WITH_RETRY:
        # The last attempt on this spec failed and the controller waits to retry: the
        # health verdict calls this failed too (`domain/status.health_of`, rule 4).
        return Tone.BAD if condition.is_true else Tone.MUTED
    if condition.type in ABNORMAL_TRUE_TONE:
        return ABNORMAL_TRUE_TONE[condition.type] if condition.is_true else Tone.MUTED
    if condition.type in POSITIVE_CONDITIONS:
        return Tone.GOOD if condition.is_true else Tone.BAD
    return Tone.MUTED


def _heading(title: str) -> list[Part]:
    """A section's parts, starting with its title (the only part with the heading style)."""
    return [(title, Tone.HEADING)]


def _line(label: str, value: str, tone: Tone | None = None) -> Content:
    """`label: value`, the label strong, the value inert and (optionally) in a tone."""
    return Content.assemble((f"{label}: ", Tone.STRONG), cluster_text(value or "-", tone=tone))


def header_text(ref: ObjectRef, live: LiveObject | None, absence: str = NOT_IN_VIEW) -> Content:
    """The title line: health glyph, kind, namespace/name, suspended/absent badges.

    Args:
        ref: The object shown.
        live: Its live state, None when the live view does not have it.
        absence: What that absence means (`ConsoleState.absence`).

    Returns:
        One line of content.
    """
    parts: list[Part] = []
    if live is not None:
        parts.append((HEALTH_GLYPH[live.health] + " ", HEALTH_TONE[live.health]))
    parts += [(f"{ref.kind} ", Tone.STRONG), cluster_text(ref.namespaced_name)]
    if live is None:
        parts.append((f"  · {absence}", Tone.MUTED))
    else:
        parts.append((f"  {live.health.value}", HEALTH_TONE[live.health]))
        if live.suspended:
            parts.append(("  SUSPENDED", f"{Tone.STRONG} {Tone.PAUSED}"))
    return Content.assemble(*parts)


def conditions_text(live: LiveObject | None) -> Content:
    """`type status reason: message` per condition, the status in its polarity's tone."""
    parts = _heading("Conditions")
    if live is None or not live.conditions:
        parts.append(("\n  none reported", Tone.MUTED))
    for cond in live.conditions if live else ():
        parts += ["\n  ", cluster_text(cond.type), (f" {cond.status.value} ", condition_tone(cond))]
        parts.append(cluster_text(cond.reason or "-"))
        if cond.message:
            parts += [": ", cluster_text(cond.message, limit=500)]
    return Content.assemble(*parts)


def release_culprit(cause: RootCause, ref: ObjectRef, release: object) -> ObjectReadiness | None:
    """When `ref` fails on its own and its Helm release's objects explain why: the first of
    them that is not ready (a missing ServiceAccount, a ReplicaSet that cannot create pods).

    Args:
        cause: The dependsOn walk from `ref`.
        ref: The object shown.
        release: Its release's objects as read (`ReleaseObjects`), or anything else when they
            were not read (loading, an error text, not a HelmRelease).
    """
    if not isinstance(release, ReleaseObjects) or cause.cause is None:
        return None
    if cause.cause.ref != ref:
        return None  # the culprit is an ancestor: its own release was not read here
    return next(iter(release.not_ready), None)


def root_cause_text(cause: RootCause, ref: ObjectRef, release: object = None) -> Content:
    """The dependsOn chain with the first failing ancestor and its message; when the object
    fails on its own and its release's objects say why, that object and its reason."""
    parts = _heading("Root cause")
    if cause.cause is None and cause.missing is None and cause.absence:
        parts.append((f"\n  {cause.absence}", Tone.MUTED))  # offline: nobody knows
        return Content.assemble(*parts)
    if cause.cause is None and cause.missing is None:
        parts.append(("\n  ready: nothing to explain", Tone.GOOD))
        return Content.assemble(*parts)
    parts.append("\n  ")
    for index, step in enumerate(cause.chain):
        if index:
            parts.append(" → ")
        failing = (cause.cause is not None and step == cause.cause.ref) or step == cause.missing
        parts.append(cluster_text(step.name, tone=Tone.BAD if failing else None))
    culprit = cause.missing or (cause.cause.ref if cause.cause else ref)
    parts += [("\n  first failing: ", Tone.STRONG), cluster_text(str(culprit))]
    if culprit != ref:
        parts.append(("  (r: open)", Tone.MUTED))
    parts += ["\n  ", cluster_text(cause.message or "no message", limit=800)]
    culprit_object = release_culprit(cause, ref, release)
    if culprit_object is not None:
        parts += [("\n  in its release: ", Tone.STRONG), cluster_text(str(culprit_object.ref))]
        parts += ["\n  ", cluster_text(culprit_object.reason, limit=400, tone=Tone.BAD)]
    return Content.assemble(*parts)


def when(timestamp: str, now: datetime | None) -> str:
    """An RFC3339 moment as its age and exact UTC time, `5m (2025-11-25 10:05:00)`; only the
    time without `now`, `-` when there is none, the text itself when it does not parse."""
    moment = parse_time(timestamp) if timestamp else None
    if moment is None:
        return timestamp or "-"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    exact = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    age = age_of(timestamp, now) if now is not None else ""
    return f"{age} ({exact})" if age else exact


def events_text(events: tuple[Event, ...] | str | None, now: datetime | None = None) -> Content:
    """The newest events (each with its age at `now` and exact time), a loading line (None)
    or an error line (str)."""
    parts = _heading("Events")
    if events is None:
        parts.append(("\n  loading…", Tone.MUTED))
        return Content.assemble(*parts)
    if isinstance(events, str) and events.startswith("offline"):
        detail = offline_detail(events)
        offline = f"offline ({detail})" if detail else "offline"
        parts += [("\n  unknown · ", Tone.MUTED), cluster_text(offline, tone=Tone.MUTED)]
        return Content.assemble(*parts)
    if isinstance(events, str):
        parts += [("\n  could not read events: ", Tone.BAD), cluster_text(events, limit=300)]
        return Content.assemble(*parts)
    if not events:
        parts.append(("\n  none", Tone.MUTED))
    newest = sorted(events, key=lambda event: event.last_timestamp, reverse=True)
    for event in newest[:MAX_EVENTS]:
        tone = Tone.WARN if event.is_warning else Tone.MUTED
        parts += ["\n  ", cluster_text(when(event.last_timestamp, now))]
        parts += [(f" {event.type.value:<7} ", tone), cluster_text(event.reason)]
        if event.count > 1:
            parts.append(f" x{event.count}")
        parts += [" ", cluster_text(f"[{event.involved.kind}/{event.involved.name}]")]
        parts += [" ", cluster_text(event.message, limit=300)]
    return Content.assemble(*parts)


def source_text(
    live: LiveObject | None, row: AppRow | None, objects: dict[ObjectRef, LiveObject]
) -> Content:
    """The source and its revision, and the repo file:line the object came from."""
    parts = _heading("Source")
    origin = str(row.location) if row and row.location else "not in the repo"
    parts += ["\n  ", _line("repo", origin)]
    if live is None:
        return Content.assemble(*parts)
    if live.source is not None:
        source = objects.get(live.source)
        revision = source.artifact_revision if source else "unknown (sources are not watched)"
        parts += ["\n  ", _line("source", str(live.source))]
        parts += ["\n  ", _line("source revision", revision)]
    if live.ref.kind == "Kustomization":
        parts += ["\n  ", _line("path", live.path)]
        parts += ["\n  ", _line("applied", live.last_applied_revision)]
        if live.last_attempted_revision != live.last_applied_revision:
            parts += ["\n  ", _line("attempted", live.last_attempted_revision, Tone.WARN)]
    return Content.assemble(*parts)


def helm_text(
    live: LiveObject | None, row: AppRow | None, absence: str = NOT_IN_VIEW
) -> Content | None:
    """Chart, applied vs desired version, release and failures; for a HelmRelease the cluster
    does not have, the version the repo asks for. None for other kinds."""
    kind = live.ref.kind if live is not None else row.ref.kind if row is not None else ""
    if kind != "HelmRelease":
        return None
    parts = _heading("Helm")
    desired = _desired_version(row.desired_version if row else "")
    if live is None:
        parts += ["\n  ", _line("desired version", desired)]
        parts.append((f"\n  {absence}", Tone.MUTED))
        return Content.assemble(*parts)
    fields = (
        ("chart", live.chart_name),
        ("applied version", live.applied_version),
        ("desired version", desired or live.chart_version),
        ("last attempted", live.last_attempted_revision),
        ("release", f"{live.storage_namespace or live.ref.namespace}/{live.release_name}"),
    )
    drift = row is not None and chart_drift(live.applied_version, row.desired_version)
    for label, value in fields:
        tone = Tone.WARN if drift and label == "desired version" else None
        parts += ["\n  ", _line(label, value, tone)]
    failures = f"{live.failures} (install {live.install_failures}, upgrade {live.upgrade_failures})"
    parts += ["\n  ", _line("failures", failures, Tone.BAD if live.failures else None)]
    return Content.assemble(*parts)


def _desired_version(version: str) -> str:
    """The repo's version, saying what it is when it is not a pinned one."""
    label = VERSION_KIND_LABEL.get(version_kind(version))
    return f"{version} ({label})" if label else version


def variables_text(ref: ObjectRef, row: AppRow | None, cluster: Cluster | None) -> Content:
    """The `${VARS}` the object uses (undefined ones flagged bad), else the postBuild keys of
    the Kustomization that builds it."""
    parts = _heading("Variables")
    if cluster is None:
        parts.append(("\n  no repo model", Tone.MUTED))
        return Content.assemble(*parts)
    file = row.location.file if row and row.location else None
    report = cluster.variables
    uses = [use for var in report.variables for use in var.uses] + list(report.undefined)
    defined: dict[str, bool] = {}
    for use in uses:
        if use.consumer == ref or (file is not None and use.location.file == file):
            defined[use.name] = defined.get(use.name, True) and use.defined
    listed = len(parts)
    for name in sorted(defined):
        parts += ["\n  ", cluster_text("${" + name + "}")]
        if not defined[name]:
            parts.append(("  undefined", Tone.BAD))
    for component in cluster.all_components():
        refs = {k.ref for k in component.kustomizations} | {h.ref for h in component.helm_releases}
        if ref not in refs:
            continue
        for kustomization in component.kustomizations:
            keys = ", ".join(key for key, _ in kustomization.substitute)
            sources = ", ".join(f"{v.kind}/{v.name}" for v in kustomization.substitute_from)
            parts += ["\n  ", _line(f"{kustomization.ref.name} substitute", keys)]
            parts += ["\n  ", _line(f"{kustomization.ref.name} substituteFrom", sources)]
    if len(parts) == listed:
        parts.append(("\n  none", Tone.MUTED))
    return Content.assemble(*parts)


def wants_release_objects(live: LiveObject | None) -> bool:
    """True for a HelmRelease that is not Ready: the one case the release objects are read."""
    if live is None or live.ref.kind != "HelmRelease":
        return False
    return live.ready is None or not live.ready.is_true


def release_objects_text(objects: ReleaseObjects | str | None) -> Content:
    """The objects of a not-ready HelmRelease's release that are not ready, each with why;
    a loading line (None), an error line (str), or `all N objects ready`.

    Args:
        objects: What `ObjectDetails.release_objects` answered, None while it loads, or the
            text of the error it raised.

    Returns:
        The section content.
    """
    parts = _heading("Not ready in the release")
    if objects is None:
        parts.append(("\n  loading…", Tone.MUTED))
        return Content.assemble(*parts)
    if isinstance(objects, str) or objects.note:
        note = objects if isinstance(objects, str) else objects.note
        parts.append(("\n  could not read the release objects: ", Tone.BAD))
        parts.append(cluster_text(note, limit=300))
        return Content.assemble(*parts)
    parts += ["  ", cluster_text(objects.release)]
    listed = (*objects.not_ready, *objects.unknown)
    total = len(objects.objects)
    if not total:
        parts.append(("\n  the manifest names no objects", Tone.MUTED))
    elif not objects.not_ready:
        ready = total - len(objects.unknown)
        words = f"all {total} objects ready" if ready == total else f"{ready} of {total} ready"
        parts.append((f"\n  {words}", Tone.GOOD))
    for item in listed[:MAX_RELEASE_OBJECTS]:
        glyph, tone = READINESS_GLYPH[item.readiness]
        parts += [(f"\n  {glyph} ", tone), (f"{item.ref.kind} ", Tone.STRONG)]
        parts += [cluster_text(item.ref.namespaced_name), ": "]
        parts.append(cluster_text(item.reason or item.readiness.value, limit=600))
    if len(listed) > MAX_RELEASE_OBJECTS:
        parts.append((f"\n  … {len(listed) - MAX_RELEASE_OBJECTS} more", Tone.MUTED))
    if objects.not_ready:
        ready = sum(1 for item in objects.objects if item.ready)
        parts.append((f"\n  {ready} of {len(objects.objects)} objects ready", Tone.MUTED))
    if objects.unreadable_documents:
        count = objects.unreadable_documents
        parts.append((f"\n  {count} manifest documents not understood", Tone.MUTED))
    return Content.assemble(*parts)
