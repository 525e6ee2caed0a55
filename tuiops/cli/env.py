"""`tuiops env ...`: SOPS-encrypted settings, decrypted in memory only."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from tuiops.errors import RepoLayoutError, UsageError
from tuiops.gitops.discovery import check_repo_dir, find_repo_root
from tuiops.gitops.sops.files import OpenSopsFile, address_text, open_sops_file
from tuiops.gitops.sops.keys import IdentitySource, identity_sources, parse_identities
from tuiops.sim.example_repo import DEMO_KEY_FILE, EXAMPLE_REPO

EXIT_OK = 0


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
    key_output = None
    if env.get("SOPS_AGE_KEY_CMD"):
        # Imported only when needed: it is the one path here that starts a process.
        from tuiops.adapters.age_key_command import run_key_command

        key_output = run_key_command(env)
    sources = identity_sources(env, Path.home(), repo, key_output)
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


def _open(args: argparse.Namespace) -> OpenSopsFile:
    repo = _repo(args)
    path = Path(args.file) if args.file else _default_file(repo, args.cluster)
    return open_sops_file(path, _sources(repo))


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
        json.dump({"file": str(opened.path), "entries": rows}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        width = max((len(e.key) for e in entries), default=0)
        for entry in entries:
            shown = entry.value if args.reveal else entry.masked()
            sys.stdout.write(f"{entry.key:<{width}}  {shown}\n")
    return EXIT_OK


def run_get(args: argparse.Namespace) -> int:
    opened = _open(args)
    leaf = opened.decrypted.leaf(opened.find(args.key))
    if leaf is None or leaf.kind == "comment":
        raise UsageError(f"{opened.path}: no key {args.key}")
    entry = next(e for e in opened.entries() if e.key == _key_text(opened, args.key))
    sys.stdout.write(entry.value + "\n")
    return EXIT_OK


def _key_text(opened: OpenSopsFile, key: str) -> str:
    return address_text(opened.find(key))


def _save(opened: OpenSopsFile, new_text: str | None, what: str) -> int:
    if new_text is None:
        sys.stderr.write(f"{what}: unchanged, nothing written\n")
        return EXIT_OK
    opened.save(new_text)
    sys.stderr.write(f"{what}: saved {opened.path}\n")
    return EXIT_OK


def run_set(args: argparse.Namespace) -> int:
    from tuiops.gitops.sops.edit import set_value  # only edits need it

    opened = _open(args)
    from tuiops.cli.env_values import read_value

    value = read_value(args.key)
    return _save(opened, set_value(opened.decrypted, opened.find(args.key), value), args.key)


def run_rm(args: argparse.Namespace) -> int:
    from tuiops.gitops.sops.edit import delete_value  # only edits need it

    opened = _open(args)
    return _save(opened, delete_value(opened.decrypted, opened.find(args.key)), args.key)


def run_rotate(args: argparse.Namespace) -> int:
    from tuiops.gitops.sops.edit import set_value  # only edits need it

    opened = _open(args)
    address = opened.find(args.key)
    if opened.decrypted.leaf(address) is None:
        raise UsageError(f"{opened.path}: no key {args.key} (use `env set` to add one)")
    from tuiops.cli.env_values import generate_value

    value = generate_value(args.length, args.charset)
    return _save(opened, set_value(opened.decrypted, address, value), f"{args.key} rotated")
