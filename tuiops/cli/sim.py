"""`tuiops sim`: run the simulated cluster in the foreground so kubectl, talosctl or tuiops
can be pointed at it."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from pathlib import Path

from tuiops.cli.output import write_text
from tuiops.errors import TuiopsError
from tuiops.sim.session import start_simulation

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
"""Ctrl-C, `kill`, and the terminal or SSH session closing: each stops the simulation and
removes its temp folder (a `--kubeconfig` file the user named is theirs and stays)."""


def run_sim(args: argparse.Namespace) -> int:
    kubeconfig = Path(args.kubeconfig).resolve() if args.kubeconfig else None
    stopped = threading.Event()
    # Set before the simulation starts, so a signal during startup (or before the wait) stops
    # it too, through the same `finally`, instead of leaving its temp folder behind.
    previous = {sig: signal.signal(sig, lambda *_: stopped.set()) for sig in STOP_SIGNALS}
    try:
        try:
            simulation = start_simulation(args.scenario, port=args.port, kubeconfig=kubeconfig)
        except OSError as error:  # the port is taken, the kubeconfig folder is not writable
            raise TuiopsError(f"cannot start the simulated cluster: {error}") from error
        try:
            write_text(
                f"simulated cluster ({args.scenario}) at {simulation.cluster.url}\n"
                f"  export KUBECONFIG={simulation.kubeconfig}\n"
                f"  export PATH={simulation.bin_dir}:$PATH   # the fake talosctl\n"
                "Ctrl-C stops it.\n",
                flush=True,
            )
            stopped.wait()
        finally:
            simulation.stop()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    with contextlib.suppress(OSError):  # after SIGHUP the terminal may be gone
        write_text("stopped\n", sys.stderr, flush=True)
    return 0
