"""`tuiops reconcile|suspend|resume`: the console's Flux actions from the shell.

    tuiops reconcile ks/apps [--with-source]
    tuiops reconcile hr/podinfo -n apps [--with-source] [--force] [--reset]
    tuiops reconcile source git flux-system
    tuiops suspend helmrelease podinfo -n apps
    tuiops resume hr/podinfo -n apps

The object is `KIND/NAME`, `KIND NAME` or flux's `source KIND NAME`. KIND is any word kubectl or
flux uses for a Flux kind: `ks`, `kustomization`; `hr`, `helmrelease`; `gitrepo`,
`gitrepository`, `source git`; `ocirepo`, `source oci`; `helmrepo`, `source helm`; `hc`,
`helmchart`, `source chart`; `bucket`, `source bucket` (plurals too). The namespace is `-n`,
default flux-system.

Each does what the console's action does, through the same `FluxActions` and the same
guarded backend (`services/backend.py`): it sends what the flux CLI sends, waits for the
controller's answer, prints each step on stderr as flux does (inert), and records the attempt in
the audit log. Read-only (`--read-only`, or `read_only` in config.toml for every context or the
one in use) refuses before anything is sent.

Exit codes: 0 the controller answered with success; 1 it failed, timed out or was refused
(read-only); 2 usage errors, a broken config.toml, and no reachable cluster.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tuiops.cli.logs import parse_duration
from tuiops.cli.output import write_json, write_text
from tuiops.domain.actions import ActionOutcome, StepKind
from tuiops.domain.kinds import FLUX_APPLIERS, FLUX_SOURCES, ApiKind, kind_for_word
from tuiops.domain.refs import ObjectRef
from tuiops.domain.text import inert
from tuiops.errors import ClusterError, UsageError

EXIT_OK = 0
EXIT_FAILED = 1
DEFAULT_NAMESPACE = "flux-system"
FLUX_KINDS = (*FLUX_APPLIERS, *FLUX_SOURCES)
VERBS = ("reconcile", "suspend", "resume")

_GLYPH = {
    StepKind.ACTION: "►",
    StepKind.SUCCESS: "✔",
    StepKind.WAITING: "◎",
    StepKind.FAILURE: "✗",
    StepKind.WARNING: "⚠️",
}
"""The flux CLI's marks (as the console's `step_line`)."""
_SOURCE_WORDS = {
    kind.flux_word.removeprefix("source "): kind
    for kind in FLUX_SOURCES
    if kind.flux_word.startswith("source ")
}
"""`source git` → GitRepository: the word after `source` in flux's commands."""


def _flux_kind(word: str) -> ApiKind | None:
    kind = kind_for_word(word)
    return kind if kind in FLUX_KINDS else None


def _kind_words() -> str:
    return ", ".join(k.short for k in FLUX_KINDS) + ", or `source git|oci|helm|chart|bucket`"


def parse_target(words: Sequence[str], namespace: str) -> ObjectRef:
    """The object `KIND/NAME`, `KIND NAME` or `source KIND NAME` names.

    Args:
        words: The positional arguments.
        namespace: `-n` (empty: flux-system).

    Raises:
        UsageError: not one of those forms, or a kind that is not Flux's.
    """
    parts = list(words)
    kind: ApiKind | None
    if len(parts) == 1 and "/" in parts[0]:
        word, _, name = parts[0].partition("/")
        kind = _flux_kind(word)
    elif len(parts) == 2:
        word, name = parts
        kind = _flux_kind(word)
    elif len(parts) == 3 and parts[0] == "source":
        word, name = f"source {parts[1]}", parts[2]
        kind = _SOURCE_WORDS.get(parts[1].lower())
    else:
        raise UsageError(
            f"name one object: KIND/NAME, KIND NAME or source KIND NAME (got {' '.join(parts)!r})"
        )
    if kind is None:
        raise UsageError(f"{word!r} is not a Flux kind tuiops acts on (use {_kind_words()})")
    if not name or "/" in name:
        raise UsageError(f"{' '.join(parts)!r}: NAME must be one object name (-n for namespace)")
    return ObjectRef(kind.kind, namespace or DEFAULT_NAMESPACE, name)


def step_line(kind: StepKind, text: str) -> str:
    """A step as flux prints it (`✔ Kustomization annotated`), folded to one inert line."""
    return f"{_GLYPH[kind]} {inert(text, one_line=True)}"


def outcome_json(outcome: ActionOutcome) -> dict[str, object]:
    return {
        "action": outcome.action.value,
        "kind": outcome.ref.kind,
        "namespace": outcome.ref.namespace,
        "name": outcome.ref.name,
        "succeeded": outcome.succeeded,
        "message": outcome.message,
        "appliedRevision": outcome.applied_revision or None,
        "attemptedRevision": outcome.attempted_revision or None,
        "stillOldRevision": outcome.still_old_revision,
        "steps": [{"kind": s.kind.value, "text": s.text} for s in outcome.steps],
    }


def run_flux_action(args: argparse.Namespace) -> int:
    """`tuiops reconcile|suspend|resume`; see the module docstring for the exit codes."""
    from tuiops import wiring
    from tuiops.services.config import load_config

    ref = parse_target(args.target, args.namespace)
    verb: str = args.command
    force, reset = getattr(args, "force", False), getattr(args, "reset", False)
    if (force or reset) and ref.kind != "HelmRelease":
        raise UsageError("--force and --reset apply to HelmReleases only")
    timeout = parse_duration(args.timeout)
    if timeout <= 0 or args.poll_interval <= 0:
        raise UsageError("--timeout and the poll interval must be positive")
    config = load_config()  # a broken file: one line, exit 2, nothing sent
    backend = wiring.cluster_backend(
        None,
        kubeconfig=args.kubeconfig,
        context=args.context,
        # `tuiops --read-only reconcile ...` or `tuiops reconcile ... --read-only`.
        read_only=args.command_read_only or getattr(args, "read_only", False),
        config=config,
        action_poll=args.poll_interval,
        action_timeout=timeout,
    )
    control = backend.control
    if control is None:
        raise ClusterError(backend.offline_reason or "no cluster to act on")
    if not backend.read_only:  # read-only refuses without reaching for the cluster
        wiring.check_api(args.kubeconfig, args.context)
    if verb == "reconcile":
        outcome = control.reconcile(ref, with_source=args.with_source, force=force, reset=reset)
    elif verb == "suspend":
        outcome = control.suspend(ref)
    else:
        outcome = control.resume(ref, wait=not args.no_wait)
    write_text(
        "".join(step_line(step.kind, step.text) + "\n" for step in outcome.steps),
        sys.stderr,
        flush=True,
    )
    if args.json:
        write_json(outcome_json(outcome))
    return EXIT_OK if outcome.succeeded else EXIT_FAILED
