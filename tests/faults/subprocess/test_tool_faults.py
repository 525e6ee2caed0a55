"""talosctl, kubectl and flux when they are missing, hang past their timeout, or exit non-zero
with garbage (binary bytes, invalid UTF-8, ANSI and OSC sequences, a 100,000-character line):
each call ends (the hanging one when its timeout is up, with its whole process group killed),
with one `TuiopsError` whose message is one clear line; and the console, on the Talos screen
and the detail's `describe`, says so in its place and keeps answering keys.

The tools are small scripts on a private path; nothing here touches a real binary.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.adapters.faults import wait_for as poll_until
from tests.pilot_waits import settle, wait_for, wait_for_screen
from tuiops.adapters.flux_cli import FluxCli
from tuiops.adapters.kubectl import Kubectl
from tuiops.adapters.process import CommandFailed, ToolNotFound
from tuiops.adapters.talosctl import TalosCli
from tuiops.domain.refs import ObjectRef
from tuiops.domain.text import inert
from tuiops.errors import TuiopsError
from tuiops.services.backend import Backend
from tuiops.sim.example_repo import EXAMPLE_REPO
from tuiops.ui.app import TuiopsApp
from tuiops.ui.screens.detail import DetailScreen
from tuiops.ui.screens.talos import TalosScreen
from tuiops.ui.screens.text_view import TextScreen

TIMEOUT = 0.5
"""The timeout given to a hanging talosctl or kubectl here (their defaults are 15 s and 30 s)."""
SLOW_START = 20.0
"""The timeout for the tools that do end (missing, garbage): a loaded machine may take a
second to start a Python script, which must not turn into a timeout."""
GONE_SECONDS = 5.0
"""Time for a killed process group to be gone (SIGKILL is delivered, not awaited)."""
MESSAGE_LIMIT = 400
"""A clear message fits a status line or two: the tool's whole stderr stays on the error."""
LONG = "x" * 100_000
GARBAGE_STDOUT = b"\x00\x01\xff\xfe\x1b[2J\x1b]52;c;cm0gLXJmIH4=\x07" + b"\x89PNG\r\n" * 50
GARBAGE_STDERR = (
    b"\x1b[31mpanic: runtime error\x1b[0m\n\xff\xfe not utf-8\n"
    + b"\x1b]0;pwned\x07"
    + LONG.encode()
    + b"\n"
)
CILIUM = ObjectRef("HelmRelease", "kube-system", "cilium")

BEHAVIOURS = {
    # The pid file proves the group was killed: the tool and its child are both gone.
    "hanging": (
        "import os, subprocess, sys, threading\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import threading; "
        "threading.Event().wait()'])\n"
        "open(os.environ['FAKE_PIDS'], 'w').write(f'{os.getpid()} {child.pid}')\n"
        "threading.Event().wait()\n"
    ),
    "garbage": (
        "import sys\n"
        f"sys.stdout.buffer.write({GARBAGE_STDOUT!r})\n"
        f"sys.stderr.buffer.write({GARBAGE_STDERR!r})\n"
        "sys.exit(3)\n"
    ),
}


def fake_tool(folder: Path, name: str, behaviour: str) -> str:
    """The path of a `name` script behaving as `behaviour` (`missing`: a path with nothing)."""
    path = folder / name
    if behaviour != "missing":
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(f"#!{sys.executable}\n{BEHAVIOURS[behaviour]}", encoding="utf-8")
        path.chmod(0o755)
    return str(path)


def _timeout(binary: str) -> float:
    """Short for a hanging tool (its folder is named after its behaviour), long otherwise."""
    return TIMEOUT if Path(binary).parent.name == "hanging" else SLOW_START


def _talosctl(binary: str) -> object:
    return TalosCli(binary, timeout=_timeout(binary)).members()


def _kubectl(binary: str) -> object:
    return Kubectl(None, None, binary=binary, timeout=_timeout(binary)).describe(CILIUM)


def _flux(binary: str) -> object:
    # flux gets its own --timeout plus 5 s before the kill: the least it can take is 5 s.
    return FluxCli(binary, timeout=0).check()


CALLS: dict[str, Callable[[str], object]] = {
    "talosctl": _talosctl,
    "kubectl": _kubectl,
    "flux": _flux,
}
EXPECTED: dict[str, tuple[type[TuiopsError], str]] = {
    "missing": (ToolNotFound, "not installed or not on PATH"),
    "hanging": (CommandFailed, "timed out"),
    "garbage": (CommandFailed, "exited 3"),
}


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie (killed, not yet reaped by its parent) is gone for our purposes.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(") ", 1)[1].startswith("Z")
    except FileNotFoundError:
        return True


def assert_clear(message: str, says: str) -> None:
    """One line, short, naming what happened, with nothing a terminal would act on once
    shown the way every screen shows text (`inert`)."""
    assert says in message, message
    assert "\n" not in message and "\r" not in message, message
    assert len(message) <= MESSAGE_LIMIT, f"{len(message)} characters: {message[:120]}…"
    assert "\x1b" not in inert(message)


@pytest.mark.parametrize("behaviour", list(EXPECTED))
@pytest.mark.parametrize("tool", list(CALLS))
def test_a_broken_tool_is_one_clear_error(
    tool: str, behaviour: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pids = tmp_path / "pids"
    monkeypatch.setenv("FAKE_PIDS", str(pids))
    binary = fake_tool(tmp_path / behaviour, tool, behaviour)
    kind, says = EXPECTED[behaviour]
    started = time.monotonic()
    with pytest.raises(kind) as raised:
        CALLS[tool](binary)
    took = time.monotonic() - started
    assert_clear(str(raised.value), says)
    assert tool in str(raised.value)
    if behaviour == "hanging":
        limit = 5 + 3 if tool == "flux" else TIMEOUT + 3
        assert took < limit, f"{tool} held the caller {took:.1f} s"
        tool_pid, child_pid = map(int, pids.read_text().split())
        # SIGKILL is delivered at once but a process takes a moment to end: poll for it.
        poll_until(lambda: _gone(tool_pid) and _gone(child_pid), GONE_SECONDS)


def _screen_text(app: TuiopsApp) -> str:
    from textual.widgets import Static

    return "\n".join(str(static.render()) for static in app.screen.query(Static))


@pytest.mark.parametrize("behaviour", list(EXPECTED))
def test_the_talos_screen_says_what_talosctl_did(
    behaviour: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_PIDS", str(tmp_path / "pids"))
    binary = fake_tool(tmp_path / behaviour, "talosctl", behaviour)
    backend = Backend(EXAMPLE_REPO, talos=TalosCli(binary, timeout=_timeout(binary)), label="test")
    says = EXPECTED[behaviour][1]

    async def main() -> None:
        app = TuiopsApp(backend, keymap_file=tmp_path / "no-keys.toml")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("3")
            screen = await wait_for_screen(pilot, TalosScreen)
            await wait_for(pilot, lambda: says in _screen_text(app), what=f"{says!r} shown")
            text = _screen_text(app)
            assert "\x1b" not in text and LONG not in text
            await pilot.press("2")  # still answering
            await wait_for(pilot, lambda: app.screen is not screen, what="another screen")
            assert app.is_running
            await settle(pilot)

    asyncio.run(main())


class KubectlDetails:
    """ObjectDetails with describe and YAML from a real `Kubectl` adapter on a fake binary."""

    def __init__(self, binary: str) -> None:
        self._kubectl = Kubectl(None, None, binary=binary, timeout=_timeout(binary))

    def describe(self, ref: ObjectRef) -> str:
        return self._kubectl.describe(ref)

    def yaml(self, ref: ObjectRef) -> str:
        return self._kubectl.yaml(ref)

    def events_for(self, ref: ObjectRef) -> tuple[()]:
        return ()


@pytest.mark.parametrize("behaviour", list(EXPECTED))
def test_describe_says_what_kubectl_did(
    behaviour: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_PIDS", str(tmp_path / "pids"))
    binary = fake_tool(tmp_path / behaviour, "kubectl", behaviour)
    backend = Backend(EXAMPLE_REPO, details=KubectlDetails(binary), label="test")  # type: ignore[arg-type]
    says = EXPECTED[behaviour][1]

    async def main() -> None:
        app = TuiopsApp(backend, keymap_file=tmp_path / "no-keys.toml")
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: app.state.overview is not None, what="the repo rows")
            app.open_detail(CILIUM)
            await wait_for_screen(pilot, DetailScreen)
            await pilot.press("d")
            screen = await wait_for_screen(pilot, TextScreen)
            await wait_for(pilot, lambda: says in _screen_text(app), what=f"{says!r} shown")
            body = _screen_text(app)
            assert "could not read: " in body
            assert "\x1b" not in body and LONG not in body
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is not screen, what="back from describe")
            await settle(pilot)

    asyncio.run(main())
