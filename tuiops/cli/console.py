"""`tuiops` with no command opens the console; `tuiops --demo` opens it on the simulated
cluster (degraded scenario) and a temporary copy of the example repo."""

from __future__ import annotations

import argparse
import contextlib
import gc
import signal
import threading
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from tuiops.errors import RepoLayoutError
from tuiops.gitops.discovery import check_repo_dir, find_repo_root
from tuiops.services.backend import Backend
from tuiops.services.config import load_config

if TYPE_CHECKING:
    from textual.app import App

    from tuiops.ui.app import TuiopsApp


def _repo(args: argparse.Namespace) -> tuple[Path | None, str]:
    """The repo to read, or None and the one line `tuiops status` prints when there is none
    (the console still shows the cluster, and that line instead of "reading the repo…").

    Raises:
        RepoLayoutError: `--repo` names no folder (the command line says so and stops).
    """
    if args.repo:
        return check_repo_dir(Path(args.repo)), ""
    try:
        return find_repo_root(Path.cwd()), ""
    except RepoLayoutError as error:
        return None, str(error)


def run_console(args: argparse.Namespace) -> int:
    with ExitStack() as stack:
        app = build_console(args, stack)
        stop_on_hangup(app)
        app.run()
    return 0


def build_console(args: argparse.Namespace, stack: ExitStack) -> TuiopsApp:
    """The console app the command line runs (tests drive it with a pilot).

    Args:
        args: The parsed command line.
        stack: Where the demo's repo copy and simulator are closed (after the app ran).

    Raises:
        RepoLayoutError: `--repo` names no folder.
    """
    from tuiops.services.console_state import ConsoleSession
    from tuiops.ui.app import TuiopsApp  # Textual only for the console

    repo, repo_problem = (None, "") if args.demo else _repo(args)
    demo: list[Path] = []
    # Read before the first frame: a broken config.toml is one line on the shell, not a
    # console that may or may not be read-only.
    config = load_config()

    # Both run in the app's load worker, in this order: the first frame waits for neither,
    # and the repo's rows are drawn before the (simulated) cluster is reached.

    def locate_repo() -> Path | None:
        if not args.demo:
            return repo
        from tuiops import wiring

        demo.append(stack.enter_context(wiring.demo_repo()))
        return demo[0]

    def connect() -> Backend:
        from tuiops import wiring

        if args.demo:
            backend = wiring.simulated_backend(demo[0], read_only=args.read_only, config=config)
            return stack.enter_context(backend)
        return wiring.cluster_backend(
            repo,
            kubeconfig=args.kubeconfig,
            context=args.context,
            offline=args.offline,
            read_only=args.read_only,
            config=config,
        )

    # The first full load is the bulk of the heap (7,000 objects on a large cluster) and
    # stays for the session: frozen out of the cyclic GC, whose full passes would walk it
    # again and again, each a keystroke-sized stall (~200 ms). Reference counting still
    # frees what is replaced.
    session = ConsoleSession(connect, repo=locate_repo, repo_problem=repo_problem)
    return TuiopsApp(connect, session=session, on_first_load=gc.freeze)


def stop_on_hangup(app: App[None]) -> None:
    """SIGTERM and SIGHUP (the SSH session closed) end the console as `q` does, so the demo's
    simulator stops and its temporary folder is removed on the way out.

    The handler runs on the main thread, inside the event loop; it asks a short-lived thread
    to post the exit, because `call_from_thread` refuses the loop's own thread.
    """

    def request_exit(_signal: int, _frame: object) -> None:
        threading.Thread(target=_exit_from_thread, args=(app,), daemon=True).start()

    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, request_exit)


def _exit_from_thread(app: App[None]) -> None:
    with contextlib.suppress(RuntimeError):  # not running (yet, or any more)
        app.call_from_thread(app.exit)
