"""Pure readers for what `talosctl` prints: Go tabwriter tables, `-o json` (concatenated
objects, not an array), `-o yaml` (`---`-separated documents), `version` blocks and the
`health` stream. No process is started here; `tuiops.adapters.talosctl` runs the program.

Every reader either returns domain objects or raises `TalosOutputError` with a sentence that
says what was expected: hostile or truncated output never surfaces as an IndexError.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

from tuiops.adapters.talosctl_yaml import load_yaml_documents
from tuiops.domain.talos import (
    ClusterHealth,
    EtcdMember,
    HealthCheck,
    HealthCheckState,
    MachineStage,
    MachineStatus,
    Member,
    NodeError,
    NodeRole,
    NodeVersion,
    ServiceHealth,
    ServiceState,
    TalosService,
    UnmetCondition,
    VersionReport,
)
from tuiops.errors import ClusterError


class TalosOutputError(ClusterError):
    """talosctl printed something tuiops cannot read (garbage, truncated, or nothing)."""


def parse_node_errors(stderr: str) -> tuple[NodeError, ...]:
    """Find the per-node failures talosctl reports on stderr.

    Recognises the multi-error list (`\\t* 192.168.10.22: rpc error: ...`) and the newer
    `error getting version from node 192.168.10.22: ...` wording. Other lines are ignored.
    """
    errors: list[NodeError] = []
    for line in stderr.splitlines():
        match = _BULLET_ERROR.match(line) or _FROM_NODE_ERROR.match(line)
        if match:
            errors.append(NodeError(match["node"], match["message"].strip()))
    return tuple(errors)


_BULLET_ERROR = re.compile(r"^\s*\* (?P<node>\S+?): (?P<message>.*)$")
_FROM_NODE_ERROR = re.compile(
    r"^(?:WARNING: )?error \w+ \w+ from node (?P<node>\S+?): (?P<message>.*)$"
)


# --- tables ---------------------------------------------------------------------------------

_HEADER_CELL = re.compile(r"\S+(?: \S+)*")


def parse_table(text: str, required: Sequence[str]) -> list[dict[str, str]]:
    """Read a left-aligned Go tabwriter table by the header's column offsets.

    Cells may contain single spaces (`Talos (v1.11.5)`, `shutting down`), so columns are cut
    where the header's names start, which tabwriter guarantees for every row of one table.

    Raises:
        TalosOutputError: no header, a required column missing, or a row out of line.
    """
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise TalosOutputError("talosctl printed no table")
    columns = [(m.group(), m.start()) for m in _HEADER_CELL.finditer(lines[0])]
    names = [name for name, _ in columns]
    missing = [name for name in required if name not in names]
    if missing:
        raise TalosOutputError(
            f"expected a talosctl table with {', '.join(required)}; got {_clip(lines[0])!r}"
        )
    rows: list[dict[str, str]] = []
    for line in lines[1:]:
        row: dict[str, str] = {}
        for index, (name, start) in enumerate(columns):
            end = columns[index + 1][1] if index + 1 < len(columns) else None
            if index and len(line) > start and line[start - 1] != " ":
                raise TalosOutputError(f"talosctl table row does not line up: {_clip(line)!r}")
            row[name] = line[start:end].strip()
        rows.append(row)
    return rows


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _bool(text: str, what: str) -> bool:
    value = text.strip().lower()
    if value not in ("true", "false"):
        raise TalosOutputError(f"talosctl printed {what} {text!r}, expected true or false")
    return value == "true"


# --- json / yaml resources ------------------------------------------------------------------


def iter_json_objects(text: str) -> Iterator[dict[str, Any]]:
    """Yield each object of `talosctl -o json` output (objects written one after another)."""
    decoder = json.JSONDecoder()
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise TalosOutputError(f"talosctl printed invalid JSON: {exc}") from None
        if not isinstance(value, dict):
            raise TalosOutputError("talosctl -o json printed something other than objects")
        yield value


def _resources(text: str, kind: str) -> list[dict[str, Any]] | None:
    """The resources of `talosctl get -o json|yaml`, or None when `text` looks like a table."""
    stripped = text.lstrip()
    if stripped.startswith("{"):
        return list(iter_json_objects(text))
    first = stripped.split("\n", 1)[0]
    if not first.startswith(("node:", "---", "metadata:", "spec:")):
        return None
    try:
        documents = load_yaml_documents(text)
    except ValueError as exc:
        raise TalosOutputError(f"talosctl printed YAML tuiops cannot read: {exc}") from None
    if not all(isinstance(doc, dict) for doc in documents):
        raise TalosOutputError(f"talosctl -o yaml printed a {kind} that is not a mapping")
    return documents


def _field(obj: Any, *path: str, kind: str = "resource") -> Any:
    for key in path:
        if not isinstance(obj, dict) or key not in obj:
            raise TalosOutputError(f"talosctl {kind} has no {'.'.join(path)}")
        obj = obj[key]
    return obj


def _text(obj: Any, *path: str, kind: str) -> str:
    value = _field(obj, *path, kind=kind)
    if value is None:
        return ""
    if isinstance(value, dict | list):
        raise TalosOutputError(f"talosctl {kind} field {'.'.join(path)} is not text")
    return str(value)


def _required_text(text: str) -> str:
    if not text.strip():
        raise TalosOutputError("talosctl printed nothing")
    return text


# --- readers --------------------------------------------------------------------------------


def parse_members(text: str) -> tuple[Member, ...]:
    """Read `talosctl get members` in table, `-o yaml` or `-o json` form."""
    resources = _resources(_required_text(text), "member")
    if resources is None:
        return tuple(
            Member(
                node=row.get("NODE", ""),
                id=row["ID"],
                hostname=row["HOSTNAME"],
                machine_type=NodeRole.parse(row["MACHINE TYPE"]),
                os=row["OS"],
                addresses=_address_list(row["ADDRESSES"]),
            )
            for row in parse_table(text, ("ID", "HOSTNAME", "MACHINE TYPE", "OS", "ADDRESSES"))
        )
    return tuple(_member(res) for res in resources)


def _member(res: dict[str, Any]) -> Member:
    kind = "member"
    spec = _field(res, "spec", kind=kind)
    addresses = _field(spec, "addresses", kind=kind) or []
    if not isinstance(addresses, list):
        raise TalosOutputError("talosctl member spec.addresses is not a list")
    return Member(
        node=_text(res, "node", kind=kind) if "node" in res else "",
        id=_text(res, "metadata", "id", kind=kind),
        hostname=_text(spec, "hostname", kind=kind),
        machine_type=NodeRole.parse(_text(spec, "machineType", kind=kind)),
        os=_text(spec, "operatingSystem", kind=kind),
        addresses=tuple(str(address) for address in addresses),
        node_id=_text(spec, "nodeId", kind=kind) if "nodeId" in spec else "",
    )


def _address_list(cell: str) -> tuple[str, ...]:
    try:
        value = json.loads(cell)
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, list):
        raise TalosOutputError(f"talosctl members ADDRESSES is not a JSON list: {_clip(cell)!r}")
    return tuple(str(address) for address in value)


def parse_machine_status(text: str) -> tuple[MachineStatus, ...]:
    """Read `talosctl get machinestatus` in table, `-o yaml` or `-o json` form."""
    resources = _resources(_required_text(text), "machine status")
    if resources is None:
        return tuple(
            MachineStatus(
                node=row.get("NODE", ""),
                stage=MachineStage.parse(row["STAGE"]),
                ready=_bool(row["READY"], "READY"),
            )
            for row in parse_table(text, ("STAGE", "READY"))
        )
    statuses: list[MachineStatus] = []
    kind = "machine status"
    for res in resources:
        status = _field(res, "spec", "status", kind=kind)
        ready = _field(status, "ready", kind=kind)
        conditions = status.get("unmetConditions") or []
        if not isinstance(ready, bool) or not isinstance(conditions, list):
            raise TalosOutputError("talosctl machine status has a malformed spec.status")
        statuses.append(
            MachineStatus(
                node=_text(res, "node", kind=kind) if "node" in res else "",
                stage=MachineStage.parse(_text(res, "spec", "stage", kind=kind)),
                ready=ready,
                unmet_conditions=tuple(
                    UnmetCondition(_text(c, "name", kind=kind), _text(c, "reason", kind=kind))
                    for c in conditions
                ),
            )
        )
    return tuple(statuses)


def parse_services(text: str) -> tuple[TalosService, ...]:
    """Read the `talosctl services` table."""
    rows = parse_table(
        _required_text(text), ("SERVICE", "STATE", "HEALTH", "LAST CHANGE", "LAST EVENT")
    )
    return tuple(
        TalosService(
            node=row.get("NODE", ""),
            id=row["SERVICE"],
            state=ServiceState.parse(row["STATE"]),
            health=ServiceHealth.parse(row["HEALTH"]),
            last_change=row["LAST CHANGE"],
            last_event=row["LAST EVENT"],
        )
        for row in rows
    )


def parse_etcd_members(text: str) -> tuple[EtcdMember, ...]:
    """Read the `talosctl etcd members` table (older talosctl omit NODE and LEARNER)."""
    rows = parse_table(_required_text(text), ("ID", "HOSTNAME", "PEER URLS", "CLIENT URLS"))
    return tuple(
        EtcdMember(
            node=row.get("NODE", ""),
            id=row["ID"],
            hostname=row["HOSTNAME"],
            peer_urls=tuple(u for u in row["PEER URLS"].split(",") if u),
            client_urls=tuple(u for u in row["CLIENT URLS"].split(",") if u),
            learner=_bool(row["LEARNER"], "LEARNER") if row.get("LEARNER") else False,
        )
        for row in rows
    )


def parse_version(text: str) -> VersionReport:
    """Read `talosctl version` (long or `--short`; with or without the server part).

    Per-node errors are on stderr; add them with `parse_node_errors`.
    """
    client: dict[str, str] | None = None
    servers: list[dict[str, str]] = []
    section = ""
    for raw in _required_text(text).splitlines():
        line = raw.strip()
        if line in ("Client:", "Server:"):
            section = line[:-1]
            client = {} if section == "Client" else client
            continue
        if not line:
            continue
        if not section:
            raise TalosOutputError(f"unexpected talosctl version line: {_clip(line)!r}")
        short = _SHORT_VERSION.match(line)
        key, sep, value = ("Tag", ":", short[1]) if short else line.partition(":")
        if not sep:
            raise TalosOutputError(f"unexpected talosctl version line: {_clip(line)!r}")
        if section == "Server" and key.strip() == "NODE":
            servers.append({"NODE": value.strip()})
            continue
        if section == "Server" and not servers:
            servers.append({"NODE": ""})
        target = client if section == "Client" and client is not None else servers[-1]
        target[key.strip()] = value.strip()
    blocks = ([client] if client is not None else []) + servers
    if not blocks or any("Tag" not in block for block in blocks):
        raise TalosOutputError("talosctl version printed no Tag")
    return VersionReport(
        client=_node_version(client) if client is not None else None,
        servers=tuple(_node_version(block) for block in servers),
    )


def _node_version(block: dict[str, str]) -> NodeVersion:
    return NodeVersion(
        node=block.get("NODE", ""),
        tag=block["Tag"],
        sha=block.get("SHA", ""),
        go_version=block.get("Go version", ""),
        os_arch=block.get("OS/Arch", ""),
        enabled=tuple(f.strip() for f in block.get("Enabled", "").split(",") if f.strip()),
    )


_SHORT_VERSION = re.compile(r"^Talos (v\S+)$")


def parse_health(text: str) -> ClusterHealth:
    """Read the `talosctl health` stream (server-side on stderr, or `--server=false`).

    A check reported several times keeps its last state; a failure text spanning lines (the
    `1 error occurred:` list) is kept whole. Lines the stream does not explain become the
    final error when no `healthcheck error:` line gave one.

    Raises:
        TalosOutputError: the text holds no health report at all.
    """
    discovered: tuple[str, ...] = ()
    checks: dict[str, HealthCheck] = {}
    failing = ""
    error = ""
    stray: list[str] = []
    for line in _required_text(text).splitlines():
        if line.startswith("discovered nodes:"):
            inside = line.partition(":")[2].strip().strip("[]")
            discovered = tuple(re.findall(r'"([^"]*)"', inside)) or tuple(inside.split())
            failing = ""
        elif match := _WAITING.match(line):
            name, rest = match["name"], match["rest"].strip()
            state = _CHECK_STATES.get(rest, HealthCheckState.FAILED)
            checks[name] = HealthCheck(
                name, state, rest if state is HealthCheckState.FAILED else ""
            )
            failing = name if state is HealthCheckState.FAILED else ""
        elif line.startswith("healthcheck error:"):
            error = line.partition(":")[2].strip()
            failing = ""
        elif failing:
            check = checks[failing]
            checks[failing] = HealthCheck(check.name, check.state, f"{check.detail}\n{line}")
        elif line.strip():
            stray.append(line.strip())
    if not checks and not discovered and not error:
        raise TalosOutputError(f"talosctl health printed no checks: {_clip(text.strip())!r}")
    return ClusterHealth(
        discovered_nodes=discovered,
        checks=tuple(HealthCheck(c.name, c.state, c.detail.rstrip()) for c in checks.values()),
        error=error or "\n".join(stray),
    )


_WAITING = re.compile(r"^waiting for (?P<name>.+?): (?P<rest>.*)$")
_CHECK_STATES = {
    "...": HealthCheckState.PENDING,
    "OK": HealthCheckState.OK,
    "SKIP": HealthCheckState.SKIPPED,
}
