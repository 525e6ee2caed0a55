"""`tuiops logs` against the simulated cluster: the same lines, filters and words as `flux logs`
(computed here from what the simulated controllers wrote, with `format_flux_logs`), inert
output, one-line errors, Ctrl-C and a reader that goes away."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.adapters.faults import wait_for
from tuiops.cli import main
from tuiops.cli.logs import parse_duration
from tuiops.domain.decode_live import decode_log_line
from tuiops.domain.logs import LogFilter, format_flux_logs
from tuiops.domain.text import inert
from tuiops.errors import UsageError
from tuiops.sim.flux.pods import CONTAINER, CONTROLLERS, FLUX_NAMESPACE, pod_name
from tuiops.sim.session import Simulation, start_simulation

HOSTILE = "clear\x1b[2J then copy \x1b]52;c;ZXZpbA==\x07 and \u202eevil"


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulation]:
    workdir = tmp_path_factory.mktemp("logs-sim")
    with start_simulation("degraded", controllers=False, frozen_clock=True, workdir=workdir) as s:
        hostile = json.dumps(
            {"level": "error", "ts": "2025-11-25T10:10:00.000Z", "msg": HOSTILE, "namespace": "x"}
        )
        s.cluster.append_log(FLUX_NAMESPACE, pod_name("helm-controller"), CONTAINER, hostile)
        yield s


@pytest.fixture
def kubeconfig(sim: Simulation, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KUBECONFIG", str(sim.kubeconfig))
    return sim.kubeconfig


def expected(
    sim: Simulation, log_filter: LogFilter, *, tail: int | None = None, raw: bool = False
) -> str:
    """What `flux logs` prints: each controller's pod in Deployment (name) order."""
    shown = []
    for controller in sorted(CONTROLLERS):
        records = sim.cluster.logs.read(FLUX_NAMESPACE, pod_name(controller), CONTAINER)
        texts = [record.text for record in records]
        for text in texts[-tail:] if tail is not None else texts:
            line = decode_log_line(text)
            if line is not None and log_filter.matches(line):
                shown.append(text if raw else format_flux_logs(line))
    return inert("".join(f"{line}\n" for line in shown))


FILTERS = [
    ([], LogFilter(), None),
    (["-A"], LogFilter(all_namespaces=True), None),
    (["-n", "kube-system"], LogFilter(namespace="kube-system"), None),
    (["-A", "--level", "error"], LogFilter(level="error", all_namespaces=True), None),
    (["--kind", "helmrelease", "-A"], LogFilter(kind="helmrelease", all_namespaces=True), None),
    (["--kind", "Kustomization"], LogFilter(kind="Kustomization"), None),
    (["--name", "CloudFlared", "-A"], LogFilter(name="CloudFlared", all_namespaces=True), None),
    (["-A", "--tail", "7"], LogFilter(all_namespaces=True), 7),
]


@pytest.mark.usefixtures("kubeconfig")
@pytest.mark.parametrize(("flags", "log_filter", "tail"), FILTERS)
def test_output_equals_flux_logs_of_the_simulators_lines(
    sim: Simulation,
    capsys: pytest.CaptureFixture[str],
    flags: list[str],
    log_filter: LogFilter,
    tail: int | None,
) -> None:
    assert main(["logs", *flags]) == 0
    out, err = capsys.readouterr()
    assert out == expected(sim, log_filter, tail=tail)
    assert out and err == ""


@pytest.mark.usefixtures("kubeconfig")
def test_all_namespaces_adds_lines_the_default_namespace_leaves_out(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["logs"])
    default = capsys.readouterr().out.splitlines()
    main(["logs", "-A"])
    everything = capsys.readouterr().out.splitlines()
    assert set(default) < set(everything)
    assert all(".flux-system - " in line for line in default)
    assert any(" - starting manager" in line for line in everything)  # no namespace: -A only


@pytest.mark.usefixtures("kubeconfig")
def test_json_prints_the_lines_as_logged(
    sim: Simulation, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["logs", "-A", "--json", "--level", "error"]) == 0
    out = capsys.readouterr().out
    assert out == expected(sim, LogFilter(level="error", all_namespaces=True), raw=True)
    assert all(json.loads(line)["level"] == "error" for line in out.splitlines())


@pytest.mark.usefixtures("kubeconfig")
def test_a_hostile_line_prints_inert(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["logs", "-A", "--level", "error"]) == 0
    out = capsys.readouterr().out
    assert "\\x1b[2J" in out and "\\x1b]52;c;ZXZpbA==\\x07" in out and "\\u202e" in out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out


def test_the_since_duration_is_read_as_go_does() -> None:
    assert parse_duration("90s") == 90
    assert parse_duration("1h30m") == 5400
    assert parse_duration("1.5h") == 5400
    assert parse_duration("250ms") == 0.25
    for bad in ("", "5", "5 m", "m5", "5d"):
        with pytest.raises(UsageError):
            parse_duration(bad)


def tuiops(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tuiops", "logs", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_no_kubeconfig_is_one_line(tmp_path: Path) -> None:
    env = dict(os.environ, KUBECONFIG=str(tmp_path / "missing"), HOME=str(tmp_path))
    result = tuiops("-f", env=env)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("tuiops: no kubeconfig")


def test_an_unreachable_server_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "kubeconfig"
    config.write_text(
        "apiVersion: v1\nkind: Config\n"
        "clusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:9\n"
        "users:\n- name: u\n  user: {}\n"
        "contexts:\n- name: x\n  context:\n    cluster: c\n    user: u\n"
        "current-context: x\n"
    )
    result = tuiops("-f", env=dict(os.environ, KUBECONFIG=str(config)))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "cannot reach the API server" in result.stderr


def test_forbidden_logs_are_one_line_each(sim: Simulation) -> None:
    sim.cluster.faults.forbid("get", "pods")
    try:
        result = tuiops(env=sim.environment())
    finally:
        sim.cluster.faults.allow_all()
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == len(CONTROLLERS)
    assert all(
        'forbidden: cannot get resource "pods"' in line.replace('User "sim-admin" ', "")
        for line in lines
    )


class Follower:
    """`tuiops logs -f` in a child process; its stdout read line by line on a thread."""

    def __init__(self, sim: Simulation, *args: str, keep: int | None = None) -> None:
        self._keep = keep
        """Close our end of the pipe after this many lines, as `| head -n KEEP` does."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tuiops", "logs", "-f", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=sim.environment(),
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            if self._keep is not None and len(self.lines) >= self._keep:
                self.process.stdout.close()
                return

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)


def test_follow_prints_new_lines_and_ctrl_c_ends_cleanly(sim: Simulation) -> None:
    follower = Follower(sim, "-A", "--tail", "1")
    try:
        wait_for(lambda: len(follower.lines) >= len(CONTROLLERS), 30)
        fresh = json.dumps({"level": "info", "ts": "2025-11-25T10:10:01.000Z", "msg": "fresh"})
        sim.cluster.append_log(FLUX_NAMESPACE, pod_name("source-controller"), CONTAINER, fresh)
        wait_for(lambda: any(" - fresh " in line for line in follower.lines), 30)
        follower.process.send_signal(signal.SIGINT)
        assert follower.process.wait(timeout=30) == 130
        assert follower.process.stderr is not None
        assert "Traceback" not in follower.process.stderr.read()
    finally:
        follower.kill()


def test_follow_ends_when_its_reader_goes_away(sim: Simulation) -> None:
    follower = Follower(sim, "-A", keep=2)
    try:
        wait_for(lambda: len(follower.lines) >= 2, 30)
        assert follower.process.wait(timeout=30) == 0  # no further line needs to come
    finally:
        follower.kill()
