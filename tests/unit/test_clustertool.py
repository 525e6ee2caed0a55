"""What clustertool itself needs from clusterenv: `tuiops vars` and `tuiops lint` on it."""

from __future__ import annotations

import pytest

from tests.conftest import WriteRepo
from tests.unit.test_repo_model import clustertool, component
from tuiops.cli.text import vars_text
from tuiops.domain.findings import Finding, Severity
from tuiops.gitops.clusterenv import ClusterEnv
from tuiops.gitops.clustertool import clustertool_findings
from tuiops.gitops.loader import load_repo

ENC = "ENC[AES256_GCM,data:AAAA,iv:BBBB,tag:CCCC,type:str]"
GOOD = {
    "VIP": "192.168.1.5",
    "MASTER1IP": "192.168.1.10",
    "GATEWAY": "192.168.1.1",
    "METALLB_RANGE": "192.168.1.200-192.168.1.250",
    "HEADLAMP_IP": "192.168.1.201",
    "PODNET": "172.16.0.0/16",
    "SVCNET": "172.17.0.0/16",
    "DOMAIN_0": "example.com",
    "DOMAIN_0_EMAIL": "me@example.com",
    "DOMAIN_0_CLOUDFLARE_TOKEN": "token",
}
TALCONFIG = """
clusterName: ${CLUSTERNAME}
endpoint: https://${VIP}:6443
nodes:
  - hostname: k8s-control-1
    ipAddress: ${MASTER1IP_IP}
    networkInterfaces:
      - addresses: [${MASTER1IP_CIDR}]
"""


def env(values: dict[str, str | None], text: str = "") -> ClusterEnv:
    return ClusterEnv("clusters/main/clusterenv.yaml", values, {}, text)


def messages(findings: list[Finding], code: str) -> list[str]:
    return [f.message for f in findings if f.code == code]


def test_derived_keys_are_split_as_clustertool_splits_them() -> None:
    derived = env({"A": "192.168.1.10", "B": "10.0.0.5/16", "C": "x", "D": None}).derived()
    assert (derived["A_IP"], derived["A_NETMASK"], derived["A_CIDR"]) == (
        "192.168.1.10",
        "24",
        "192.168.1.10/24",
    )
    assert derived["B_CIDR"] == "10.0.0.5/16" and derived["B_NETMASK"] == "16"
    assert "C_IP" not in derived
    assert "D_CIDR" in derived and derived["D_CIDR"] is None  # encrypted: may be an IP


def test_keys_clustertool_reads_or_derives_from_are_never_unused(write_repo: WriteRepo) -> None:
    files = clustertool("  - apps\n")
    files["clusters/main/kubernetes/apps/kustomization.yaml"] = "resources:\n  - web/ks.yaml\n"
    # Flux cannot substitute a derived name: this use does not make PLEX_IP needed.
    files.update(component("apps", "web", value="${PLEX_IP_IP}"))
    files["clusters/main/clusterenv.yaml"] = "".join(
        f"{key}: {ENC}\n"
        for key in (
            "VIP",
            "MASTER1IP",
            "GITHUB_REPOSITORY",
            "DOCKERHUB_USER",
            "DOCKERHUB_PASSWORD",
            "DASHBOARD_IP",
            "WORKER1IP",
            "PLEX_IP",
        )
    )
    files["clusters/main/talos/talconfig.yaml"] = TALCONFIG + "      - ${WORKER1IP_CIDR}\n"
    (cluster,) = load_repo(write_repo(files)).clusters
    report = cluster.variables
    assert report.unused == ("PLEX_IP",)
    expected = {"MASTER1IP", "GITHUB_REPOSITORY", "DOCKERHUB_USER", "DOCKERHUB_PASSWORD"}
    assert expected | {"DASHBOARD_IP", "WORKER1IP", "VIP_IP"} <= set(report.clustertool)
    by_name = {v.name: v for v in report.variables}
    assert "MASTER1IP_IP" in by_name["MASTER1IP"].clustertool
    assert by_name["WORKER1IP"].clustertool == "clustertool derives WORKER1IP_CIDR from it"
    assert by_name["MASTER1IP_CIDR"].clustertool.startswith("derived from MASTER1IP")
    assert not by_name["PLEX_IP"].clustertool
    assert [u.name for u in report.undefined] == ["PLEX_IP_IP"]
    text = vars_text([cluster])
    assert "used by clustertool (" in text
    assert "unused (1): PLEX_IP" in text
    row = next(line for line in text.splitlines() if line.startswith("  GITHUB_REPOSITORY "))
    assert row.endswith("clustertool")


def test_legacy_talenv_is_not_judged_by_clustertool_rules(write_repo: WriteRepo) -> None:
    legacy = ClusterEnv("talenv.yaml", {"VIP": "1.2.3.4", "GITHUB_REPOSITORY": "x"}, {}, "")
    assert clustertool_findings(legacy) == []
    root = write_repo({"talenv.yaml": 'VIP: "1.2.3.4"\nGITHUB_REPOSITORY: "x"\n'})
    (cluster,) = load_repo(root).clusters
    assert cluster.variables.clustertool == ()


def test_a_consistent_cleartext_clusterenv_has_no_findings() -> None:
    assert clustertool_findings(env(dict(GOOD))) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"MASTER1IP": "192.168.1.5"}, "VIP and MASTER1IP are both 192.168.1.5"),
        ({"GATEWAY": "192.168.1.10"}, "GATEWAY and MASTER1IP are both 192.168.1.10"),
        ({"VIP": "192.168.1.210"}, "VIP 192.168.1.210 is inside METALLB_RANGE"),
        ({"MASTER1IP": "192.168.1.220/24"}, "MASTER1IP 192.168.1.220 is inside METALLB_RANGE"),
        ({"GATEWAY": "192.168.1.250"}, "GATEWAY 192.168.1.250 is inside METALLB_RANGE"),
        ({"VIP": "172.16.3.4"}, "VIP 172.16.3.4 is inside PODNET"),
        ({"MASTER1IP": "172.17.0.9"}, "MASTER1IP 172.17.0.9 is inside SVCNET"),
        ({"HEADLAMP_IP": "192.168.1.50"}, "HEADLAMP_IP 192.168.1.50 is outside METALLB_RANGE"),
        ({"PODNET": "172.16.0.0"}, "PODNET '172.16.0.0' is not a CIDR"),
        ({"VIP": "vip.lan"}, "VIP 'vip.lan' is not an IP"),
        ({"METALLB_RANGE": "lots"}, "METALLB_RANGE 'lots' is not an address range"),
    ],
)
def test_address_rules_are_errors(change: dict[str, str], expected: str) -> None:
    findings = clustertool_findings(env({**GOOD, **change}))
    assert [f.message.split(":")[0] for f in findings] == [expected]
    assert all(f.severity is Severity.ERROR and f.code == "clustertool-address" for f in findings)


def test_metallb_range_may_be_a_cidr() -> None:
    findings = clustertool_findings(env({**GOOD, "METALLB_RANGE": "192.168.1.192/27"}))
    assert findings == []
    inside = clustertool_findings(env({**GOOD, "METALLB_RANGE": "192.168.1.0/27"}))
    assert messages(inside, "clustertool-address")[0].startswith("VIP 192.168.1.5 is inside")


def test_required_keys_missing_or_empty() -> None:
    values: dict[str, str | None] = {**GOOD, "DOMAIN_0_CLOUDFLARE_TOKEN": ""}
    del values["SVCNET"], values["HEADLAMP_IP"]
    found = messages(clustertool_findings(env(values)), "clustertool-required")
    assert [m.split(":")[0] for m in found] == [
        "HEADLAMP_IP (or DASHBOARD_IP for older clustertool) is missing",
        "SVCNET is missing",
        "DOMAIN_0_CLOUDFLARE_TOKEN is empty",
    ]


def test_older_layouts_use_dashboard_ip_inside_the_range() -> None:
    values: dict[str, str | None] = {**GOOD, "DASHBOARD_IP": "192.168.1.9"}
    del values["HEADLAMP_IP"]
    (finding,) = clustertool_findings(env(values))
    assert finding.message.startswith("DASHBOARD_IP 192.168.1.9 is outside METALLB_RANGE")


def test_encrypted_values_are_not_judged_and_a_finding_says_so() -> None:
    values: dict[str, str | None] = {**GOOD, "VIP": None, "METALLB_RANGE": None}
    values["MASTER1IP"] = "192.168.1.220"  # inside the (encrypted) range: cannot be known
    findings = clustertool_findings(env(values))
    assert [f.code for f in findings] == ["clustertool-unchecked"]
    assert findings[0].severity is Severity.INFO
    assert findings[0].message.startswith("VIP, METALLB_RANGE are SOPS-encrypted, so")
    # Required keys are still judged: SOPS leaves an empty value in cleartext.
    values["DOMAIN_0"] = ""
    assert "clustertool-required" in {f.code for f in clustertool_findings(env(values))}


def test_unquoted_numbers_outside_the_sops_block() -> None:
    text = 'VIP: "192.168.1.5"\nREPLICAS: 3\nRATIO: 1.5\nsops:\n    shamir_threshold: 3\n'
    found = clustertool_findings(env(dict(GOOD), text))
    assert [(f.code, f.line) for f in found] == [
        ("clustertool-number", 2),
        ("clustertool-number", 3),
    ]


def test_lint_reports_clustertool_rules_on_a_clustertool_repo(write_repo: WriteRepo) -> None:
    files = clustertool("  - apps\n")
    files["clusters/main/kubernetes/apps/kustomization.yaml"] = "resources:\n  - web/ks.yaml\n"
    files.update(component("apps", "web"))
    files["clusters/main/clusterenv.yaml"] = "".join(
        f'{k}: "{v}"\n' for k, v in {**GOOD, "VIP": "192.168.1.10"}.items()
    )
    model = load_repo(write_repo(files))
    (finding,) = [f for f in model.findings if f.code.startswith("clustertool-")]
    assert finding.message.startswith("VIP and MASTER1IP are both 192.168.1.10")
    assert (finding.file, finding.line) == ("clusters/main/clusterenv.yaml", 2)
