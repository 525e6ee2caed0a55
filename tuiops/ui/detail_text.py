"""The sections of the Detail screen as Rich Text, built from domain objects only (pure, so
they are tested without a running app). All cluster text goes through `cluster_text`: made
inert and shown as Text, never parsed as markup."""

from __future__ import annotations

from rich.text import Text

from tuiops.domain.charts import VERSION_KIND_LABEL, chart_drift, version_kind
from tuiops.domain.events import Event
from tuiops.domain.live import LiveObject
from tuiops.domain.overview import AppRow
from tuiops.domain.refs import ObjectRef
from tuiops.domain.repo import Cluster
from tuiops.domain.workloads import Readiness, ReleaseObjects
from tuiops.services.root_cause import RootCause
from tuiops.ui.tables import HEALTH_GLYPH, HEALTH_STYLE, cluster_text

MAX_EVENTS = 10
MAX_RELEASE_OBJECTS = 15
"""Not-ready (and unknown) objects listed before `… N more`."""
READINESS_GLYPH = {Readiness.NOT_READY: ("✗", "bold red"), Readiness.UNKNOWN: ("?", "yellow")}


def _heading(title: str) -> Text:
    return Text(title, style="bold underline")


def _line(label: str, value: str, style: str = "") -> Text:
    text = Text(f"{label}: ", style="bold")
    text.append_text(cluster_text(value or "-"))
    if style:
        text.stylize(style, len(label) + 2)
    return text


def header_text(ref: ObjectRef, live: LiveObject | None) -> Text:
    """The title line: health glyph, kind, namespace/name, suspended/absent badges.

    Args:
        ref: The object shown.
        live: Its live state, None when the cluster does not have it.

    Returns:
        One line of styled text.
    """
    text = Text()
    if live is not None:
        text.append(HEALTH_GLYPH[live.health] + " ", style=HEALTH_STYLE[live.health])
    text.append(f"{ref.kind} ", style="bold")
    text.append_text(cluster_text(ref.namespaced_name))
    if live is None:
        text.append("  (not in the cluster)", style="dim")
    else:
        text.append(f"  {live.health.value}", style=HEALTH_STYLE[live.health])
        if live.suspended:
            text.append("  SUSPENDED", style="bold magenta")
    return text


def conditions_text(live: LiveObject | None) -> Text:
    """`type status reason: message` per condition."""
    text = _heading("Conditions")
    if live is None or not live.conditions:
        text.append("\n  none reported", style="dim")
    for cond in live.conditions if live else ():
        style = "green" if cond.is_true else "red" if cond.is_false else "yellow"
        text.append("\n  ")
        text.append_text(cluster_text(cond.type))
        text.append(f" {cond.status.value} ", style=style)
        text.append_text(cluster_text(cond.reason or "-"))
        if cond.message:
            text.append(": ")
            text.append_text(cluster_text(cond.message, limit=500))
    return text


def root_cause_text(cause: RootCause, ref: ObjectRef) -> Text:
    """The dependsOn chain with the first failing ancestor and its message."""
    text = _heading("Root cause")
    if cause.cause is None and cause.missing is None:
        text.append("\n  ready: nothing to explain", style="green")
        return text
    text.append("\n  ")
    for index, step in enumerate(cause.chain):
        if index:
            text.append(" → ")
        failing = (cause.cause is not None and step == cause.cause.ref) or step == cause.missing
        name = cluster_text(step.name)
        if failing:
            name.stylize("bold red")
        text.append_text(name)
    culprit = cause.missing or (cause.cause.ref if cause.cause else ref)
    text.append("\n  first failing: ", style="bold")
    text.append_text(cluster_text(str(culprit)))
    if culprit != ref:
        text.append("  (r: open)", style="dim")
    text.append("\n  ")
    text.append_text(cluster_text(cause.message or "no message", limit=800))
    return text


def events_text(events: tuple[Event, ...] | str | None) -> Text:
    """The newest events, a loading line (None) or an error line (str)."""
    text = _heading("Events")
    if events is None:
        text.append("\n  loading…", style="dim")
        return text
    if isinstance(events, str):
        text.append("\n  could not read events: ", style="red")
        text.append_text(cluster_text(events, limit=300))
        return text
    if not events:
        text.append("\n  none", style="dim")
    newest = sorted(events, key=lambda event: event.last_timestamp, reverse=True)
    for event in newest[:MAX_EVENTS]:
        text.append("\n  ")
        text.append_text(cluster_text(event.last_timestamp or "-"))
        text.append(f" {event.type.value:<7} ", style="yellow" if event.is_warning else "dim")
        text.append_text(cluster_text(event.reason))
        if event.count > 1:
            text.append(f" x{event.count}")
        text.append(" ")
        text.append_text(cluster_text(f"[{event.involved.kind}/{event.involved.name}]"))
        text.append(" ")
        text.append_text(cluster_text(event.message, limit=300))
    return text


def source_text(
    live: LiveObject | None, row: AppRow | None, objects: dict[ObjectRef, LiveObject]
) -> Text:
    """The source and its revision, and the repo file:line the object came from."""
    text = _heading("Source")
    origin = str(row.location) if row and row.location else "not in the repo"
    text.append("\n  ")
    text.append_text(_line("repo", origin))
    if live is None:
        return text
    if live.source is not None:
        source = objects.get(live.source)
        revision = source.artifact_revision if source else "unknown (sources are not watched)"
        text.append("\n  ")
        text.append_text(_line("source", str(live.source)))
        text.append("\n  ")
        text.append_text(_line("source revision", revision))
    if live.ref.kind == "Kustomization":
        text.append("\n  ")
        text.append_text(_line("path", live.path))
        text.append("\n  ")
        text.append_text(_line("applied", live.last_applied_revision))
        if live.last_attempted_revision != live.last_applied_revision:
            text.append("\n  ")
            text.append_text(_line("attempted", live.last_attempted_revision, "yellow"))
    return text


def helm_text(live: LiveObject | None, row: AppRow | None) -> Text | None:
    """Chart, applied vs desired version, release and failures; for a HelmRelease the cluster
    does not have, the version the repo asks for. None for other kinds."""
    kind = live.ref.kind if live is not None else row.ref.kind if row is not None else ""
    if kind != "HelmRelease":
        return None
    text = _heading("Helm")
    desired = _desired_version(row.desired_version if row else "")
    if live is None:
        text.append("\n  ")
        text.append_text(_line("desired version", desired))
        text.append("\n  not in the cluster", style="dim")
        return text
    fields = (
        ("chart", live.chart_name),
        ("applied version", live.applied_version),
        ("desired version", desired or live.chart_version),
        ("last attempted", live.last_attempted_revision),
        ("release", f"{live.storage_namespace or live.ref.namespace}/{live.release_name}"),
    )
    drift = row is not None and chart_drift(live.applied_version, row.desired_version)
    for label, value in fields:
        text.append("\n  ")
        style = "bold yellow" if drift and label == "desired version" else ""
        text.append_text(_line(label, value, style))
    text.append("\n  ")
    failures = f"{live.failures} (install {live.install_failures}, upgrade {live.upgrade_failures})"
    text.append_text(_line("failures", failures, "red" if live.failures else ""))
    return text


def _desired_version(version: str) -> str:
    """The repo's version, saying what it is when it is not a pinned one."""
    label = VERSION_KIND_LABEL.get(version_kind(version))
    return f"{version} ({label})" if label else version


def variables_text(ref: ObjectRef, row: AppRow | None, cluster: Cluster | None) -> Text:
    """The `${VARS}` the object uses (undefined ones in red), else the postBuild keys of the
    Kustomization that builds it."""
    text = _heading("Variables")
    if cluster is None:
        text.append("\n  no repo model", style="dim")
        return text
    file = row.location.file if row and row.location else None
    report = cluster.variables
    uses = [use for var in report.variables for use in var.uses] + list(report.undefined)
    defined: dict[str, bool] = {}
    for use in uses:
        if use.consumer == ref or (file is not None and use.location.file == file):
            defined[use.name] = defined.get(use.name, True) and use.defined
    for name in sorted(defined):
        text.append("\n  ")
        text.append_text(cluster_text("${" + name + "}"))
        if not defined[name]:
            text.append("  undefined", style="bold red")
    for component in cluster.all_components():
        refs = {k.ref for k in component.kustomizations} | {h.ref for h in component.helm_releases}
        if ref not in refs:
            continue
        for kustomization in component.kustomizations:
            keys = ", ".join(key for key, _ in kustomization.substitute)
            sources = ", ".join(f"{v.kind}/{v.name}" for v in kustomization.substitute_from)
            text.append("\n  ")
            text.append_text(_line(f"{kustomization.ref.name} substitute", keys))
            text.append("\n  ")
            text.append_text(_line(f"{kustomization.ref.name} substituteFrom", sources))
    if len(text.plain) == len("Variables"):
        text.append("\n  none", style="dim")
    return text


def wants_release_objects(live: LiveObject | None) -> bool:
    """True for a HelmRelease that is not Ready: the one case the release objects are read."""
    if live is None or live.ref.kind != "HelmRelease":
        return False
    return live.ready is None or not live.ready.is_true


def release_objects_text(objects: ReleaseObjects | str | None) -> Text:
    """The objects of a not-ready HelmRelease's release that are not ready, each with why;
    a loading line (None), an error line (str), or `all N objects ready`.

    Args:
        objects: What `ObjectDetails.release_objects` answered, None while it loads, or the
            text of the error it raised.

    Returns:
        The section text.
    """
    text = _heading("Not ready in the release")
    if objects is None:
        text.append("\n  loading…", style="dim")
        return text
    if isinstance(objects, str) or objects.note:
        note = objects if isinstance(objects, str) else objects.note
        text.append("\n  could not read the release objects: ", style="red")
        text.append_text(cluster_text(note, limit=300))
        return text
    text.append("  ")
    text.append_text(cluster_text(objects.release))
    listed = (*objects.not_ready, *objects.unknown)
    total = len(objects.objects)
    if not total:
        text.append("\n  the manifest names no objects", style="dim")
    elif not objects.not_ready:
        ready = total - len(objects.unknown)
        words = f"all {total} objects ready" if ready == total else f"{ready} of {total} ready"
        text.append(f"\n  {words}", style="green")
    for item in listed[:MAX_RELEASE_OBJECTS]:
        glyph, style = READINESS_GLYPH[item.readiness]
        text.append(f"\n  {glyph} ", style=style)
        text.append(f"{item.ref.kind} ", style="bold")
        text.append_text(cluster_text(item.ref.namespaced_name))
        text.append(": ")
        text.append_text(cluster_text(item.reason or item.readiness.value, limit=600))
    if len(listed) > MAX_RELEASE_OBJECTS:
        text.append(f"\n  … {len(listed) - MAX_RELEASE_OBJECTS} more", style="dim")
    if objects.not_ready:
        ready = sum(1 for item in objects.objects if item.ready)
        text.append(f"\n  {ready} of {len(objects.objects)} objects ready", style="dim")
    if objects.unreadable_documents:
        count = objects.unreadable_documents
        text.append(f"\n  {count} manifest documents not understood", style="dim")
    return text
