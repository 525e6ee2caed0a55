"""`tuiops env updatekeys|rotate-datakey|encrypt|check`: keys and policy across the repo."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from tuiops.cli import serialize, text
from tuiops.cli.env import EXIT_OK, _repo, _sources
from tuiops.domain.findings import Severity
from tuiops.errors import UsageError
from tuiops.gitops.sops.config import SopsConfig, find_config, load_config
from tuiops.gitops.sops.encrypt import encrypt_new
from tuiops.gitops.sops.files import format_of, open_sops_file
from tuiops.gitops.sops.policy import candidate_files, check_policy, is_sops_text
from tuiops.gitops.sops.rekey import rotate_data_key, update_keys
from tuiops.gitops.sops.storage import read_with_stamp, write_atomic

EXIT_FINDINGS = 1


def _config(repo: Path | None) -> SopsConfig:
    found = find_config(Path.cwd(), os.environ) or (
        find_config(repo, os.environ) if repo is not None else None
    )
    if found is None:
        raise UsageError("no .sops.yaml found (from the current folder up, or in the repo)")
    return load_config(found)


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
    sources = _sources(repo)
    paths = _sops_paths(args, repo)
    for path in paths:
        opened = open_sops_file(path, sources)  # every file must open before any is changed
        if args.dry_run:
            sys.stdout.write(f"would rotate    {path}\n")
            continue
        opened.save(rotate_data_key(opened.decrypted))
        sys.stdout.write(f"rotated         {path}\n")
    sys.stdout.write(f"{len(paths)} file(s) {'to rotate' if args.dry_run else 'rotated'}\n")
    return EXIT_OK


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
