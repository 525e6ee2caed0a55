"""`tuiops sim`: run the simulated cluster in the foreground so kubectl, talosctl or tuiops
can be pointed at it."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from tuiops.cli.output import write_text
from tuiops.sim.session import start_simulation


def run_sim(args: argparse.Namespace) -> int:
    kubeconfig = Path(args.kubeconfig).resolve() if args.kubeconfig else None
    simulation = start_simulation(args.scenario, port=args.port, kubeconfig=kubeconfig)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    write_text(
        f"simulated cluster ({args.scenario}) at {simulation.cluster.url}\n"
        f"  export KUBECONFIG={simulation.kubeconfig}\n"
        f"  export PATH={simulation.bin_dir}:$PATH   # the fake talosctl\n"
        "Ctrl-C stops it.\n",
        flush=True,
    )
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        simulation.stop()
    write_text("stopped\n", sys.stderr)
    return 0
