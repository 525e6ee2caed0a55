"""The Talos and Kubernetes versions a repo asks for, and the machines it lists, read from its
talhelper `talconfig.yaml`.

The Talos screen compares these with what the nodes run. Reading is tolerant: a repo without a
talconfig, or with one that is unreadable, broken YAML or missing the keys, gives empty strings
instead of an error, because the comparison is a hint and never a reason to fail.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tuiops.domain.talos import NodeRole, TalosDesired, TalosDesiredNode
from tuiops.gitops.yamldocs import load_documents

TALCONFIG_PATTERNS = (
    "clusters/*/talos/talconfig.yaml",
    "talos/talconfig.yaml",
    "kubernetes/bootstrap/talos/talconfig.yaml",
    "bootstrap/talos/talconfig.yaml",
    "talconfig.yaml",
)
"""Where talhelper configs live in the common homelab layouts, most specific first."""

MAX_BYTES = 1 << 20
"""A talconfig larger than this is not read (it is not a talconfig)."""


def find_talconfig(repo_root: Path) -> Path | None:
    """The first talconfig.yaml of the known layouts inside `repo_root`.

    Files that resolve outside the repo (symlinks) are skipped.

    Args:
        repo_root: the GitOps repository's root folder.

    Returns:
        The file's path, or None when there is none.
    """
    try:
        root = repo_root.resolve()
    except OSError:
        return None
    for pattern in TALCONFIG_PATTERNS:
        try:
            candidates = sorted(root.glob(pattern))
        except OSError:
            continue
        for candidate in candidates:
            try:
                if candidate.is_file() and candidate.resolve().is_relative_to(root):
                    return candidate
            except OSError:
                continue
    return None


def _version(data: dict[Any, Any], key: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""


def _text(value: object) -> str:
    """A scalar as text (YAML may read an address or a name as a number); "" otherwise."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    return str(value).strip()


def _control_plane(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def desired_nodes(data: dict[Any, Any]) -> tuple[TalosDesiredNode, ...]:
    """The `nodes:` entries of a talconfig document; entries that are not maps are skipped.

    Args:
        data: The talconfig's top-level map.

    Returns:
        One node per map entry, in file order.
    """
    listed = data.get("nodes")
    if not isinstance(listed, list):
        return ()
    return tuple(
        TalosDesiredNode(
            hostname=_text(entry.get("hostname")),
            address=_text(entry.get("ipAddress")),
            role=NodeRole.CONTROLPLANE
            if _control_plane(entry.get("controlPlane"))
            else NodeRole.WORKER,
        )
        for entry in listed
        if isinstance(entry, dict)
    )


def desired_versions(repo_root: Path | None) -> TalosDesired:
    """Read `talosVersion`, `kubernetesVersion` and `nodes:` from the repo's talconfig.yaml.

    Never raises: a missing repo or file, an unreadable or oversized file, broken YAML or
    values that are not strings all give empty fields.

    Args:
        repo_root: the GitOps repository's root folder; None when there is no repo.

    Returns:
        The desired versions and the file they came from (all empty when none was found).
    """
    if repo_root is None:
        return TalosDesired()
    path = find_talconfig(repo_root)
    if path is None:
        return TalosDesired()
    try:
        relative = path.relative_to(repo_root.resolve()).as_posix()
    except ValueError:
        relative = path.name
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError:
        return TalosDesired(file=relative)
    if len(raw) > MAX_BYTES:
        return TalosDesired(file=relative)
    parsed = load_documents(raw.decode("utf-8", errors="replace"))
    for document in parsed.documents:
        if isinstance(document.data, dict):
            return TalosDesired(
                talos=_version(document.data, "talosVersion"),
                kubernetes=_version(document.data, "kubernetesVersion"),
                file=relative,
                nodes=desired_nodes(document.data),
            )
    return TalosDesired(file=relative)
