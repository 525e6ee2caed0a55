"""`tuiops` with no command opens the console; `tuiops --demo` opens it on the simulated
cluster (degraded scenario) and a temporary copy of the example repo."""

from __future__ import annotations

import argparse
import gc
from contextlib import ExitStack
from pathlib import Path

from tuiops.errors import RepoLayoutError
from tuiops.gitops.discovery import check_repo_dir, find_repo_root
from tuiops.services.backend import Backend


def _repo(args: argparse.Namespace) -> Path | None:
    if args.repo:
        return check_repo_dir(Path(args.repo))
    try:
        return find_repo_root(Path.cwd())
    except RepoLayoutError:
        return None  # the console still shows the cluster


def run_console(args: argparse.Namespace) -> int:
    from tuiops.ui.app import TuiopsApp  # Textual only for the console

    repo = None if args.demo else _repo(args)

    with ExitStack() as stack:

        def connect() -> Backend:
            # Called in the app's worker: the first frame never waits for this.
            from tuiops import wiring

            if args.demo:
                return stack.enter_context(wiring.demo_backend(read_only=args.read_only))
            return wiring.cluster_backend(
                repo,
                kubeconfig=args.kubeconfig,
                context=args.context,
                offline=args.offline,
                read_only=args.read_only,
            )

        # The first full load is the bulk of the heap (7,000 objects on a large cluster) and
        # stays for the session: frozen out of the cyclic GC, whose full passes would walk it
        # again and again, each a keystroke-sized stall (~200 ms). Reference counting still
        # frees what is replaced.
        TuiopsApp(connect, on_first_load=gc.freeze).run()
    return 0
