"""The fake `talosctl` program: answers `version`, `health`, `get members|machinestatus`,
`services` and `etcd members` from a simulated cluster, the way talosctl v1.11 would.

The cluster comes from the JSON state file named by `$TUIOPS_SIM_TALOS_STATE` (else
`fixture_cluster()`). Nodes that do not answer behave as with the real program: stdout keeps
the nodes that answered, stderr lists the others, and the exit code is 1.
`install_fake_talosctl` puts it on a PATH for tests and the demo.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from tuiops.domain.talos import NodeRole
from tuiops.sim.talos.nodes import (
    STATE_ENV,
    SimStateError,
    SimTalosCluster,
    fixture_cluster,
    multi_error,
    read_state,
    unreachable_message,
)
from tuiops.sim.talos.render import (
    Target,
    machine_status_resource,
    member_resource,
    render_etcd_members,
    render_health,
    render_resources,
    render_services,
    render_version,
)

USAGE = """Usage:
  talosctl [command]

Available Commands:
  etcd        Manage etcd
  get         Get a specific resource or list of resources (use 'talosctl get rd' to see all)
  health      Check cluster health
  services    Retrieve the state of a service (or all services), control service state
  version     Prints the version

Flags:
      --context string       Context to be used in command
  -e, --endpoints strings    override default endpoints in Talos configuration
  -n, --nodes strings        target the specified nodes
      --talosconfig string   The path to the Talos configuration file

Use "talosctl [command] --help" for more information about a command.
"""

_VALUE_FLAGS = {
    "-n": "nodes",
    "--nodes": "nodes",
    "-e": "endpoints",
    "--endpoints": "endpoints",
    "--talosconfig": "talosconfig",
    "--context": "context",
    "--cluster": "cluster",
    "-o": "output",
    "--output": "output",
    "--namespace": "namespace",
    "--wait-timeout": "wait-timeout",
    "--control-plane-nodes": "control-plane-nodes",
    "--worker-nodes": "worker-nodes",
    "--init-node": "init-node",
    "--k8s-endpoint": "k8s-endpoint",
}
_BOOL_FLAGS = {"--client", "--short", "--json", "--insecure", "-i", "--server", "--run-e2e"}
_MEMBER_TYPES = {"members", "member", "members.cluster.talos.dev"}
_STATUS_TYPES = {"machinestatus", "machinestatuses", "machinestatuses.runtime.talos.dev"}


class _Usage(Exception):
    """A command-line mistake: printed with the usage text, exit 1 (as cobra does)."""


@dataclass
class _Args:
    words: list[str] = field(default_factory=list)
    values: dict[str, list[str]] = field(default_factory=dict)
    switches: dict[str, str] = field(default_factory=dict)

    def nodes(self) -> list[str]:
        # pflag StringSlice: repeated flags add up, each value may be a comma list
        return [n.strip() for v in self.values.get("nodes", []) for n in v.split(",") if n.strip()]

    def last(self, name: str, default: str) -> str:
        return self.values.get(name, [default])[-1]

    def on(self, name: str) -> bool:
        return self.switches.get(name, "false").lower() in ("true", "1", "")


def _parse(argv: list[str]) -> _Args:
    args = _Args()
    index = 0
    while index < len(argv):
        token = argv[index]
        if token == "--":
            args.words += argv[index + 1 :]
            break
        if not token.startswith("-") or token == "-":
            args.words.append(token)
        elif token.startswith("--"):
            name, eq, value = token.partition("=")
            if name in _BOOL_FLAGS:
                args.switches[name.lstrip("-")] = value if eq else "true"
            elif name not in _VALUE_FLAGS:
                raise _Usage(f"unknown flag: {name}")
            else:
                if not eq:
                    index += 1
                    if index >= len(argv):
                        raise _Usage(f"flag needs an argument: {name}")
                    value = argv[index]
                args.values.setdefault(_VALUE_FLAGS[name], []).append(value)
        else:
            short, rest = token[:2], token[2:]
            if short in _BOOL_FLAGS and not rest:
                args.switches[short.lstrip("-")] = "true"
            elif short not in _VALUE_FLAGS:
                raise _Usage(f"unknown shorthand flag: {token[1]!r} in {token}")
            else:
                if not rest:
                    index += 1
                    if index >= len(argv):
                        raise _Usage(f"flag needs an argument: {token[1]!r} in {token}")
                    rest = argv[index]
                args.values.setdefault(_VALUE_FLAGS[short], []).append(rest.removeprefix("="))
        index += 1
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the fake talosctl.

    Args:
        argv: the arguments after the program name (default: `sys.argv[1:]`).

    Returns:
        The exit code: 0, or 1 on any error (usage, state file, unreachable node, failed check).
    """
    out, err = sys.stdout, sys.stderr
    try:
        args = _parse(list(sys.argv[1:] if argv is None else argv))
        if not args.words:
            out.write(USAGE)
            return 0
        path = os.environ.get(STATE_ENV)
        cluster = read_state(Path(path)) if path else fixture_cluster()
        return _dispatch(args, cluster, out, err)
    except _Usage as exc:
        err.write(f"{exc}\n\n{USAGE}\n")
    except SimStateError as exc:
        err.write(f"{exc}\n")
    return 1


def _dispatch(args: _Args, cluster: SimTalosCluster, out: TextIO, err: TextIO) -> int:
    words = args.words
    head = words[0]
    if head in ("version", "health", "services") and len(words) > 1:
        raise _Usage(f'unknown command "{words[1]}" for "talosctl {head}"')
    reached, failed = _targets(cluster, args.nodes() or list(cluster.context_nodes))
    if head == "version":
        out.write(render_version(cluster, None if args.on("client") else reached, args.on("short")))
        failed = [] if args.on("client") else failed
    elif head == "health":
        if len(reached) + len(failed) > 1:
            err.write('command "health" is not supported with multiple nodes\n')
            return 1
        if failed:
            err.write(multi_error(failed[:1]))
            return 1
        text, code = render_health(cluster)
        err.write(text)
        return code
    elif head == "get":
        if len(words) != 2:
            raise _Usage(f"accepts 1 arg(s), received {len(words) - 1}")
        output = args.last("output", "table")
        if output not in ("table", "yaml", "json"):
            raise _Usage(f'unknown output type: "{output}"')
        kind = words[1].lower()
        if kind in _MEMBER_TYPES:
            resources = [member_resource(name, m) for name, _ in reached for m in cluster.nodes]
            columns: tuple[str, ...] = ("HOSTNAME", "MACHINE TYPE", "OS", "ADDRESSES")
        elif kind in _STATUS_TYPES:
            resources = [machine_status_resource(name, node) for name, node in reached]
            columns = ("STAGE", "READY")
        else:
            err.write(f'resource type "{words[1]}" is not simulated by the fake talosctl\n')
            return 1
        out.write(render_resources(resources, output, columns))
    elif head in ("services", "service"):
        if len(words) > 1:
            err.write(f'the fake talosctl does not simulate "service {words[1]}"\n')
            return 1
        out.write(render_services(reached) if reached else "")
    elif head == "etcd":
        if words[1:] != ["members"]:
            sub = words[1] if len(words) > 1 else ""
            raise _Usage(f'unknown command "{sub}" for "talosctl etcd"')
        control = [(n, node) for n, node in reached if node.role is NodeRole.CONTROLPLANE]
        failed += [f"{t[0]}: {_NOT_CONTROL_PLANE}" for t in reached if t not in control]
        out.write(render_etcd_members(cluster, control) if control else "")
    else:
        raise _Usage(f'unknown command "{head}" for "talosctl"')
    if failed:
        err.write(multi_error(failed))
        return 1
    return 0


_NOT_CONTROL_PLANE = (
    "rpc error: code = Unimplemented desc = member list is only available on control plane nodes"
)


def _targets(cluster: SimTalosCluster, names: list[str]) -> tuple[list[Target], list[str]]:
    """The named nodes that answer, and the multi-error entries of those that do not."""
    reached: list[Target] = []
    failed: list[str] = []
    for name in names:
        node = cluster.node(name)
        if node is not None and node.reachable:
            reached.append((name, node))
        else:
            failed.append(f"{name}: {unreachable_message(name)}")
    return reached, failed


def install_fake_talosctl(bin_dir: Path, state_file: Path | None = None) -> Path:
    """Write an executable `talosctl` into `bin_dir` that runs this fake.

    Args:
        bin_dir: directory to put on PATH (created if missing).
        state_file: simulated cluster for the script to read (sets `$TUIOPS_SIM_TALOS_STATE`
            inside it); None leaves the variable to the caller's environment.

    Returns:
        The script's path.
    """
    bin_dir.mkdir(parents=True, exist_ok=True)
    root = Path(__file__).resolve().parents[3]
    lines = [
        f"#!{sys.executable}",
        '"""Fake talosctl written by tuiops.sim.talos.talosctl.install_fake_talosctl."""',
        "import os",
        "import sys",
        "",
        f"sys.path.insert(0, {str(root)!r})",
    ]
    if state_file is not None:
        lines.append(f"os.environ[{STATE_ENV!r}] = {str(state_file.resolve())!r}")
    lines += ["from tuiops.sim.talos.talosctl import main", "", "sys.exit(main())", ""]
    script = bin_dir / "talosctl"
    script.write_text("\n".join(lines), encoding="utf-8")
    script.chmod(0o755)
    return script


if __name__ == "__main__":
    sys.exit(main())
