"""Staged edits of a decrypted SOPS file, checked before they are saved, and their review.

Pure: the rows and values come in from the env session, checks and diff lines go out. No
message here ever holds a value (a check names keys only), so a check can be notified, logged
or shown in a dialog without leaking a secret.
"""

from __future__ import annotations

import enum
import ipaddress
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from tuiops.domain.findings import Severity

MASK = "••••••••"
"""What a hidden value looks like, whatever its length."""

METALLB_RANGE = "METALLB_RANGE"
LB_TEMPLATE_KEYS = frozenset(
    {"NGINX_INTERNAL_IP", "NGINX_EXTERNAL_IP", "BLOCKY_IP", "DASHBOARD_IP", "HEADLAMP_IP"}
)
"""clustertool's template keys that are LoadBalancer IPs in every repo it makes."""

_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_KEY = re.compile(r"^[A-Za-z0-9_.-]+$")


class EditKind(enum.Enum):
    """What a staged edit does to its key."""

    SET = "set"
    ADD = "add"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class EnvRow:
    """One value of an open SOPS file as the Env screen lists it (decrypted: memory only)."""

    key: str
    """Dotted address: `PLEX_IP`, `stringData.password`."""
    value: str
    """The value as text; a Secret's `data` value decoded from base64."""
    secret: bool
    """True when the file keeps it encrypted."""
    kind: str = "str"
    """sops type: str, int, float, bool, time or null."""
    uses: int = 0
    """How many manifests substitute it as `${KEY}` (0 when it is no variable)."""
    users: tuple[str, ...] = ()
    """Who uses it: manifest files (and clustertool, when it reads the key)."""
    base64: bool = False
    """A Kubernetes Secret's `data` value: shown decoded, saved encoded."""
    staged: EditKind | None = None
    """The staged edit of this row, if any (a deleted row stays listed until saved)."""

    def masked(self) -> str:
        """The value as shown without reveal: secrets hidden, cleartext as is."""
        return shown_value(self.value, hidden=self.secret)


@dataclass(frozen=True, slots=True)
class StagedEdit:
    """One change waiting for save."""

    kind: EditKind
    key: str
    value: str = ""
    """The new value (set, add)."""
    old: str = ""
    """The value before (set, delete)."""


@dataclass(frozen=True, slots=True)
class EnvCheck:
    """A problem with the staged edits; its message names keys, never values."""

    severity: Severity
    key: str
    message: str

    @property
    def blocks_save(self) -> bool:
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


def shown_value(value: str, *, hidden: bool) -> str:
    """A value on one line: masked when `hidden` (an empty value shows as empty either way),
    newlines shown as `⏎`."""
    if hidden and value:
        return MASK
    return value.replace("\r\n", "⏎").replace("\n", "⏎")


def valid_key(key: str) -> bool:
    """A key the screen can add: letters, digits, `_`, `-` and `.` (a dot nests)."""
    return bool(_KEY.match(key)) and not key.startswith(".") and not key.endswith(".")


def _name(key: str) -> str:
    """The variable name of a dotted key (`stringData.PLEX_IP` → `PLEX_IP`)."""
    return key.rsplit(".", 1)[-1]


def is_ip_key(key: str) -> bool:
    """Keys that hold one IP address (optionally `/prefix`): `*_IP`, `VIP`, `GATEWAY` and
    clustertool's node keys (`MASTER1IP`, `WORKER2IP`)."""
    name = _name(key).upper()
    return name.endswith("_IP") or bool(re.fullmatch(r"VIP|GATEWAY|[A-Z]+\d+IP", name))


def is_network_key(key: str) -> bool:
    """Keys that hold a network in CIDR form: `PODNET`, `SVCNET`, `LAN_NET`."""
    return _name(key).upper().endswith("NET")


def is_domain_key(key: str) -> bool:
    """Keys that hold a DNS name: `DOMAIN_0`, `BASE_DOMAIN`, `*_HOST`."""
    name = _name(key).upper()
    return bool(re.fullmatch(r"(.*_)?DOMAIN(_\d+)?|.*_HOST", name))


def is_email_key(key: str) -> bool:
    return _name(key).upper().endswith("EMAIL")


def valid_ip(value: str) -> bool:
    """An IP address, or one with a prefix length (as clustertool splits them)."""
    try:
        if "/" in value:
            ipaddress.ip_interface(value)
        else:
            ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def valid_network(value: str) -> bool:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return "/" in value


def valid_domain(value: str) -> bool:
    """A DNS name of at least two labels (a leading `*.` allowed)."""
    name = value[2:] if value.startswith("*.") else value
    name = name.removesuffix(".")
    labels = name.split(".")
    if len(name) > 253 or len(labels) < 2 or labels[-1].isdigit():
        return False
    return all(_HOST_LABEL.match(label) for label in labels)


def valid_email(value: str) -> bool:
    local, at, domain = value.partition("@")
    return bool(at and local and " " not in local and valid_domain(domain))


IpRange = tuple[int, int, int]
"""(IP version, first, last) with the addresses as integers."""


def parse_range(value: str) -> IpRange | None:
    """METALLB_RANGE as (version, first, last): `a-b` or a CIDR; None when it is neither."""
    text = value.strip()
    try:
        if "-" in text:
            first, last = (ipaddress.ip_address(part.strip()) for part in text.split("-", 1))
            if first.version != last.version or int(first) > int(last):
                return None
            return first.version, int(first), int(last)
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None
    return network.version, int(network[0]), int(network[-1])


def in_range(value: str, bounds: IpRange) -> bool:
    """Whether the IP of `value` (`ip` or `ip/prefix`) lies within `bounds`."""
    try:
        ip = ipaddress.ip_address(value.split("/", 1)[0])
    except ValueError:
        return False
    version, first, last = bounds
    return ip.version == version and first <= int(ip) <= last


def values_after(before: Mapping[str, str], edits: Sequence[StagedEdit]) -> dict[str, str]:
    """Every key's value once `edits` are applied (deleted keys gone, added ones last)."""
    after = dict(before)
    for edit in edits:
        if edit.kind is EditKind.DELETE:
            after.pop(edit.key, None)
        else:
            after[edit.key] = edit.value
    return after


def _range_of(values: Mapping[str, str]) -> str:
    """The METALLB_RANGE value (top level, or under a manifest's data)."""
    return next((v for k, v in values.items() if _name(k) == METALLB_RANGE), "")


def loadbalancer_keys(values: Mapping[str, str], used_as_lb: Collection[str] = ()) -> set[str]:
    """Keys holding LoadBalancer IPs: those manifests use as one (`used_as_lb`), clustertool's
    template ones, and IP keys whose value lies in METALLB_RANGE."""
    bounds = parse_range(_range_of(values))
    found = {key for key in values if _name(key) in used_as_lb or _name(key) in LB_TEMPLATE_KEYS}
    if bounds is not None:
        found |= {k for k, v in values.items() if is_ip_key(k) and in_range(v, bounds)}
    return found


def _value_checks(key: str, value: str) -> list[EnvCheck]:
    if not value:
        return []
    error = Severity.ERROR
    if _name(key) == METALLB_RANGE:
        if parse_range(value) is None:
            return [EnvCheck(error, key, "not an IP range (first-last, or a CIDR)")]
    elif is_ip_key(key) and not valid_ip(value):
        return [EnvCheck(error, key, "not an IP address")]
    elif is_network_key(key) and not valid_network(value):
        return [EnvCheck(error, key, "not a network in CIDR form (a.b.c.d/n)")]
    elif is_domain_key(key) and not valid_domain(value):
        return [EnvCheck(error, key, "not a well-formed domain name")]
    elif is_email_key(key) and not valid_email(value):
        return [EnvCheck(error, key, "not a well-formed e-mail address")]
    return []


def check_edits(
    before: Mapping[str, str],
    edits: Sequence[StagedEdit],
    users: Mapping[str, tuple[str, ...]],
    used_as_lb: Collection[str] = (),
) -> tuple[EnvCheck, ...]:
    """What is wrong with saving `edits` on a file holding `before` (key → value).

    Args:
        before: the file's values as read.
        edits: the staged edits, in order.
        users: per key, who uses it (manifest files, clustertool); deleting a used key warns.
        used_as_lb: variable names manifests use as a LoadBalancer IP.

    Returns:
        Errors (the save is refused) and warnings (the review shows them), edited keys only:
        a problem the file had before is not this change's.
    """
    after = values_after(before, edits)
    touched = [e.key for e in edits if e.kind is not EditKind.DELETE and e.key in after]
    checks: list[EnvCheck] = []
    for key in dict.fromkeys(touched):
        checks += _value_checks(key, after[key])
    lb_keys = loadbalancer_keys(before, used_as_lb) | loadbalancer_keys(after, used_as_lb)
    lb_keys &= set(after)
    bounds = parse_range(_range_of(after))
    range_edited = METALLB_RANGE in {_name(k) for k in touched}
    for key in sorted(lb_keys):
        value = after[key]
        if not value or not valid_ip(value):
            continue
        if key not in touched and not range_edited:
            continue
        if bounds is not None and not in_range(value, bounds):
            checks.append(EnvCheck(Severity.ERROR, key, f"LoadBalancer IP outside {METALLB_RANGE}"))
        twins = [
            other
            for other in sorted(lb_keys - {key})
            if after[other].split("/")[0] == value.split("/")[0]
        ]
        if twins and key in touched:
            shown = ", ".join(twins)
            checks.append(EnvCheck(Severity.ERROR, key, f"LoadBalancer IP also used by {shown}"))
    for edit in edits:
        if edit.kind is EditKind.DELETE and users.get(edit.key):
            named = users[edit.key]
            listed = ", ".join(named[:3]) + (
                f" and {len(named) - 3} more" if len(named) > 3 else ""
            )
            checks.append(EnvCheck(Severity.WARNING, edit.key, f"deleted, but used by {listed}"))
    return tuple(checks)


@dataclass(frozen=True, slots=True)
class DiffLine:
    """One line of the review: `~ KEY: old → new`, `+ KEY: new`, `- KEY: old`."""

    kind: EditKind
    key: str
    old: str
    new: str
    secret: bool

    def text(self, *, reveal: bool = False) -> str:
        hidden = self.secret and not reveal
        old, new = shown_value(self.old, hidden=hidden), shown_value(self.new, hidden=hidden)
        if self.kind is EditKind.ADD:
            return f"+ {self.key}: {new}"
        if self.kind is EditKind.DELETE:
            return f"- {self.key}: {old}"
        if hidden and self.old and self.new:
            return f"~ {self.key}: {MASK} → {MASK} (changed)"
        return f"~ {self.key}: {old} → {new}"


def review_lines(edits: Sequence[StagedEdit], secret: Mapping[str, bool]) -> tuple[DiffLine, ...]:
    """The review of `edits`, one line per key (masked unless revealed when drawn)."""
    return tuple(
        DiffLine(edit.kind, edit.key, edit.old, edit.value, secret.get(edit.key, True))
        for edit in edits
    )
