"""The `tuiops env` command line; the work is in `cli/env.py`, imported only when an env
command runs (it loads cryptography and age, which `status` and `lint` never need)."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable

from tuiops.cli.env_values import CHARSETS


def _lazy(name: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        runner: Callable[[argparse.Namespace], int] = getattr(
            importlib.import_module("tuiops.cli.env"), name
        )
        return runner(args)

    return run


def add_env_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`tuiops env` and its sub-commands."""
    env = commands.add_parser(
        "env",
        help="SOPS-encrypted settings (clusterenv.yaml, secrets)",
        description="Decrypt, edit and re-key SOPS files in memory.",
    )
    sub = env.add_subparsers(dest="env_command", metavar="ACTION", required=True)

    def action(name: str, run: str, help_text: str) -> argparse.ArgumentParser:
        parser = sub.add_parser(name, help=help_text, description=help_text)
        parser.add_argument("--repo", metavar="DIR", help="GitOps repo (default: git root)")
        parser.add_argument("--example", action="store_true", help="the bundled example repo")
        parser.add_argument("--cluster", metavar="NAME", help="cluster whose clusterenv to use")
        parser.add_argument("--json", action="store_true", help="machine-readable output")
        parser.set_defaults(run=_lazy(run))
        return parser

    def with_file(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
        parser.add_argument("--file", metavar="F", help="SOPS file (default: clusterenv.yaml)")
        return parser

    with_file(action("show", "run_show", "list the values (masked unless --reveal)")).add_argument(
        "--reveal", action="store_true", help="show secret values"
    )
    with_file(action("get", "run_get", "print one decrypted value")).add_argument("key")
    with_file(
        action("set", "run_set", "set a value read from stdin or a hidden prompt")
    ).add_argument("key")
    with_file(action("rm", "run_rm", "remove a key")).add_argument("key")
    rotate = with_file(action("rotate", "run_rotate", "replace a value with a random one"))
    rotate.add_argument("key")
    rotate.add_argument("--length", type=int, default=32, help="characters (words for words)")
    rotate.add_argument("--charset", choices=CHARSETS, default="alnum")
    update = action("updatekeys", "run_updatekeys", "re-seal data keys for .sops.yaml recipients")
    update.add_argument("paths", nargs="*", metavar="PATH", help="default: every SOPS file")
    update.add_argument("--dry-run", action="store_true", help="only list what would change")
    action(
        "rotate-datakey", "run_rotate_datakey", "re-encrypt a file under a new data key"
    ).add_argument("path")
    action(
        "encrypt", "run_encrypt", "encrypt a plaintext file in place per .sops.yaml"
    ).add_argument("path")
    action("check", "run_check", "every file a creation rule matches is encrypted as it says")
