"""Benchmark: how long tuiops takes to say clearly that a connection is broken, and to be live
again once it is not (issue 12, "The connection tells the truth").

Run: `.venv/bin/python tests/benchmarks/bench_connection_faults.py [--json] [--case NAME]`.
Each case runs once: a watcher on Kustomizations (the console's feed) and a fresh
`tuiops status --example` process during the fault. Columns:

- `state`: where the feed went, and `to state` the seconds from the fault to it (limit 10);
- `status`: wall seconds of `tuiops status` during the fault (limit 10), and its one line;
- `to live`: seconds from the server answering again to the feed being LIVE.

The kubeconfig cases have no feed: only `tuiops status` is timed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
if str(PROJECT_ROOT) not in sys.path:  # run as a script: make the `tests` package importable
    sys.path.insert(0, str(PROJECT_ROOT))

from tests.adapters.fault_cases import (  # noqa: E402
    proxied_case,
    restart_case,
    sigstop_case,
    silent_from_start_case,
)
from tests.adapters.faults import (  # noqa: E402
    FaultServer,
    env_with_kubeconfig,
    kubeconfig_text,
    run_status,
)


def _status_only(
    name: str, config: str, user: str = "", plugin: str = ""
) -> Callable[[Path], dict[str, Any]]:
    def run(workdir: Path) -> dict[str, Any]:
        server = FaultServer(mode="silent").start()
        try:
            if plugin:
                script = workdir / "plugin"
                script.write_text(f"#!{sys.executable}\nimport sys, time\n{plugin}\n", "utf-8")
                script.chmod(0o755)
            path = workdir / "config"
            text = config or kubeconfig_text(
                server.url, user=user.replace("PLUGIN", str(workdir / "plugin"))
            )
            path.write_text(text, "utf-8")
            done = run_status(env_with_kubeconfig(str(path)))
        finally:
            server.stop()
        return {
            "case": name,
            "status_seconds": done.seconds,
            "status_code": done.returncode,
            "status_stderr": done.stderr,
            "requests_sent": server.accepted,
        }

    return run


EXEC_USER = (
    "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: PLUGIN\n"
)

CASES: dict[str, Callable[[Path], Any]] = {
    "silent-from-start": lambda d: silent_from_start_case(d, "silent"),
    "dribble-from-start": lambda d: silent_from_start_case(d, "dribble"),
    "dribble-chunked-from-start": lambda d: silent_from_start_case(d, "dribble-chunked"),
    "turns-silent": lambda d: proxied_case(d, "silent"),
    "turns-dribble": lambda d: proxied_case(d, "dribble"),
    "turns-dribble-chunked": lambda d: proxied_case(d, "dribble-chunked"),
    "sigstop": sigstop_case,
    "kill-restart": restart_case,
    "kubeconfig-invalid-yaml": _status_only("kubeconfig-invalid-yaml", "clusters: [\n"),
    "kubeconfig-no-current-context": _status_only(
        "kubeconfig-no-current-context",
        kubeconfig_text("http://127.0.0.1:9").replace("current-context: x\n", ""),
    ),
    "exec-plugin-fails": _status_only(
        "exec-plugin-fails",
        "",
        EXEC_USER,
        'print("error: login expired", file=sys.stderr); sys.exit(1)',
    ),
    "exec-plugin-hangs": _status_only("exec-plugin-hangs", "", EXEC_USER, "time.sleep(300)"),
}


def _row(result: dict[str, Any]) -> str:
    state = f"{result['state']} after {result['to_state']:.2f} s" if "state" in result else "-"
    live = f"{result['to_live']:.2f} s" if result.get("to_live") is not None else "-"
    line = result["status_stderr"].strip() or "(exit 0)"
    return (
        f"{result['case']:<30} {state:<28} status {result['status_seconds']:5.2f} s"
        f" (exit {result['status_code']})  to live {live:<7}  {line}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")
    parser.add_argument("--case", action="append", choices=sorted(CASES), help="only these")
    args = parser.parse_args()
    results: list[dict[str, Any]] = []
    for name in args.case or CASES:
        with tempfile.TemporaryDirectory(prefix="tuiops-fault-") as workdir:
            measured = CASES[name](Path(workdir))
        result = measured if isinstance(measured, dict) else measured.as_json()
        result["case"] = name
        results.append(result)
        if not args.json:
            print(_row(result), flush=True)
    if args.json:
        print(json.dumps({"cases": results}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
