"""Hypothesis-generated hostile input (issue 16): log lines (raw bytes and controller JSON),
Flux manifests in a repo, and SOPS files, with names, messages and log text holding Rich
markup, ANSI and OSC sequences, bidi controls, very long lines and invalid UTF-8.

Every one is read without a crash (an unreadable SOPS file is one `SopsError` line), nothing is
executed (a sentinel command in the text never runs), and what the console would paint holds
the text as typed: markup literal, each control a visible escape, never a control itself.
"""

from __future__ import annotations

import json
import os
import tempfile
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.content import Content

from tests.sops.strategies import FIXTURES, KEY_FILE_1
from tuiops.adapters.log_decode import decode_line
from tuiops.adapters.log_stream import split_stamp
from tuiops.domain.decode_live import decode_live_object
from tuiops.domain.log_records import LogRecord, LogStream
from tuiops.domain.overview import AppRow
from tuiops.domain.text import inert
from tuiops.gitops.sops.errors import SopsError
from tuiops.gitops.sops.files import open_sops_file
from tuiops.gitops.sops.keys import parse_identities
from tuiops.services.backend import Backend
from tuiops.services.console_state import ConsoleSession
from tuiops.ui.tables import app_cells
from tuiops.ui.widgets.log_view import line_content

SENTINEL = Path(tempfile.gettempdir()) / f"tuiops-hostile-ran-{os.getpid()}"
"""A file the hostile text's commands would create if anything ever ran them."""
MARKUP = ("[bold red]x[/]", "[link=http://evil.example]y[/link]", "[/]", "[@click=app.quit]z[/]")
CONTROLS = (
    "\x1b[2J",  # clear screen
    "\x1b]0;pwned\x07",  # OSC 0: window title
    "\x1b]52;c;cm0gLXJmIH4=\x07",  # OSC 52: clipboard
    "\x1b]8;;http://evil.example\x1b\\",  # OSC 8: hyperlink
    "\x9b31m",  # C1 CSI
    "\u202e",  # bidi override
    "\x00",
    "\r",
)
COMMANDS = (f"$(touch {SENTINEL})", f"`touch {SENTINEL}`", f"; touch {SENTINEL}")
ACTED_ON = frozenset(
    (
        *range(0x00, 0x09),
        *range(0x0B, 0x20),
        *range(0x7F, 0xA0),
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        *range(0xD800, 0xE000),
    )
)
"""Characters a terminal acts on (C0 but tab and newline, DEL, C1, bidi, lone surrogates)."""

piece = st.one_of(
    st.sampled_from(MARKUP),
    st.sampled_from(CONTROLS),
    st.sampled_from(COMMANDS),
    st.text(max_size=20),
    st.just("w" * 5000),  # a very long run
)
hostile_text = st.lists(piece, min_size=1, max_size=6).map("".join)
"""Text mixing markup, controls, shell commands, arbitrary characters and long runs."""
hostile_name = st.lists(piece, min_size=1, max_size=3).map(lambda parts: "n" + "".join(parts))
EXAMPLES = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_painted_inert(content: Content, *sources: str) -> None:
    """No control a terminal acts on in what is painted, every markup piece of the sources
    shown as typed, and no style a markup tag would have given (only the renderer's tones)."""
    plain = content.plain
    found = sorted({f"U+{ord(c):04X}" for c in plain if ord(c) in ACTED_ON})
    assert not found, f"painted controls {found}: {plain[:200]!r}"
    for source in sources:
        for tag in MARKUP:
            if tag in source and "\n" not in source:
                assert tag in plain or tag in inert(source, one_line=True), (tag, plain[:200])
    for span in content.spans:
        style = str(span.style)
        assert "link" not in style and "@click" not in style, style


def _not_executed() -> None:
    assert not SENTINEL.exists(), "a command in hostile text was run"


@EXAMPLES
@given(st.binary(max_size=400), hostile_text)
def test_a_raw_log_line_is_painted_inert(raw: bytes, text: str) -> None:
    """Bytes as a stream delivers them (decoded with replacement), timestamped or not."""
    for line in (raw.decode("utf-8", "replace"), f"2026-01-01T00:00:00.1Z {text}", text):
        stamp, rest = split_stamp(line)
        record = LogRecord(LogStream("flux-system", "p", "c"), stamp, rest, decode_line(rest))
        assert_painted_inert(line_content(record), rest)
    _not_executed()


@EXAMPLES
@given(hostile_text, hostile_text, hostile_name, st.sampled_from(["info", "error", "x\x1b"]))
def test_a_controller_json_line_is_painted_inert(
    message: str, error: str, name: str, level: str
) -> None:
    document = {
        "level": level,
        "ts": "2026-01-01T00:00:00.000Z",
        "msg": message,
        "error": error,
        "controller": "helmrelease",
        "controllerKind": "HelmRelease",
        "HelmRelease": {"name": name, "namespace": name},
        "name": name,
        "namespace": name,
    }
    text = json.dumps(document)
    record = LogRecord(LogStream("flux-system", "p", "c", "helm-controller"), "", text)
    record = LogRecord(record.stream, "", text, decode_line(text))
    assert record.line is not None
    assert_painted_inert(line_content(record), message, error, name)
    _not_executed()


def _ks(name: str, message: str) -> str:
    return textwrap.dedent(
        f"""\
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata:
          name: {json.dumps(name)}
          namespace: flux-system
          annotations: {{note: {json.dumps(message)}}}
        spec:
          interval: 10m
          path: ./apps
          prune: true
          dependsOn:
            - name: {json.dumps(message[:60] or "x")}
          sourceRef: {{kind: GitRepository, name: cluster}}
        """
    )


def _hr(name: str, version: str) -> str:
    return textwrap.dedent(
        f"""\
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata:
          name: {json.dumps(name)}
          namespace: apps
        spec:
          interval: 15m
          chart:
            spec:
              chart: app
              version: {json.dumps(version)}
              sourceRef: {{kind: HelmRepository, name: charts, namespace: flux-system}}
        """
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_name, hostile_text, hostile_text, st.binary(min_size=1, max_size=60))
def test_a_repo_of_hostile_manifests_is_shown_inert(
    name: str, message: str, version: str, junk: bytes
) -> None:
    """A Kustomization and a HelmRelease named and versioned with hostile text, beside a file
    of raw bytes: the repo reads, and each row's cells are painted inert."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / ".git").mkdir()
        apps = root / "apps"
        apps.mkdir()
        (apps / "ks.yaml").write_text(_ks(name, message), encoding="utf-8")
        (apps / "hr.yaml").write_text(_hr(name, version), encoding="utf-8")
        (apps / "kustomization.yaml").write_text(
            "resources: [ks.yaml, hr.yaml, junk.yaml]\n", encoding="utf-8"
        )
        (apps / "junk.yaml").write_bytes(b"a: [" + junk + b"\xff\n")
        session = ConsoleSession(Backend(root, offline_reason="offline (--offline)"))
        session.read_repo()
        for row in session.snapshot().rows:
            for cell in app_cells(row, ""):
                assert_painted_inert(cell, name, version)
    _not_executed()


@EXAMPLES
@given(hostile_text, hostile_name, hostile_text)
def test_a_live_object_with_hostile_status_is_shown_inert(
    message: str, name: str, revision: str
) -> None:
    """What a cluster says (condition messages, revisions) in the Apps row."""
    obj = {
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": name, "namespace": "apps", "resourceVersion": "1"},
        "spec": {"chart": {"spec": {"chart": "app", "version": revision}}},
        "status": {
            "conditions": [
                {"type": "Ready", "status": "False", "reason": revision, "message": message}
            ],
            "lastAttemptedRevision": revision,
        },
    }
    live = decode_live_object(obj)
    row = AppRow(live.ref, "apps", name, None, revision, live)
    for cell in app_cells(row, ""):
        assert_painted_inert(cell, message, name, revision)


SOPS_FILE = (FIXTURES / "clusterenv.enc.yaml").read_text(encoding="utf-8")
SOURCES = [parse_identities(KEY_FILE_1.read_text(encoding="ascii"), "age-test-1.txt")]


@st.composite
def damaged_sops_text(draw: st.DrawFn) -> bytes:
    """The encrypted fixture cut, spliced with hostile text, or with bytes flipped."""
    data = bytearray(SOPS_FILE.encode())
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        how = draw(st.sampled_from(["cut", "insert", "flip"]))
        if how == "cut":
            data = data[:at]
        elif how == "insert":
            data[at:at] = draw(hostile_text).encode("utf-8", "surrogatepass")
        elif at < len(data):
            data[at] ^= draw(st.integers(1, 255))
    return bytes(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_sops_text())
def test_a_damaged_or_hostile_sops_file_is_one_line(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clusterenv.yaml"
        path.write_bytes(data)
        try:
            opened = open_sops_file(path, SOURCES)
        except SopsError as error:
            message = inert(str(error))
            assert message and "\n" not in message, message
            assert "Traceback" not in message
        else:
            for entry in opened.entries():  # what the Env screen would list
                assert inert(entry.key) == inert(inert(entry.key))
    _not_executed()


@pytest.fixture(autouse=True)
def _no_sentinel_left() -> None:
    SENTINEL.unlink(missing_ok=True)
