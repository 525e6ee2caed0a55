"""What the fake `talosctl` prints, formatted exactly as talosctl v1.11 does: Go
text/tabwriter tables (padding 3, last column unpadded), TAB-indented `version` blocks,
go-yaml documents with 4-space indent, 4-space-indented JSON objects with sorted keys, and
the server-side `health` stream.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from tuiops.domain.talos import NodeRole
from tuiops.sim.talos.nodes import HEALTH_CHECKS, SimResourceMeta, SimTalosCluster, SimTalosNode

Target = tuple[str, SimTalosNode]
"""A node as named on the command line (talosctl echoes that name) and the node it reached."""


def tabwrite(text: str, padding: int = 3) -> str:
    """Align tab-separated text like Go's `tabwriter.NewWriter(w, 0, 0, padding, ' ', 0)`.

    A cell is text ended by a TAB; the text after a line's last TAB is not part of any column
    and is never padded. Columns are sized per block of consecutive lines that have them.
    """
    lines = [line.split("\t") for line in text.split("\n")]
    out: list[str] = []
    _format(lines, [], 0, len(lines), padding, out)
    return "".join(out)


def _format(
    lines: list[list[str]], widths: list[int], start: int, stop: int, padding: int, out: list[str]
) -> None:
    # A port of tabwriter.(*Writer).format: recurse column by column over each block.
    column = len(widths)
    line0 = this = start
    while this < stop:
        if column >= len(lines[this]) - 1:
            this += 1
            continue
        _write_lines(lines, widths, line0, this, out)
        line0 = this
        width = 0
        while this < stop and column < len(lines[this]) - 1:
            width = max(width, len(lines[this][column]) + padding)
            this += 1
        widths.append(width)
        _format(lines, widths, line0, this, padding, out)
        widths.pop()
        line0 = this
    _write_lines(lines, widths, line0, stop, out)


def _write_lines(
    lines: list[list[str]], widths: list[int], start: int, stop: int, out: list[str]
) -> None:
    for index in range(start, stop):
        for column, cell in enumerate(lines[index]):
            out.append(cell.ljust(widths[column]) if column < len(widths) else cell)
        if index + 1 < len(lines):
            out.append("\n")


# --- version --------------------------------------------------------------------------------


def _build_lines(tag: str, sha: str, go_version: str, os_arch: str) -> str:
    return (
        f"\tTag:         {tag}\n\tSHA:         {sha}\n\tBuilt:       \n"
        f"\tGo version:  {go_version}\n\tOS/Arch:     {os_arch}\n"
    )


def render_version(cluster: SimTalosCluster, targets: Sequence[Target] | None, short: bool) -> str:
    """`talosctl version` stdout; `targets` None means `--client` (no Server part)."""
    text = "Client:\n"
    if short:
        text += f"Talos {cluster.client_version}\n"
    else:
        text += _build_lines(
            cluster.client_version,
            cluster.client_sha,
            cluster.client_go_version,
            cluster.client_os_arch,
        )
    if targets is None:
        return text
    text += "Server:\n"
    for name, node in targets:
        text += f"\tNODE:        {name}\n"
        text += _build_lines(node.talos_version, node.sha, node.go_version, node.os_arch)
        text += "\tEnabled:     RBAC\n"
    return text


# --- get ------------------------------------------------------------------------------------


def member_resource(name: str, member: SimTalosNode) -> dict[str, Any]:
    """A Member resource of `member`, as reported by the node named `name`."""
    spec: dict[str, Any] = {
        "nodeId": member.node_id,
        "addresses": [member.address],
        "hostname": member.hostname,
        "machineType": member.role.value,
        "operatingSystem": f"Talos ({member.talos_version})",
    }
    if member.role is NodeRole.CONTROLPLANE:
        spec["controlPlane"] = {"port": 6443}
    meta = member.member_meta
    return {
        "node": name,
        "metadata": _metadata("cluster", "Members.cluster.talos.dev", member.hostname, meta),
        "spec": spec,
    }


def machine_status_resource(name: str, node: SimTalosNode) -> dict[str, Any]:
    """The MachineStatus resource of `node`."""
    conditions = [{"name": c.name, "reason": c.reason} for c in node.unmet_conditions]
    return {
        "node": name,
        "metadata": _metadata(
            "runtime", "MachineStatuses.runtime.talos.dev", "machine", node.status_meta
        ),
        "spec": {
            "stage": node.stage,
            "status": {"ready": node.ready, "unmetConditions": conditions},
        },
    }


def _metadata(namespace: str, kind: str, resource_id: str, meta: SimResourceMeta) -> dict[str, Any]:
    owner = {"cluster": "cluster.MemberController", "runtime": "runtime.MachineStatusController"}
    return {
        "namespace": namespace,
        "type": kind,
        "id": resource_id,
        "version": meta.version,
        "owner": owner[namespace],
        "phase": "running",
        "created": meta.created,
        "updated": meta.updated,
    }


def render_resources(resources: list[dict[str, Any]], output: str, columns: Sequence[str]) -> str:
    """`talosctl get` stdout in `table`, `yaml` or `json` form.

    Args:
        resources: resources built by `member_resource` / `machine_status_resource`.
        output: the `-o` value.
        columns: the type's print columns after NODE NAMESPACE TYPE ID VERSION.
    """
    if output == "json":
        return "".join(
            json.dumps(r, indent=4, sort_keys=True, ensure_ascii=False) + "\n" for r in resources
        )
    if output == "yaml":
        return "---\n".join("\n".join(_yaml(r, 0)) + "\n" for r in resources)
    if not resources:
        return ""
    rows = ["\t".join(("NODE", "NAMESPACE", "TYPE", "ID", "VERSION", *columns))]
    for r in resources:
        meta = r["metadata"]
        short_type = _SHORT_TYPES[meta["type"]]
        cells = [r["node"], meta["namespace"], short_type, meta["id"], str(meta["version"])]
        rows.append("\t".join(cells + _print_columns(r)))
    return tabwrite("\n".join(rows) + "\n")


_SHORT_TYPES = {
    "Members.cluster.talos.dev": "Member",
    "MachineStatuses.runtime.talos.dev": "MachineStatus",
}


def _print_columns(resource: dict[str, Any]) -> list[str]:
    spec = resource["spec"]
    if "hostname" in spec:
        addresses = json.dumps(spec["addresses"], separators=(",", ":"))
        return [spec["hostname"], spec["machineType"], spec["operatingSystem"], addresses]
    return [spec["stage"], str(spec["status"]["ready"]).lower()]


def _yaml(value: dict[str, Any], indent: int) -> list[str]:
    lines: list[str] = []
    pad = " " * indent
    for key, item in value.items():
        if isinstance(item, dict) and item:
            lines += [f"{pad}{key}:", *_yaml(item, indent + 4)]
        elif isinstance(item, list) and item:
            lines.append(f"{pad}{key}:")
            for element in item:
                if isinstance(element, dict):
                    nested = _yaml(element, indent + 6)
                    nested[0] = f"{pad}    - {nested[0].lstrip()}"
                    lines += nested
                else:
                    lines.append(f"{pad}    - {_scalar(element)}")
        else:
            lines.append(f"{pad}{key}: {_scalar(item)}")
    return lines


_PLAIN = re.compile(r"^[A-Za-z0-9/(](?:[^:#]|:(?! ))*(?<!:)$")
_LOOKS_TYPED = re.compile(r"^(true|false|null|~|-?\d+(\.\d+)?)$")


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if value in ([], {}):
        return "[]" if value == [] else "{}"
    text = str(value)
    if _PLAIN.match(text) and not _LOOKS_TYPED.match(text) and text == text.strip():
        return text
    return json.dumps(text, ensure_ascii=False)


# --- services, etcd, health -----------------------------------------------------------------


def render_services(targets: Sequence[Target]) -> str:
    """`talosctl services` stdout."""
    rows = ["NODE\tSERVICE\tSTATE\tHEALTH\tLAST CHANGE\tLAST EVENT"]
    for name, node in targets:
        rows += [
            f"{name}\t{s.id}\t{s.state}\t{s.health}\t{s.last_change} ago\t{s.last_event}"
            for s in node.services
        ]
    return tabwrite("\n".join(rows) + "\n")


def render_etcd_members(cluster: SimTalosCluster, targets: Sequence[Target]) -> str:
    """`talosctl etcd members` stdout: each target control plane lists every etcd member."""
    rows = ["NODE\tID\tHOSTNAME\tPEER URLS\tCLIENT URLS\tLEARNER"]
    members = [n for n in cluster.nodes if n.etcd_member_id]
    for name, _ in targets:
        rows += [
            f"{name}\t{m.etcd_member_id}\t{m.hostname}\thttps://{m.address}:2380"
            f"\thttps://{m.address}:2379\tfalse"
            for m in members
        ]
    return tabwrite("\n".join(rows) + "\n")


def render_health(cluster: SimTalosCluster) -> tuple[str, int]:
    """The server-side `talosctl health` stream (stderr) and the exit code.

    Checks pass in order until the first failing one, whose failure text is printed; then
    `healthcheck error: ...` ends the run unless the cluster's final error is empty.
    """
    quoted = " ".join(json.dumps(n.address) for n in cluster.nodes)
    text = f"discovered nodes: [{quoted}]\n"
    failures = {f.check: f.detail for f in cluster.health_failures()}
    for check in (*HEALTH_CHECKS, *(c for c in failures if c not in HEALTH_CHECKS)):
        text += f"waiting for {check}: ...\n"
        if check in failures:
            detail = failures[check]
            text += f"waiting for {check}: {detail}" + ("" if detail.endswith("\n") else "\n")
            if cluster.health_final_error:
                text += f"healthcheck error: {cluster.health_final_error}\n"
            return text, 1
        text += f"waiting for {check}: OK\n"
    return text, 0
