"""What a Flux action (reconcile, suspend, resume) ended with, told the way the flux CLI tells it.

An action is reported as the steps `flux` prints (action, success, waiting, failure,
warning; the UI draws them with flux's glyphs) plus one verdict. The verdict is the
controller's real answer, not "request sent": and unlike `flux reconcile hr` (fluxcd/flux2
#1760), an upgrade that was attempted while the old chart is still what runs is never
reported as a plain success.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from tuiops.domain.helm import ReleaseStatus
from tuiops.domain.live import LiveObject
from tuiops.domain.refs import ObjectRef
from tuiops.domain.status import RECONCILING, STALLED, Health, find_condition


class FluxVerb(enum.Enum):
    """A Flux action the console offers; the value is the action's name in key bindings
    (`flux('reconcile_source')`) and in the keymap's ids (`flux.reconcile_source`)."""

    RECONCILE = "reconcile"
    RECONCILE_SOURCE = "reconcile_source"
    """`flux reconcile … --with-source`."""
    SUSPEND = "suspend"
    RESUME = "resume"
    FORCE = "force"
    """`flux reconcile hr … --force`: a one-off Helm upgrade."""
    RESET = "reset"
    """`flux reconcile hr … --reset`: clear the failure counts."""


class StepKind(enum.Enum):
    """What one line of progress says, as the flux CLI marks it (►, ✔, ◎, ✗, ⚠️)."""

    ACTION = "action"
    """Something is being sent (an annotation, a patch)."""
    SUCCESS = "success"
    WAITING = "waiting"
    FAILURE = "failure"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class ActionStep:
    """One line of progress, as the flux CLI prints it on stderr."""

    kind: StepKind
    text: str


@dataclass(frozen=True, slots=True)
class ActionOutcome:
    """The result of one action on one object."""

    action: FluxVerb
    """What was done: reconcile (with its variants), suspend or resume."""
    ref: ObjectRef
    succeeded: bool
    message: str
    """One line for a status bar: what happened, or why it failed."""
    applied_revision: str = ""
    """What runs now, as `applied_revision` reads it; empty when unknown."""
    attempted_revision: str = ""
    """`status.lastAttemptedRevision` (Kustomization, HelmRelease); empty for sources."""
    steps: tuple[ActionStep, ...] = ()
    still_old_revision: bool = False
    """A new revision was attempted but the old one is still applied (fluxcd/flux2 #1760)."""


def still_old_revision(kind: str, applied: str, attempted: str) -> bool:
    """Whether the controller tried a revision it could not apply (fluxcd/flux2 #1760).

    Args:
        kind: `Kustomization` or `HelmRelease`; other kinds have no attempted revision.
        applied: Kustomization `lastAppliedRevision`, HelmRelease deployed chart version
            (see `applied_revision`).
        attempted: `status.lastAttemptedRevision`.

    Returns:
        True when both are known and differ.
    """
    if kind not in ("Kustomization", "HelmRelease"):
        return False
    return bool(applied) and bool(attempted) and applied != attempted


def old_revision_note(kind: str, applied: str, attempted: str) -> str:
    """The plain sentence that says a new revision was attempted but is not what runs.

    Args:
        kind: `Kustomization` or `HelmRelease`.
        applied: The revision still applied.
        attempted: The revision the controller last tried.

    Returns:
        E.g. `chart 79.5.0 was attempted but 78.3.2 is still the applied version`.
    """
    what = "chart" if kind == "HelmRelease" else "revision"
    return f"{what} {attempted} was attempted but {applied} is still the applied version"


# -- the rules `flux reconcile|resume` apply, on decoded objects ---------------------------


def rfc3339nano(moment: datetime, nanos: int) -> str:
    """Go's `time.RFC3339Nano`, the format of `reconcile.fluxcd.io/requestedAt` values.

    Args:
        moment: An aware time (the CLI uses the local zone); its microseconds are ignored.
        nanos: The nanoseconds within the second.

    Returns:
        E.g. `2025-11-25T11:09:41.702917538+01:00`: trailing zeros of the fraction dropped
        (no fraction at all when zero), `Z` for a zero offset.
    """
    fraction = f"{nanos:09d}".rstrip("0")
    offset = moment.utcoffset()
    if not offset:
        zone = "Z"
    else:
        minutes = int(offset.total_seconds()) // 60
        sign = "+" if minutes >= 0 else "-"
        zone = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if fraction else "") + zone


def settled(live: LiveObject) -> bool:
    """Whether the controller is done with the object for now.

    True when kstatus says Current as docs/flux-api.md §2 defines it (not deleting,
    `observedGeneration` equal to `generation`, no `Reconciling=True`, no `Stalled=True`), or
    when `health_of` says FAILED: Stalled, or Ready=False on this generation while the
    controller only waits to retry. flux 2.7.5 keeps polling those until its timeout; nothing
    will change before the retry, so waiting longer only hides the answer.
    """
    reconciling = find_condition(live.conditions, RECONCILING)
    stalled = find_condition(live.conditions, STALLED)
    generation_seen = not live.generation or live.observed_generation in (None, live.generation)
    current = (
        not live.deleting
        and generation_seen
        and not (reconciling is not None and reconciling.is_true)
        and not (stalled is not None and stalled.is_true)
    )
    return current or live.health is Health.FAILED


def reconcile_handled(live: LiveObject, last_handled: str) -> bool:
    """flux's `reconciliationHandled`: the request was answered and the object has settled.

    Args:
        live: The object as polled.
        last_handled: `status.lastHandledReconcileAt` before the annotation was set.
    """
    return live.last_handled_reconcile_at != last_handled and settled(live)


def resume_ready(live: LiveObject, *, static: bool = False) -> bool:
    """flux's `isObjectReady` after a resume: Ready judges the current generation, settled.

    Args:
        live: The object as polled.
        static: The object has no reconciler (an OCI HelmRepository); only kstatus counts.
    """
    if not static:
        observed = live.observed_generation or 0
        ready = live.ready
        if observed < 1 or ready is None:
            return False
        # HelmRelease conditions carry no observedGeneration: the status-wide one stands in.
        if (ready.observed_generation or observed) != live.generation:
            return False
    return settled(live)


def applied_revision(live: LiveObject) -> str:
    """What runs now; empty when unknown.

    A Kustomization's `lastAppliedRevision`; a source's artifact revision; for a HelmRelease
    the chart version of the newest `deployed` entry of `status.history` (empty when none
    is). `flux get hr` shows `history[0]`, but after a failed upgrade that entry is the
    failed attempt while Helm keeps the previous release deployed (a rollback only updates
    the existing entries), which is exactly how fluxcd/flux2 #1760 hides that the old chart
    still runs.
    """
    if live.ref.kind == "HelmRelease":
        deployed = (h for h in live.history if h.status is ReleaseStatus.DEPLOYED)
        entry = next(deployed, None)
        return entry.chart_version if entry is not None else ""
    return live.last_applied_revision or live.artifact_revision


def success_message(live: LiveObject, *, static: bool = False) -> str:
    """The `✔` line flux prints once the object is ready (its `successMessage()`).

    Args:
        live: The ready object.
        static: An OCI HelmRepository, which has no artifact; flux prints its Ready message.
    """
    kind = live.ref.kind
    if kind == "Kustomization":
        return f"applied revision {live.last_applied_revision}"
    if kind == "HelmRelease":
        return f"applied revision {applied_revision(live) or live.last_attempted_revision}"
    if static:
        return live.message
    return f"fetched revision {live.artifact_revision}"


_SOURCES_OF = {
    "Kustomization": ("GitRepository", "OCIRepository", "Bucket"),
    "HelmChart": ("HelmRepository", "GitRepository", "Bucket"),
    "HelmRelease": ("HelmChart", "OCIRepository"),
}


def source_to_reconcile(live: LiveObject) -> ObjectRef:
    """The object `--with-source` reconciles first, picked as flux's `getSource()` does.

    A Kustomization's `sourceRef`; a HelmChart's `sourceRef`; a HelmRelease's `chartRef`
    (HelmChart or OCIRepository), or for `spec.chart` the HelmChart `<ns>-<name>` that
    source-controller builds in the namespace of the chart's source.

    Raises:
        ValueError: flux cannot reconcile that source kind (`cannot reconcile source of kind X`).
    """
    source = live.source
    ref = live.ref
    if ref.kind == "HelmRelease" and not live.uses_chart_ref:
        namespace = source.namespace if source is not None else ref.namespace
        return ObjectRef("HelmChart", namespace or ref.namespace, f"{ref.namespace}-{ref.name}")
    kind = source.kind if source is not None else ""
    if source is None or kind not in _SOURCES_OF.get(ref.kind, ()):
        raise ValueError(f"cannot reconcile source of kind {kind}")
    return source
