"""The checks the Env screen runs before a save: IPs, networks, domains, LoadBalancer IPs inside
METALLB_RANGE and not shared, and deleting a key that manifests use; and the review lines,
masked unless revealed. No check message ever holds a value."""

from __future__ import annotations

import pytest

from tuiops.domain.env_checks import (
    MASK,
    DiffLine,
    EditKind,
    EnvCheck,
    EnvRow,
    StagedEdit,
    check_edits,
    is_domain_key,
    is_ip_key,
    loadbalancer_keys,
    parse_range,
    review_lines,
    shown_value,
    valid_domain,
    valid_ip,
    valid_key,
)
from tuiops.domain.findings import Severity

BEFORE = {
    "VIP": "192.168.10.10",
    "NAS_IP": "192.168.10.5",
    "METALLB_RANGE": "192.168.10.200-192.168.10.249",
    "PLEX_IP": "192.168.10.205",
    "JELLYFIN_IP": "192.168.10.206",
    "DOMAIN_0": "homelab.example.com",
    "LAN_NET": "192.168.10.0/24",
    "TZ": "Europe/Amsterdam",
}


def _set(key: str, value: str) -> StagedEdit:
    return StagedEdit(EditKind.SET, key, value, BEFORE.get(key, ""))


def _messages(checks: tuple[EnvCheck, ...]) -> list[str]:
    return [f"{c.severity.value} {c}" for c in checks]


def test_well_formed_edits_pass() -> None:
    edits = [_set("PLEX_IP", "192.168.10.240"), _set("DOMAIN_0", "lab.example.org")]
    edits.append(StagedEdit(EditKind.ADD, "NEW_IP", "192.168.10.241"))
    assert check_edits(BEFORE, edits, {}) == ()


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("NAS_IP", "300.1.1.1", "not an IP address"),
        ("VIP", "192.168.10", "not an IP address"),
        ("LAN_NET", "192.168.10.0", "not a network in CIDR form (a.b.c.d/n)"),
        ("DOMAIN_0", "not a domain", "not a well-formed domain name"),
        ("DOMAIN_0", "-bad.example.com", "not a well-formed domain name"),
        ("METALLB_RANGE", "192.168.10.249-192.168.10.200", "not an IP range"),
    ],
)
def test_malformed_values_are_errors(key: str, value: str, message: str) -> None:
    checks = check_edits(BEFORE, [_set(key, value)], {})
    assert [c.key for c in checks] == [key]
    assert checks[0].severity is Severity.ERROR and checks[0].blocks_save
    assert checks[0].message.startswith(message)
    assert value not in str(checks[0])  # names the key, never the value


def test_a_loadbalancer_ip_outside_the_range_is_an_error() -> None:
    checks = check_edits(BEFORE, [_set("PLEX_IP", "192.168.20.5")], {})
    assert _messages(checks) == ["error PLEX_IP: LoadBalancer IP outside METALLB_RANGE"]


def test_a_loadbalancer_ip_used_twice_names_the_other_key() -> None:
    checks = check_edits(BEFORE, [_set("PLEX_IP", "192.168.10.206")], {})
    assert _messages(checks) == ["error PLEX_IP: LoadBalancer IP also used by JELLYFIN_IP"]


def test_a_manifest_use_makes_an_ip_key_a_loadbalancer_one() -> None:
    """NAS_IP lies outside the range, so only a manifest using it as one makes it an LB IP."""
    edit = [_set("NAS_IP", "192.168.10.6")]
    assert check_edits(BEFORE, edit, {}) == ()
    checks = check_edits(BEFORE, edit, {}, used_as_lb={"NAS_IP"})
    assert _messages(checks) == ["error NAS_IP: LoadBalancer IP outside METALLB_RANGE"]


def test_narrowing_the_range_reports_the_keys_left_outside() -> None:
    checks = check_edits(BEFORE, [_set("METALLB_RANGE", "192.168.10.200-192.168.10.205")], {})
    assert _messages(checks) == ["error JELLYFIN_IP: LoadBalancer IP outside METALLB_RANGE"]


def test_untouched_problems_are_not_this_change_s() -> None:
    before = {**BEFORE, "JELLYFIN_IP": "192.168.10.205"}  # already shared
    assert check_edits(before, [_set("DOMAIN_0", "example.org")], {}) == ()


def test_deleting_a_used_key_warns_naming_its_users() -> None:
    users = {"TZ": ("apps/a.yaml", "apps/b.yaml", "apps/c.yaml", "apps/d.yaml")}
    edits = [StagedEdit(EditKind.DELETE, "TZ", "", "Europe/Amsterdam")]
    checks = check_edits(BEFORE, edits, users)
    assert _messages(checks) == [
        "warning TZ: deleted, but used by apps/a.yaml, apps/b.yaml, apps/c.yaml and 1 more"
    ]
    assert not checks[0].blocks_save
    assert check_edits(BEFORE, edits, {}) == ()


def test_key_kinds_and_forms() -> None:
    assert is_ip_key("MASTER1IP") and is_ip_key("stringData.PLEX_IP") and is_ip_key("GATEWAY")
    assert not is_ip_key("SKIP") and not is_ip_key("ZIP")
    assert is_domain_key("DOMAIN_0") and is_domain_key("BASE_DOMAIN") and is_domain_key("SMTP_HOST")
    assert valid_ip("10.0.0.1/24") and valid_ip("fd00::1") and not valid_ip("10.0.0.256")
    assert valid_domain("*.example.com") and not valid_domain("localhost")
    assert parse_range("10.0.0.0/30") == (4, 167772160, 167772163)
    assert valid_key("stringData.NEW") and not valid_key("bad key") and not valid_key(".x")


def test_loadbalancer_keys() -> None:
    assert loadbalancer_keys(BEFORE) == {"PLEX_IP", "JELLYFIN_IP"}
    assert "BLOCKY_IP" in loadbalancer_keys({"BLOCKY_IP": "10.0.0.1"})  # clustertool's template


def test_review_lines_are_masked_unless_revealed() -> None:
    edits = [
        _set("PLEX_IP", "192.168.10.240"),
        StagedEdit(EditKind.ADD, "NEW", "line one\nline two"),
        StagedEdit(EditKind.DELETE, "TZ", "", "Europe/Amsterdam"),
    ]
    lines = review_lines(edits, {"PLEX_IP": True, "NEW": True, "TZ": True})
    assert [line.text() for line in lines] == [
        f"~ PLEX_IP: {MASK} → {MASK} (changed)",
        f"+ NEW: {MASK}",
        f"- TZ: {MASK}",
    ]
    assert [line.text(reveal=True) for line in lines] == [
        "~ PLEX_IP: 192.168.10.205 → 192.168.10.240",
        "+ NEW: line one⏎line two",
        "- TZ: Europe/Amsterdam",
    ]
    clear = DiffLine(EditKind.SET, "metadata.name", "a", "b", secret=False)
    assert clear.text() == "~ metadata.name: a → b"


def test_masking() -> None:
    assert EnvRow("K", "v", secret=True).masked() == MASK
    assert EnvRow("K", "", secret=True).masked() == ""
    assert EnvRow("K", "v", secret=False).masked() == "v"
    assert shown_value("a\nb", hidden=False) == "a⏎b"
