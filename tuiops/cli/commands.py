"""The sub-commands: each loads the repo once and prints text or JSON, through
`tuiops.cli.output` (repo text is shown inert)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from tuiops.cli import serialize, text
from tuiops.cli.output import write_json, write_text
from tuiops.domain.findings import Severity
from tuiops.domain.repo import Cluster, RepoModel
from tuiops.errors import UsageError
from tuiops.gitops.discovery import check_repo_dir, find_repo_root
from tuiops.gitops.loader import load_repo
from tuiops.sim.example_repo import EXAMPLE_REPO

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


def _repo_path(args: argparse.Namespace) -> Path:
    if args.example and args.repo:
        raise UsageError("--example and --repo exclude each other")
    if args.example:
        return EXAMPLE_REPO
    if args.repo:
        return check_repo_dir(Path(args.repo))
    return find_repo_root(Path.cwd())


def _load(args: argparse.Namespace) -> tuple[RepoModel, tuple[Cluster, ...]]:
    model = load_repo(_repo_path(args))
    if args.cluster is None:
        return model, model.clusters
    cluster = model.cluster(args.cluster)
    if cluster is None:
        names = ", ".join(c.name for c in model.clusters) or "none"
        raise UsageError(f"no cluster {args.cluster!r} in {model.root} (clusters: {names})")
    return model, (cluster,)


def _has_errors(model: RepoModel) -> bool:
    return any(f.severity is Severity.ERROR for f in model.findings)


def run_status(args: argparse.Namespace) -> int:
    started = time.monotonic()  # the live status's deadline counts the repo read too
    model, clusters = _load(args)
    if not args.offline:
        from tuiops.cli.live_status import print_live_status  # the cluster path only

        return print_live_status(args, clusters, started=started)
    if args.json:
        write_json(serialize.status_json(model, clusters))
    else:
        write_text(text.status_text(model, clusters))
    return EXIT_FINDINGS if _has_errors(model) else EXIT_OK


def run_vars(args: argparse.Namespace) -> int:
    model, clusters = _load(args)
    if args.json:
        write_json(
            {
                "clusters": [serialize.vars_json(c) for c in clusters],
                "variables": [
                    serialize.variable_json(v) for c in clusters for v in c.variables.variables
                ],
            }
        )
    else:
        write_text(text.vars_text(clusters))
    undefined = any(
        f.code == "var-undefined" and f.severity is Severity.ERROR for f in model.findings
    )
    return EXIT_FINDINGS if undefined else EXIT_OK


def run_lint(args: argparse.Namespace) -> int:
    model, _clusters = _load(args)
    findings = [f for f in model.findings if f.severity.rank <= Severity(args.min_severity).rank]
    if args.json:
        write_json({"findings": [serialize.finding_json(f) for f in findings]})
    else:
        write_text(text.findings_text(findings))
    return EXIT_FINDINGS if _has_errors(model) else EXIT_OK
