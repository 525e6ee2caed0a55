"""`tuiops env ...`: SOPS-encrypted settings, decrypted in memory only."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from tuiops.cli import serialize, text
from tuiops.cli.env_values import generate_value, read_value
from tuiops.domain.findings import Severity
from tuiops.errors import RepoLayoutError, UsageError
from tuiops.gitops.discovery import check_repo_dir, find_repo_root
from tuiops.gitops.sops.config import SopsConfig, find_config, load_config
from tuiops.gitops.sops.edit import delete_value, set_value
from tuiops.gitops.sops.encrypt import encrypt_new
from tuiops.gitops.sops.files import OpenSopsFile, format_of, open_sops_file
from tuiops.gitops.sops.keys import IdentitySource, identity_sources, parse_identities
from tuiops.gitops.sops.policy import candidate_files, check_policy, is_sops_text
from tuiops.gitops.sops.rekey import rotate_data_key, update_keys
from tuiops.gitops.sops.storage import read_with_stamp, write_atomic
from tuiops.sim.example_repo import DEMO_KEY_FILE, EXAMPLE_REPO

EXIT_OK, EXIT_FINDINGS = 0, 1


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
    from tuiops.adapters.age_key_command import run_key_command

    env = dict(os.environ)
    sources = identity_sources(env, Path.home(), repo, run_key_command(env))
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


def _config(repo: Path | None) -> SopsConfig:
    found = find_config(Path.cwd(), os.environ) or (
        find_config(repo, os.environ) if repo is not None else None
    )
    if found is None:
        raise UsageError("no .sops.yaml found (from the current folder up, or in the repo)")
    return load_config(found)


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
    from tuiops.gitops.sops.files import address_text

    return address_text(opened.find(key))


def _save(opened: OpenSopsFile, new_text: str | None, what: str) -> int:
    if new_text is None:
        sys.stderr.write(f"{what}: unchanged, nothing written\n")
        return EXIT_OK
    opened.save(new_text)
    sys.stderr.write(f"{what}: saved {opened.path}\n")
    return EXIT_OK


def run_set(args: argparse.Namespace) -> int:
    opened = _open(args)
    value = read_value(args.key)
    return _save(opened, set_value(opened.decrypted, opened.find(args.key), value), args.key)


def run_rm(args: argparse.Namespace) -> int:
    opened = _open(args)
    return _save(opened, delete_value(opened.decrypted, opened.find(args.key)), args.key)


def run_rotate(args: argparse.Namespace) -> int:
    opened = _open(args)
    address = opened.find(args.key)
    if opened.decrypted.leaf(address) is None:
        raise UsageError(f"{opened.path}: no key {args.key} (use `env set` to add one)")
    value = generate_value(args.length, args.charset)
    return _save(opened, set_value(opened.decrypted, address, value), f"{args.key} rotated")


def _sops_paths(args: argparse.Namespace, repo: Path | None) -> list[Path]:
    if args.paths:
        return [Path(p) for p in args.paths]
    if repo is None:
        raise UsageError("not inside a git repository; name the files")
    return [
        p
        for p in candidate_files(repo)
        if format_of(p) == "yaml" and is_sops_text(read_with_stamp(p)[0])
    ]


def run_updatekeys(args: argparse.Namespace) -> int:
    repo = _repo(args)
    config = _config(repo)
    sources = _sources(repo)
    changed = 0
    for path in _sops_paths(args, repo):
        recipients = config.rule_for(path.resolve()).age
        opened = open_sops_file(path, sources)
        new_text = update_keys(opened.decrypted, recipients)
        if new_text is None:
            sys.stdout.write(f"up to date      {path}\n")
            continue
        changed += 1
        old = ", ".join(s.recipient for s in opened.decrypted.metadata.age)
        verb = "would update" if args.dry_run else "updated"
        sys.stdout.write(f"{verb:<15} {path}: {old} -> {', '.join(recipients)}\n")
        if not args.dry_run:
            opened.save(new_text)
    sys.stdout.write(f"{changed} file(s) {'to update' if args.dry_run else 'updated'}\n")
    return EXIT_OK


def run_rotate_datakey(args: argparse.Namespace) -> int:
    repo = _repo(args)
    opened = open_sops_file(Path(args.path), _sources(repo))
    return _save(opened, rotate_data_key(opened.decrypted), "data key rotated")


def run_encrypt(args: argparse.Namespace) -> int:
    repo = _repo(args)
    config = _config(repo)
    path = Path(args.path)
    plaintext, stamp = read_with_stamp(path)
    encrypted = encrypt_new(plaintext, config.rule_for(path.resolve()), config.yaml_indent)
    write_atomic(path, encrypted, stamp)
    sys.stderr.write(f"encrypted {path}\n")
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    repo = _repo(args)
    if repo is None:
        raise UsageError("not inside a git repository; pass --repo")
    findings = sorted(check_policy(repo, _config(repo)), key=lambda f: f.sort_key())
    if args.json:
        json.dump({"findings": [serialize.finding_json(f) for f in findings]}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(text.findings_text(findings))
    return EXIT_FINDINGS if any(f.severity is Severity.ERROR for f in findings) else EXIT_OK
