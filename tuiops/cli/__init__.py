"""Command line: `tuiops status|vars|lint`. User errors print one line and exit 2."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tuiops import __version__
from tuiops.cli.commands import COMMANDS
from tuiops.cli.env_parser import add_env_parser
from tuiops.errors import TuiopsError

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tuiops",
        description="Console for Talos + Kubernetes + Flux homelabs run from a GitOps repo.",
    )
    parser.add_argument("--version", action="version", version=f"tuiops {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        sub = commands.add_parser(command.name, help=command.help, description=command.help)
        sub.add_argument(
            "--repo",
            metavar="DIR",
            help="GitOps repo (default: the git root of the current folder)",
        )
        sub.add_argument(
            "--example",
            action="store_true",
            help="use the bundled example repo (a fictional clustertool homelab)",
        )
        sub.add_argument("--cluster", metavar="NAME", help="only this cluster")
        sub.add_argument("--json", action="store_true", help="machine-readable output")
        command.add_arguments(sub)
        sub.set_defaults(run=command.run)
    add_env_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 fine, 1 errors found, 2 usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        code: int = args.run(args)
    except TuiopsError as error:
        print(f"tuiops: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `tuiops status | head`: the reader left; not an error worth a traceback.
        sys.stderr.close()
        return 0
    return code
