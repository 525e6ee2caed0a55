"""`tuiops env updatekeys|rotate-datakey|encrypt|check`: keys and policy across the repo."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tuiops.cli import serialize, text
from tuiops.cli.env import EXIT_OK, _repo, _shown, _sources, refuse_example
from tuiops.cli.output import write_json, write_text
from tuiops.domain.findings import Severity
from tuiops.errors import UsageError
from tuiops.gitops.sops.config import SopsConfig, find_config, load_config
from tuiops.gitops.sops.encrypt import encrypt_new
from tuiops.gitops.sops.files import OpenSopsFile, open_sops_file
from tuiops.gitops.sops.policy import check_policy
from tuiops.gitops.sops.storage import read_with_stamp, write_atomic
from tuiops.gitops.sops.stores import format_of
from tuiops.gitops.sops.updatekeys import (
    groups_text,
    plan_keys_update,
    repo_sops_files,
    specs_text,
)
from tuiops.sim.example_repo import is_example_data

EXIT_FINDINGS = 1


def _config(args: argparse.Namespace, repo: Path | None) -> SopsConfig:
    """The `.sops.yaml` to follow: with `--repo`/`--example`, that repo's own (a config in the
    current folder must not re-key another repo's files); otherwise sops' search from here."""
    explicit = bool(args.repo or args.example)
    if explicit and repo is not None:
        found = find_config(repo, os.environ)
    else:
        found = find_config(Path.cwd(), os.environ) or (
            find_config(repo, os.environ) if repo is not None else None
        )
    if found is None:
        raise UsageError("no .sops.yaml found (from the current folder up, or in the repo)")
    return load_config(found)


def _sops_paths(args: argparse.Namespace, repo: Path | None) -> list[Path]:
    """The files named, or every SOPS file of the repo in any format sops reads."""
    if args.paths:
        return [Path(p) for p in args.paths]
    if repo is None:
        raise UsageError("not inside a git repository; name the files")
    return repo_sops_files(repo)


def _open_all(paths: list[Path], repo: Path | None, dry_run: bool) -> list[OpenSopsFile]:
    """Every file opened (decrypted, MAC checked) before any is changed."""
    for path in paths if not dry_run else ():
        if is_example_data(path):
            raise UsageError(
                f"{_shown(str(path))} is in the bundled example repo, which is read-only; copy it "
                "first: tuiops example copy DIR"
            )
    sources = _sources(repo)
    return [open_sops_file(path, sources) for path in paths]


def _write_all(planned: list[tuple[OpenSopsFile, str, bytes | None]]) -> None:
    for opened, new_text, key in planned:
        opened.save(new_text, key)


def run_updatekeys(args: argparse.Namespace) -> int:
    if not args.dry_run:
        refuse_example(args)
    repo = _repo(args)
    config = _config(args, repo)
    files = _open_all(_sops_paths(args, repo), repo, args.dry_run)
    planned: list[tuple[OpenSopsFile, str, bytes | None]] = []
    for opened in files:
        update = plan_keys_update(opened, config)
        if update.text is None:
            sys.stdout.write(f"up to date      {_shown(str(opened.path))}\n")
            continue
        planned.append((opened, update.text, None))
        old, new = groups_text(update.current), specs_text(update.wanted)
        verb = "would update" if args.dry_run else "updating"
        sys.stdout.write(f"{verb:<15} {_shown(str(opened.path))}: {old} -> {new}\n")
    if not args.dry_run:
        _write_all(planned)
    sys.stdout.write(f"{len(planned)} file(s) {'to update' if args.dry_run else 'updated'}\n")
    return EXIT_OK


def run_rotate_datakey(args: argparse.Namespace) -> int:
    if not args.dry_run:
        refuse_example(args)
    repo = _repo(args)
    files = _open_all(_sops_paths(args, repo), repo, args.dry_run)
    planned: list[tuple[OpenSopsFile, str, bytes | None]] = [
        (opened, *opened.rotate()) for opened in files
    ]
    for opened, _text, _key in planned:
        verb = "would rotate" if args.dry_run else "rotating"
        sys.stdout.write(f"{verb:<15} {_shown(str(opened.path))}\n")
    if not args.dry_run:
        _write_all(planned)
    sys.stdout.write(f"{len(planned)} file(s) {'to rotate' if args.dry_run else 'rotated'}\n")
    return EXIT_OK


def run_encrypt(args: argparse.Namespace) -> int:
    path = Path(args.path)
    refuse_example(args, path)
    repo = _repo(args)
    config = _config(args, repo)
    plaintext, stamp = read_with_stamp(path)
    fmt = format_of(path)
    indent: int | str = config.json_indent if fmt in ("json", "binary") else config.yaml_indent
    creation = config.rule_for(path.resolve())
    encrypted = encrypt_new(plaintext, creation, indent, fmt=fmt)
    write_atomic(path, encrypted, stamp)
    sys.stderr.write(f"encrypted {_shown(str(path))}\n")
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    repo = _repo(args)
    if repo is None:
        raise UsageError("not inside a git repository; pass --repo")
    findings = sorted(check_policy(repo, _config(args, repo)), key=lambda f: f.sort_key())
    if args.json:
        write_json({"findings": [serialize.finding_json(f) for f in findings]})
    else:
        write_text(text.findings_text(findings))
    return EXIT_FINDINGS if any(f.severity is Severity.ERROR for f in findings) else EXIT_OK
