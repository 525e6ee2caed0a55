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

    def derived(self) -> dict[str, str | None]:
        """clustertool's derived variables: `<KEY>_IP`, `_NETMASK`, `_CIDR` for IP values
        (a bare IP gets /24), and `CLUSTERNAME`. An encrypted value might be an IP, so its
        derived names are assumed to exist rather than reported as undefined."""
        derived: dict[str, str | None] = {}
        for key, value in self.values.items():
            if value is None:
                derived.update(dict.fromkeys(key + s for s in DERIVED_SUFFIXES))
                continue
            network = as_interface(value)
            if network is not None:
                derived[key + "_IP"] = str(network.ip)
                derived[key + "_NETMASK"] = str(network.netmask)
                derived[key + "_CIDR"] = str(network.network.prefixlen)
        return derived


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
        return ClusterEnv(file, values, _key_lines(tree.texts.get(file, ""), values))
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
