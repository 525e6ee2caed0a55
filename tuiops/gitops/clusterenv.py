"""clustertool's `clusterenv.yaml`: its keys are readable while the values stay encrypted."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from tuiops.domain.decode import as_map, as_str
from tuiops.domain.refs import SourceLocation
from tuiops.gitops.scope import ENCRYPTED_VALUE
from tuiops.gitops.tree import RepoTree

DERIVED_SUFFIXES = ("_IP", "_NETMASK", "_CIDR")


@dataclass(frozen=True, slots=True)
class ClusterEnv:
    """The keys of a clusterenv file, with plaintext values where the file has them."""

    file: str
    values: dict[str, str | None]
    lines: dict[str, int]
    text: str = ""
    """The file as written (clustertool checks some things line by line)."""

    @property
    def is_clustertool(self) -> bool:
        """True for clustertool's `clusters/<name>/clusterenv.yaml` (not the legacy talenv)."""
        return self.file.endswith("/clusterenv.yaml")

    def derived(self) -> dict[str, str | None]:
        """clustertool's derived variables: `<KEY>_IP`, `_NETMASK` (the prefix length) and
        `_CIDR` (`ip/prefix`) for IP values, a bare IP getting /24 (`PostProcessTalEnv`). An
        encrypted value might be an IP, so its derived names are assumed to exist (value
        unknown) rather than reported as undefined."""
        derived: dict[str, str | None] = {}
        for key, value in self.values.items():
            if value is None:
                derived.update(dict.fromkeys(key + s for s in DERIVED_SUFFIXES))
                continue
            split = split_ip(value)
            if split is not None:
                ip, prefix = split
                derived[key + "_IP"] = ip
                derived[key + "_NETMASK"] = prefix
                derived[key + "_CIDR"] = f"{ip}/{prefix}"
        return derived


def split_ip(value: str) -> tuple[str, str] | None:
    """(ip, prefix) as clustertool's `splitIPandNetmask` splits an `ip` or `ip/prefix` value
    (a bare IP gets prefix 24); None when it is neither."""
    parts = value.split("/")
    if len(parts) > 2:
        return None
    try:
        if len(parts) == 2:
            ipaddress.ip_interface(value)
            return parts[0], parts[1]
        ipaddress.ip_address(value)
    except ValueError:
        return None
    return value, "24"


def as_interface(value: str) -> ipaddress.IPv4Interface | ipaddress.IPv6Interface | None:
    """`value` as an IP with prefix (bare IPs get /24, as clustertool assumes), else None."""
    text = value.strip()
    if not text or not (text[0].isdigit() or ":" in text):
        return None
    try:
        return ipaddress.ip_interface(text if "/" in text else f"{text}/24")
    except ValueError:
        return None


def read_clusterenv(tree: RepoTree, cluster: str) -> ClusterEnv | None:
    """`clusters/<cluster>/clusterenv.yaml`, or the legacy root `talenv.yaml`."""
    for file in (f"clusters/{cluster}/clusterenv.yaml", "talenv.yaml"):
        documents = tree.documents(file)
        if not documents:
            continue
        values: dict[str, str | None] = {}
        for key, value in as_map(documents[0].data).items():
            if key == "sops":
                continue
            text = as_str(value)
            values[str(key)] = None if ENCRYPTED_VALUE.match(text) else text
        text = tree.texts.get(file, "")
        return ClusterEnv(file, values, _key_lines(text, values), text)
    return None


def _key_lines(text: str, keys: dict[str, str | None]) -> dict[str, int]:
    lines = {}
    for number, line in enumerate(text.splitlines(), start=1):
        key = line.split(":", 1)[0].strip()
        if key in keys and not line.startswith((" ", "\t")) and key not in lines:
            lines[key] = number
    return lines


def location_of(env: ClusterEnv, key: str) -> SourceLocation:
    return SourceLocation(env.file, env.lines.get(key, 1))
