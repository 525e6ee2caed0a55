"""What clustertool itself needs from `clusterenv.yaml` (docs/clustertool.md §2 and §3).

clustertool loads every clusterenv key into its environment, derives `<KEY>_IP`, `_NETMASK`
and `_CIDR` from each IP or CIDR value, and reads a few keys itself. Its `genconfig` and `init`
refuse to run (`CheckEnvVariables`) unless the required keys are non-empty and the addresses
are consistent. Values SOPS encrypted are unknown offline: those rules are only judged on
cleartext values, and a finding says which could not be.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from tuiops.domain.findings import Finding, Severity
from tuiops.gitops.clusterenv import DERIVED_SUFFIXES, ClusterEnv, location_of, split_ip

HEADLAMP = "HEADLAMP_IP"
DASHBOARD = "DASHBOARD_IP"
"""Older clustertool versions required DASHBOARD_IP where today's require HEADLAMP_IP."""

READS: dict[str, str] = {
    "VIP": "required; the talosctl endpoint (VIP_IP) for health, kubeconfig and upgrades",
    "MASTER1IP": "required; MASTER1IP_IP, _NETMASK and _CIDR are derived from it",
    "GATEWAY": "required; outside METALLB_RANGE",
    "METALLB_RANGE": "required address range",
    HEADLAMP: "required; inside METALLB_RANGE",
    DASHBOARD: "required by older versions, HEADLAMP_IP by today's",
    "PODNET": "required CIDR",
    "SVCNET": "required CIDR",
    "DOMAIN_0": "required, non-empty",
    "DOMAIN_0_EMAIL": "required, non-empty",
    "DOMAIN_0_CLOUDFLARE_TOKEN": "required, non-empty",
    "GITHUB_REPOSITORY": "deploy key and the URL of repositories/git/this-repo.yaml",
    "DOCKERHUB_USER": "with DOCKERHUB_PASSWORD: registry auth in talos/patches/all.yaml",
    "DOCKERHUB_PASSWORD": "with DOCKERHUB_USER: registry auth in talos/patches/all.yaml",
    "CLUSTERNAME": "set by clustertool from --cluster",
}
"""clusterenv keys clustertool's own code reads, and why."""

DERIVED_READS = ("VIP_IP", "MASTER1IP_IP", "MASTER1IP_NETMASK", "MASTER1IP_CIDR")
"""Derived keys clustertool's own code reads (CheckEnvVariables, the talosctl endpoint)."""

_REQUIRED = (
    "VIP",
    "MASTER1IP",
    "GATEWAY",
    "METALLB_RANGE",
    HEADLAMP,
    "PODNET",
    "SVCNET",
    "DOMAIN_0",
    "DOMAIN_0_EMAIL",
    "DOMAIN_0_CLOUDFLARE_TOKEN",
)
_ADDRESS_KEYS = ("VIP", "MASTER1IP", "GATEWAY", "METALLB_RANGE", "PODNET", "SVCNET")
_UNQUOTED_NUMBER = re.compile(r"^[0-9]+(\.[0-9]+)?$")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def needs(env: ClusterEnv, used: Iterable[str]) -> dict[str, str]:
    """Names clustertool needs, with why: keys it reads, derived keys it reads, and keys whose
    derived names `used` holds (talconfig's `${MASTER1IP_CIDR}` needs MASTER1IP).

    Args:
        env: the cluster's clusterenv.
        used: names used where clustertool's environment fills them (talconfig).

    Returns:
        Name → why, empty for the legacy talenv.yaml.
    """
    if not env.is_clustertool:
        return {}  # the legacy talenv.yaml is read by talhelper alone
    found = {
        key: f"read by clustertool: {why}"
        for key, why in READS.items()
        if key in env.values or key == "CLUSTERNAME"
    }
    for name in DERIVED_READS:
        source = name.rsplit("_", 1)[0]
        if source in env.values:
            found[name] = f"derived from {source} and read by clustertool"
    used_names = set(used)
    for key in env.values:
        derived = [key + s for s in DERIVED_SUFFIXES if key + s in used_names]
        if derived and key not in found:
            found[key] = f"clustertool derives {', '.join(derived)} from it"
        for name in derived:
            found.setdefault(name, f"derived by clustertool from {key}")
    return found


def _ip(value: str | None) -> Address | None:
    split = split_ip(value) if value is not None else None
    return ipaddress.ip_address(split[0]) if split is not None else None


def _network(value: str | None) -> Network | None:
    if value is None or "/" not in value:
        return None
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        return None


def _range(value: str | None) -> tuple[Address, Address] | Network | None:
    """METALLB_RANGE as `start-end` (what clustertool checks) or a CIDR."""
    if value is None:
        return None
    if "-" in value:
        start, _, end = value.partition("-")
        try:
            return ipaddress.ip_address(start.strip()), ipaddress.ip_address(end.strip())
        except ValueError:
            return None
    return _network(value)


def _inside(ip: Address, area: tuple[Address, Address] | Network) -> bool:
    if isinstance(area, tuple):
        start, end = area
        same = ip.version == start.version == end.version
        return same and int(start) <= int(ip) <= int(end)
    return ip in area


class _Checker:
    def __init__(self, env: ClusterEnv) -> None:
        self.env = env
        self.findings: list[Finding] = []
        self.unchecked: set[str] = set()

    def report(self, key: str, code: str, message: str) -> None:
        where = location_of(self.env, key) if key in self.env.values else None
        self.findings.append(
            Finding(
                Severity.ERROR,
                code,
                self.env.file,
                where.line if where is not None else None,
                message + ": clustertool genconfig refuses to run",
            )
        )

    def known(self, *keys: str) -> bool:
        """True when every key has a cleartext value; else remember the encrypted ones."""
        encrypted = {k for k in keys if k in self.env.values and self.env.values[k] is None}
        self.unchecked |= encrypted
        return not encrypted and all(self.env.values.get(k) for k in keys)

    def required(self, headlamp: str) -> None:
        for key in _REQUIRED:
            key = headlamp if key == HEADLAMP else key
            if key not in self.env.values:
                other = f" (or {DASHBOARD} for older clustertool)" if key == HEADLAMP else ""
                self.report(key, "clustertool-required", f"{key}{other} is missing")
            elif self.env.values[key] == "":
                self.report(key, "clustertool-required", f"{key} is empty")

    def formats(self) -> None:
        values = self.env.values
        for key in ("VIP", "MASTER1IP", "GATEWAY"):
            if self.known(key) and _ip(values[key]) is None:
                self.report(key, "clustertool-address", f"{key} {values[key]!r} is not an IP")
        for key in ("PODNET", "SVCNET"):
            if self.known(key) and _network(values[key]) is None:
                self.report(key, "clustertool-address", f"{key} {values[key]!r} is not a CIDR")
        if self.known("METALLB_RANGE") and _range(values["METALLB_RANGE"]) is None:
            self.report(
                "METALLB_RANGE",
                "clustertool-address",
                f"METALLB_RANGE {values['METALLB_RANGE']!r} is not an address range",
            )

    def addresses(self, headlamp: str) -> None:
        values = self.env.values
        for a, b in (("VIP", "MASTER1IP"), ("GATEWAY", "MASTER1IP")):
            if self.known(a, b) and (ip := _ip(values[a])) is not None and ip == _ip(values[b]):
                self.report(b, "clustertool-address", f"{a} and {b} are both {ip}")
        areas = (("METALLB_RANGE", _range), ("PODNET", _network), ("SVCNET", _network))
        for key in ("VIP", "MASTER1IP", "GATEWAY"):
            for area_key, parse in areas:
                if not self.known(key, area_key):
                    continue
                ip, area = _ip(values[key]), parse(values[area_key])
                if ip is not None and area is not None and _inside(ip, area):
                    self.report(key, "clustertool-address", f"{key} {ip} is inside {area_key}")
        if self.known(headlamp, "METALLB_RANGE"):
            ip, area = _ip(values[headlamp]), _range(values["METALLB_RANGE"])
            if ip is not None and area is not None and not _inside(ip, area):
                self.report(
                    headlamp, "clustertool-address", f"{headlamp} {ip} is outside METALLB_RANGE"
                )

    def numbers(self, text: str) -> None:
        in_sops = False
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            if stripped and not line[0].isspace():
                # SOPS metadata is gone from the decrypted file clustertool reads.
                in_sops = line.startswith("sops:")
            if in_sops or not stripped or stripped[0].isdigit() or ":" not in line:
                continue
            value = line.split(":", 1)[1].strip()
            if _UNQUOTED_NUMBER.match(value):
                self.findings.append(
                    Finding(
                        Severity.ERROR,
                        "clustertool-number",
                        self.env.file,
                        number,
                        f"unquoted number {value}: clustertool refuses it, quote the value",
                    )
                )


def clustertool_findings(env: ClusterEnv) -> list[Finding]:
    """clustertool's own checks of clusterenv as findings (clustertool layout only).

    Args:
        env: the cluster's clusterenv.

    Returns:
        Errors for what `clustertool genconfig` would refuse, plus one info finding naming the
        encrypted keys whose rules could not be judged offline.
    """
    if not env.is_clustertool:
        return []
    checker = _Checker(env)
    headlamp = DASHBOARD if DASHBOARD in env.values and HEADLAMP not in env.values else HEADLAMP
    checker.required(headlamp)
    checker.formats()
    checker.addresses(headlamp)
    checker.numbers(env.text)
    if checker.unchecked:
        keys = [k for k in (*_ADDRESS_KEYS, headlamp) if k in checker.unchecked]
        one = len(keys) == 1
        checker.findings.append(
            Finding(
                Severity.INFO,
                "clustertool-unchecked",
                env.file,
                None,
                f"{', '.join(keys)} {'is' if one else 'are'} SOPS-encrypted, so clustertool's "
                f"address rules that involve {'it' if one else 'them'} (VIP and GATEWAY differ "
                "from MASTER1IP; VIP, MASTER1IP and GATEWAY outside METALLB_RANGE, PODNET and "
                f"SVCNET; {headlamp} inside METALLB_RANGE) are not checked offline; cleartext "
                "values and the required keys are",
            )
        )
    return checker.findings
