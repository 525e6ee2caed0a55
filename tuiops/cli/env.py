"""`tuiops env ...`: SOPS-encrypted settings, decrypted in memory only."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tuiops.cli.output import write_json
from tuiops.domain.text import inert
from tuiops.errors import RepoLayoutError, UsageError
from tuiops.gitops.discovery import check_repo_dir, find_repo_root
from tuiops.gitops.sops.files import OpenSopsFile, open_sops_file
from tuiops.gitops.sops.goyaml import yaml_scalar_text
from tuiops.gitops.sops.keys import IdentitySource, identity_sources, parse_identities
from tuiops.sim.example_repo import DEMO_KEY_FILE, EXAMPLE_REPO, is_example_data

if TYPE_CHECKING:
    from tuiops.services.rotation import SecretRotation

EXIT_OK = 0
EXIT_FAILED = 1


def _repo(args: argparse.Namespace) -> Path | None:
    if args.example:
        return EXAMPLE_REPO
    if args.repo:
        return check_repo_dir(Path(args.repo))
    try:
        return find_repo_root(Path.cwd())
    except RepoLayoutError:
        return None  # outside a repo, --file still works


def _sources(repo: Path | None) -> list[IdentitySource]:
    env = dict(os.environ)
    key_cmd: tuple[bytes | None, str] = (None, "")
    if env.get("SOPS_AGE_KEY_CMD", "").strip():
        # Imported only when needed: it is the one path here that starts a process.
        from tuiops.adapters.age_key_command import run_key_command

        key_cmd = run_key_command(env)
    sources = identity_sources(env, Path.home(), repo, key_cmd)
    if repo == EXAMPLE_REPO:
        sources.append(parse_identities(DEMO_KEY_FILE.read_text(), "demo-only.agekey"))
    return sources


def _default_file(repo: Path | None, cluster: str | None) -> Path:
    if repo is None:
        raise UsageError("not inside a git repository; pass --file or --repo")
    clusters = sorted(p.name for p in (repo / "clusters").glob("*") if p.is_dir())
    names = [cluster] if cluster else clusters
    if not names:
        raise UsageError(f"{repo}: no clusters/<name>/ folder; pass --file")
    if len(names) > 1:
        raise UsageError(f"several clusters ({', '.join(names)}); pass --cluster or --file")
    for candidate in ("clusterenv.yaml", "secrets/cluster-settings.sops.yaml"):
        path = repo / "clusters" / names[0] / candidate
        if path.exists():
            return path
    raise UsageError(f"no clusterenv.yaml in {repo / 'clusters' / names[0]}; pass --file")


def _open(args: argparse.Namespace, *, to_change: bool = False) -> OpenSopsFile:
    repo = _repo(args)
    path = Path(args.file) if args.file else _default_file(repo, args.cluster)
    if to_change:
        refuse_example(args, path)
    return open_sops_file(path, _sources(repo))


def refuse_example(args: argparse.Namespace, path: Path | None = None) -> None:
    """The bundled example repo is package data: it is read, never written (an edit would
    change every later demo, and the installed package).

    Raises:
        UsageError: with how to get a copy that can be changed.
    """
    if args.example or (path is not None and is_example_data(path)):
        raise UsageError(
            "the bundled example repo is read-only; copy it first: tuiops example copy DIR, "
            "then use --repo DIR"
        )


def _document(args: argparse.Namespace) -> int | None:
    number: int | None = getattr(args, "document", None)
    if number is not None and number < 1:
        raise UsageError("--document counts from 1")
    return None if number is None else number - 1


def _shown(text: str) -> str:
    """File text made safe for a terminal: a key or value cannot retitle the window, write the
    clipboard (OSC 52) or move the cursor."""
    return inert(text, one_line=True)


def run_show(args: argparse.Namespace) -> int:
    opened = _open(args)
    entries = opened.entries()
    if args.json:
        rows = [
            {
                "key": e.key,
                "value": e.value if args.reveal else e.masked(),
                "secret": e.secret,
                "type": e.kind,
            }
            for e in entries
        ]
        write_json({"file": str(opened.path), "entries": rows})
    else:
        keys = [_shown(e.key) for e in entries]
        width = max((len(k) for k in keys), default=0)
        for key, entry in zip(keys, entries, strict=True):
            shown = _shown(entry.value if args.reveal else entry.masked())
            sys.stdout.write(f"{key:<{width}}  {shown}\n")
    return EXIT_OK


def run_get(args: argparse.Namespace) -> int:
    opened = _open(args)
    document = _document(args)
    leaf = opened.get(opened.find(args.key, document), document)
    value = leaf.value if leaf.kind == "str" else yaml_scalar_text(leaf.kind, leaf.value)
    text = str(value)
    # Piped, the value goes out byte for byte (scripts need it exact); on a terminal it is
    # shown inert, like every other file text.
    sys.stdout.write((_shown(text) if sys.stdout.isatty() else text) + "\n")
    return EXIT_OK


def _save(opened: OpenSopsFile, new_text: str | None, what: str) -> int:
    if new_text is None:
        sys.stderr.write(f"{_shown(what)}: unchanged, nothing written\n")
        return EXIT_OK
    opened.save(new_text)
    sys.stderr.write(f"{_shown(what)}: saved {_shown(str(opened.path))}\n")
    return EXIT_OK


def run_set(args: argparse.Namespace) -> int:
    opened = _open(args, to_change=True)
    from tuiops.cli.env_values import read_value

    document = _document(args)
    address = opened.find(args.key, document)
    value = read_value(args.key)
    return _save(opened, opened.set(address, value, document), args.key)


def run_rm(args: argparse.Namespace) -> int:
    opened = _open(args, to_change=True)
    document = _document(args)
    return _save(opened, opened.delete(opened.find(args.key, document), document), args.key)


def run_rotate(args: argparse.Namespace) -> int:
    """`tuiops env rotate KEY [--commit [--push] [--reconcile [--restart]]]`: a new random
    value saved, then (when asked) the whole rotation, each step printed as it happens;
    exit 0 only if every step succeeded."""
    follow_up = args.commit or args.push or args.reconcile or args.restart
    if follow_up and not args.commit:
        raise UsageError("--push, --reconcile and --restart need --commit (Flux reads commits)")
    if args.restart and not args.reconcile:
        raise UsageError("--restart needs --reconcile (the consumers are found after it)")
    opened = _open(args, to_change=True)
    repo = _repo(args) if follow_up else None
    if follow_up and repo is None:
        raise UsageError(f"{opened.path} is not in a git repository; pass --repo")
    document = _document(args)
    address = opened.find(args.key, document)
    opened.get(address, document)  # only an existing value is rotated (`env set` adds one)
    from tuiops.cli.env_values import generate_value

    # Built before the save: a read-only context refuses before the file changes.
    rotation = _rotation_service(args, repo) if follow_up and repo is not None else None
    value = generate_value(args.length, args.charset)
    status = _save(opened, opened.set(address, value, document), f"{args.key} rotated")
    del value  # the rotation below never sees it
    if rotation is None or repo is None:
        return status
    return _rotation(args, rotation, repo, opened.path)


_MARKS = {"running": "►", "ok": "✔", "warning": "⚠", "failed": "✗", "skipped": "-"}


def _rotation_service(args: argparse.Namespace, repo: Path) -> SecretRotation:
    """The rotation service for this context.

    Raises:
        RotationRefused: the context is read-only (nothing was written yet).
    """
    from tuiops import wiring
    from tuiops.services.rotation import RotationRefused

    rotation = wiring.secret_rotation(
        repo,
        kubeconfig=args.kubeconfig,
        context=args.context,
        cluster=args.reconcile,
        action_poll=args.poll_interval,
    )
    if rotation.read_only:
        raise RotationRefused(f"read-only: {args.key} was not rotated (nothing written)")
    return rotation


def _rotation(args: argparse.Namespace, rotation: SecretRotation, repo: Path, file: Path) -> int:
    from tuiops.domain.rotation import RotationStep
    from tuiops.services.rotation import RotationRequest

    request = RotationRequest(
        repo_root=repo,
        files=(file,),
        keys=(args.key,),
        context=args.context or "",
        commit=args.commit,
        push=args.push,
        reconcile=args.reconcile,
        restart=args.restart,
    )

    def show(step: RotationStep) -> None:
        sys.stderr.write(f"{_MARKS[step.status.value]} {step.phase}: {_shown(step.text)}\n")
        sys.stderr.flush()

    summary = rotation.run(request, show)
    verdict = "succeeded" if summary.succeeded else "FAILED"
    sys.stdout.write(f"rotation of {_shown(', '.join(summary.keys))}: {verdict}\n")
    for result in summary.results:
        mark = _MARKS["ok" if result.ok else "failed"]
        sys.stdout.write(f"  {mark} {_shown(result.what)}: {_shown(result.text)}\n")
    for consumer in summary.consumers:
        mark = _MARKS["warning" if consumer.needs_restart else "ok"]
        line = f"{consumer.workload} ({consumer.via}): {consumer.pick_up.value}"
        sys.stdout.write(f"  {mark} {_shown(line)}: {_shown(consumer.reason)}\n")
    if summary.to_restart and not args.restart:
        sys.stdout.write("  restart them with --restart, or kubectl rollout restart\n")
    return EXIT_OK if summary.succeeded else EXIT_FAILED
