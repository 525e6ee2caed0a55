"""The `talosctl` adapter: runs talosctl (argv only, through `tuiops.adapters.process`) and
turns what it prints into `tuiops.domain.talos` objects.

talosctl answers for every node it reached on stdout and lists the nodes it could not reach on
stderr with a non-zero exit, so each call runs with `check=False` and reads both streams: a dead
node becomes a `NodeError` next to the other nodes' data. `CommandFailed` is raised only when
nothing usable came back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from tuiops.adapters.process import CommandFailed, Completed, run
from tuiops.adapters.talosctl_parse import (
    TalosOutputError,
    parse_etcd_members,
    parse_health,
    parse_machine_status,
    parse_members,
    parse_node_errors,
    parse_services,
    parse_version,
)
from tuiops.domain.talos import (
    ClusterHealth,
    EtcdMember,
    MachineStatus,
    Member,
    NodeError,
    NodeResults,
    TalosNode,
    TalosService,
    VersionReport,
    summarize_nodes,
)

T = TypeVar("T")

__all__ = ["TalosCli", "TalosOutputError"]


class TalosCli:
    """Reads a Talos cluster through the `talosctl` program.

    The per-node queries (`members`, `machine_status`, `services`, `etcd_members`) take an
    optional `nodes` that overrides the configured targets for that call, and return
    `NodeResults`: the answers plus a `NodeError` per node that failed (node "" when talosctl
    exited non-zero without naming one). They raise `ToolNotFound` when talosctl is missing,
    `CommandFailed` when it failed (or timed out) with nothing usable, and `TalosOutputError`
    when it exited 0 but printed something unreadable.

    Args:
        binary: program name or path.
        talosconfig: `--talosconfig` file; None lets talosctl use `$TALOSCONFIG` or its default.
        context: `--context` to use; None uses the talosconfig's current context.
        nodes: `--nodes` to target; empty uses the context's nodes.
        timeout: seconds before a call is killed.
        env: the full environment for talosctl (default: inherited).
    """

    def __init__(
        self,
        binary: str = "talosctl",
        *,
        talosconfig: str | None = None,
        context: str | None = None,
        nodes: tuple[str, ...] = (),
        timeout: float = 15.0,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.binary = binary
        self.talosconfig = talosconfig
        self.context = context
        self.nodes = tuple(nodes)
        self.timeout = timeout
        self.env = dict(env) if env is not None else None

    def version(self, *, client_only: bool = False) -> VersionReport:
        """`talosctl version`: the client build and each target node's.

        Args:
            client_only: ask only for the client (`--client`); no node is contacted.

        Raises:
            ToolNotFound: talosctl is not installed.
            CommandFailed: talosctl failed and named no node that failed.
            TalosOutputError: talosctl exited 0 but printed something unreadable.
        """
        done = self._run(("version", "--client") if client_only else ("version",))
        errors = parse_node_errors(done.stderr)
        report = self._parsed(done, parse_version)
        if done.returncode != 0 and not errors and (client_only or not report.servers):
            raise CommandFailed(done.argv, done.returncode, done.stderr)
        return VersionReport(report.client, report.servers, errors + self._unnamed(done, errors))

    def health(self, *, wait_timeout: float | None = None) -> ClusterHealth:
        """`talosctl health` (the server-side check), read from its stderr stream.

        A failing cluster is a result (`ClusterHealth.ok` is False), not an exception.

        Args:
            wait_timeout: `--wait-timeout` in seconds; defaults to 5 s less than the call's
                timeout so talosctl gives up (and says why) before it is killed.

        Raises:
            ToolNotFound: talosctl is not installed.
            CommandFailed: talosctl failed without printing any health report.
            TalosOutputError: talosctl exited 0 but printed no health report.
        """
        wait = wait_timeout if wait_timeout is not None else max(1.0, self.timeout - 5.0)
        # talosctl refuses `health` with several nodes: the first one runs the check
        done = self._run(("health", f"--wait-timeout={_duration(wait)}"), self.nodes[:1])
        stream = done.stderr if "waiting for " in done.stderr else done.stdout + done.stderr
        health = self._parsed(done, parse_health, stream)
        if done.returncode != 0 and not health.error and not health.failed_checks:
            last = done.stderr.strip().splitlines()[-1:] or [f"exited {done.returncode}"]
            return ClusterHealth(health.discovered_nodes, health.checks, last[0])
        return health

    def members(self, nodes: Sequence[str] | None = None) -> NodeResults[Member]:
        """`talosctl get members -o json`: the cluster's discovery members, per queried node."""
        return self._query(("get", "members", "-o", "json"), parse_members, nodes)

    def machine_status(self, nodes: Sequence[str] | None = None) -> NodeResults[MachineStatus]:
        """`talosctl get machinestatus -o json`: stage and readiness of each queried node."""
        return self._query(("get", "machinestatus", "-o", "json"), parse_machine_status, nodes)

    def services(self, nodes: Sequence[str] | None = None) -> NodeResults[TalosService]:
        """`talosctl services`: the system services of each queried node."""
        return self._query(("services",), parse_services, nodes)

    def etcd_members(self, nodes: Sequence[str] | None = None) -> NodeResults[EtcdMember]:
        """`talosctl etcd members`: the etcd membership as each queried control plane sees it."""
        return self._query(("etcd", "members"), parse_etcd_members, nodes)

    def cluster_nodes(self) -> tuple[TalosNode, ...]:
        """One summary row per machine: members first, then version and machine status of
        every member address (or of the configured `nodes`), so dead nodes show as unreachable.

        Raises:
            ToolNotFound: talosctl is not installed.
            CommandFailed: the members query failed outright.
        """
        members = self.members()
        targets = self.nodes or tuple(
            dict.fromkeys(m.addresses[0] for m in members.items if m.addresses)
        )
        versions = self._query(("version",), lambda t: parse_version(t).servers, targets)
        statuses = self.machine_status(targets)
        return summarize_nodes(
            members.items,
            versions.items,
            statuses.items,
            (*members.errors, *versions.errors, *statuses.errors),
        )

    # --- running ---------------------------------------------------------------------------

    def _argv(self, args: Sequence[str], nodes: Sequence[str] | None) -> list[str]:
        argv = [self.binary, *args]
        if self.talosconfig:
            argv += ["--talosconfig", self.talosconfig]
        if self.context:
            argv += ["--context", self.context]
        targets = tuple(nodes) if nodes is not None else self.nodes
        if targets:
            argv += ["--nodes", ",".join(targets)]
        return argv

    def _run(self, args: Sequence[str], nodes: Sequence[str] | None = None) -> Completed:
        return run(self._argv(args, nodes), timeout=self.timeout, env=self.env, check=False)

    def _query(
        self,
        args: Sequence[str],
        parse: Callable[[str], tuple[T, ...]],
        nodes: Sequence[str] | None,
    ) -> NodeResults[T]:
        done = self._run(args, nodes)
        errors = parse_node_errors(done.stderr)
        items: tuple[T, ...] = ()
        if done.stdout.strip() or not errors:
            items = self._parsed(done, parse)
        if done.returncode != 0 and not items and not errors:
            raise CommandFailed(done.argv, done.returncode, done.stderr)
        return NodeResults(items, errors + self._unnamed(done, errors))

    @staticmethod
    def _parsed(done: Completed, parse: Callable[[str], T], text: str | None = None) -> T:
        """Parse `text` (default stdout); a failed run's unreadable output is a CommandFailed,
        since its stderr explains more than the parse error would."""
        try:
            return parse(done.stdout if text is None else text)
        except TalosOutputError:
            if done.returncode != 0:
                raise CommandFailed(done.argv, done.returncode, done.stderr) from None
            raise

    @staticmethod
    def _unnamed(done: Completed, errors: tuple[NodeError, ...]) -> tuple[NodeError, ...]:
        """A non-zero exit that named no node is still reported, as an error with no node."""
        if done.returncode == 0 or errors:
            return ()
        last = done.stderr.strip().splitlines()[-1:] or [f"talosctl exited {done.returncode}"]
        return (NodeError("", last[0].strip()),)


def _duration(seconds: float) -> str:
    """Seconds as a Go duration flag value (`10s`, `1.5s`)."""
    return f"{seconds:g}s"
