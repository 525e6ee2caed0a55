"""`FluxCli` (the `flux` binary, through a fake that echoes its argv) and the RFC3339Nano
timestamps `FluxActions` writes into `reconcile.fluxcd.io/*` annotations.

Expected argv and exit-code meanings come from flux2 v2.7.5 (`diff` exits 1 when it finds
changes, 2 on errors); expected timestamps from Go's `time.RFC3339Nano` layout.
"""

from __future__ import annotations

import json
import stat
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tuiops.adapters.flux import FluxCli
from tuiops.adapters.process import CommandFailed, ToolNotFound
from tuiops.domain.actions import rfc3339nano
from tuiops.domain.kinds import HELM_RELEASE

ZONE = timezone(timedelta(hours=1))


# -- annotation timestamps -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "nanos", "text"),
    [
        (
            datetime(2025, 11, 25, 11, 9, 41, tzinfo=ZONE),
            702917538,
            "2025-11-25T11:09:41.702917538+01:00",
        ),
        (datetime(2025, 11, 25, 10, 9, 41, tzinfo=UTC), 500000000, "2025-11-25T10:09:41.5Z"),
        (datetime(2025, 11, 25, 10, 9, 41, tzinfo=UTC), 0, "2025-11-25T10:09:41Z"),
        (
            datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone(-timedelta(hours=5, minutes=30))),
            10,
            "2025-01-02T03:04:05.00000001-05:30",
        ),
    ],
)
def test_rfc3339nano_matches_go(moment: datetime, nanos: int, text: str) -> None:
    assert rfc3339nano(moment, nanos) == text


# -- the flux binary ------------------------------------------------------------------------


def test_missing_flux_binary_says_the_feature_needs_it(tmp_path: Path) -> None:
    cli = FluxCli(binary=str(tmp_path / "no-flux"))
    with pytest.raises(ToolNotFound, match="needs the flux CLI"):
        cli.check()
    with pytest.raises(ToolNotFound, match="needs the flux CLI"):
        cli.diff_kustomization("apps", "flux-system", str(tmp_path))


def fake_flux(tmp_path: Path, exit_code: int) -> Path:
    """A `flux` that prints its argv as JSON and exits with `exit_code`."""
    script = tmp_path / "flux"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        "print(json.dumps(sys.argv[1:]))\n"
        "print('✗ boom', file=sys.stderr)\n"
        f"sys.exit({exit_code})\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_flux_cli_argv_and_exit_codes(tmp_path: Path) -> None:
    kubeconfig = str(tmp_path / "kc")
    cli = FluxCli(binary=str(fake_flux(tmp_path, 1)), kubeconfig=kubeconfig, context="home")
    diff = cli.diff_kustomization("apps", "flux-system", "./apps")
    assert diff.changed  # flux diff exits 1 when it found changes
    assert json.loads(diff.output) == [
        "diff", "kustomization", "apps", "--path", "./apps", "--progress-bar=false",
        "--timeout=60s", "--namespace", "flux-system", "--kubeconfig", kubeconfig,
        "--context", "home",
    ]  # fmt: skip
    check = cli.check()
    assert not check.passed
    assert "✗ boom" in check.output
    with pytest.raises(CommandFailed, match="boom"):
        cli.trace(HELM_RELEASE, "podinfo", "apps")


def test_flux_cli_trace_names_kind_and_api_version(tmp_path: Path) -> None:
    cli = FluxCli(binary=str(fake_flux(tmp_path, 0)), timeout=10)
    argv = json.loads(cli.trace(HELM_RELEASE, "podinfo", "apps"))
    assert argv == [
        "trace", "podinfo", "--kind=HelmRelease", "--api-version=helm.toolkit.fluxcd.io/v2",
        "--timeout=10s", "--namespace", "apps",
    ]  # fmt: skip
    assert json.loads(cli.trace("HelmRelease", "podinfo", "apps")) == argv
    assert json.loads(cli.trace("ConfigMap", "values", "apps"))[:3] == [
        "trace", "ConfigMap", "values"
    ]  # fmt: skip
