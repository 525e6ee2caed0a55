"""`tuiops example copy DIR`: a writable copy of the bundled example repo to try things on."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tuiops.sim.example_repo import copy_example

EXIT_OK = 0


def run_copy(args: argparse.Namespace) -> int:
    target = copy_example(Path(args.dir))
    sys.stdout.write(
        f"copied the example repo to {target}, with its demo-only age key as age.agekey\n"
        f"try: tuiops status --offline --repo {target}\n"
        f"     echo 10.0.0.9 | tuiops env set PLEX_IP --repo {target}\n"
    )
    return EXIT_OK
