"""Repo and cluster text reaches the terminal inert from every command (issue 11).

A copy of the example repo gets a component whose names, dependsOn names, chart version and file
names carry OSC 0 (title), OSC 52 (clipboard), OSC 8 (hyperlink), CSI (clear screen), BEL, a C1
CSI, bidi overrides and isolates, and undecodable bytes; the repo folder's own name carries some
too. Each command runs as a user runs it (a child process) and the bytes it writes are checked:
valid UTF-8, no control a terminal acts on, and the hostile text still visible as escapes.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tuiops.sim.apiserver.resources import type_for_kind
from tuiops.sim.example_repo import EXAMPLE_REPO
from tuiops.sim.session import Simulation, start_simulation

TITLE = "\x1b]0;pwned\x07"  # OSC 0: sets the window title
CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4=\x07"  # OSC 52: writes "rm -rf ~" to the clipboard
LINK = "\x1b]8;;http://evil.example\x1b\\"  # OSC 8 hyperlink, ended by ST
CLEAR = "\x1b[2J"  # CSI: clears the screen
BELL = "\x07"
C1 = "\x9b31m"  # CSI as one C1 character
BIDI = "\u202egnp.exe\u2066x\u2069"  # right-to-left override, an isolate

PAYLOAD = TITLE + CLIPBOARD + LINK + CLEAR + BELL + C1 + BIDI
FILE_PAYLOAD = TITLE + CLIPBOARD + CLEAR + C1 + "\u202e"  # no "/" in a file name
UNDECODABLE = b"\xff\x9b"  # not UTF-8: a file name the terminal must not get raw

DEPENDENCY = "dep" + PAYLOAD
KS_NAME = "evil" + TITLE + C1 + "\u202e"
HR_NAME = "hr" + LINK + CLEAR + BELL
CHART_VERSION = ">=1.0" + TITLE
CONFIG_FILE = "cm" + FILE_PAYLOAD + ".yaml"
BROKEN_FILE = "broken" + FILE_PAYLOAD + ".yaml"

# Each payload as the user should see it: every control a visible escape.
SHOWN_TITLE = "\\x1b]0;pwned\\x07"
SHOWN_CLIPBOARD = "\\x1b]52;c;cm0gLXJmIH4=\\x07"
SHOWN_LINK = "\\x1b]8;;http://evil.example\\x1b\\"
SHOWN_CLEAR = "\\x1b[2J"
SHOWN_C1 = "\\x9b31m"
SHOWN_BIDI = "\\u202egnp.exe\\u2066x\\u2069"
SHOWN_PAYLOAD = (
    SHOWN_TITLE + SHOWN_CLIPBOARD + SHOWN_LINK + SHOWN_CLEAR + "\\x07" + SHOWN_C1 + SHOWN_BIDI
)
SHOWN_FILE_PAYLOAD = SHOWN_TITLE + SHOWN_CLIPBOARD + SHOWN_CLEAR + SHOWN_C1 + "\\u202e"
SHOWN_UNDECODABLE = "\\udcff\\udc9b"
SHOWN_CHART = ">=1.0" + SHOWN_TITLE

ACTED_ON = {
    *range(0x00, 0x09),  # C0 but tab and newline
    *range(0x0B, 0x20),
    *range(0x7F, 0xA0),  # DEL and C1
    *range(0x202A, 0x202F),  # bidi embeddings and overrides
    *range(0x2066, 0x206A),  # bidi isolates
    *range(0xD800, 0xE000),  # lone surrogates
}


def _quoted(text: str) -> str:
    """`text` as a YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(text)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _ks(name: str, path: str, depends_on: str) -> str:
    return (
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
        f"metadata:\n  name: {_quoted(name)}\n  namespace: flux-system\n"
        f"spec:\n  interval: 10m\n  path: {path}\n  prune: true\n"
        f"  dependsOn:\n    - name: {_quoted(depends_on)}\n"
        "  sourceRef: {kind: GitRepository, name: cluster}\n"
        "  postBuild:\n    substitute:\n      EVIL_SIZE: 1Gi\n"
    )


def make_hostile_repo(parent: Path) -> Path:
    """The example repo under a hostile folder name, with a hostile `evil` app listed in the
    apps layer, an orphan folder named with undecodable bytes and a broken YAML file."""
    root = parent / ("repo" + FILE_PAYLOAD)
    shutil.copytree(EXAMPLE_REPO, root)
    (root / ".git").mkdir()
    apps = root / "clusters" / "main" / "kubernetes" / "apps"
    with (apps / "kustomization.yaml").open("a", encoding="utf-8") as listing:
        listing.write("  - evil/ks.yaml\n")
    app = "clusters/main/kubernetes/apps/evil/app"
    _write(apps / "evil" / "ks.yaml", _ks(KS_NAME, app, DEPENDENCY))
    _write(
        apps / "evil" / "app" / "kustomization.yaml",
        "resources:\n  - helm-release.yaml\n"
        f"  - {_quoted(CONFIG_FILE)}\n  - {_quoted(BROKEN_FILE)}\n",
    )
    _write(
        apps / "evil" / "app" / "helm-release.yaml",
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\n"
        f"metadata:\n  name: {_quoted(HR_NAME)}\n  namespace: evil\n"
        "spec:\n  interval: 15m\n"
        f"  chart:\n    spec:\n      chart: evil\n      version: {_quoted(CHART_VERSION)}\n"
        "      sourceRef: {kind: HelmRepository, name: truecharts, namespace: flux-system}\n"
        "  values:\n    size: ${EVIL_SIZE}\n",
    )
    _write(
        apps / "evil" / "app" / CONFIG_FILE,
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: evil, namespace: evil}\n"
        "data:\n  missing: ${EVIL_UNDEFINED}\n",
    )
    # Raw bytes on disk: a folder named with undecodable bytes (an orphan Kustomization), and
    # a listed YAML file holding raw escape sequences and undecodable bytes.
    orphan = Path(os.fsdecode(os.fsencode(apps) + b"/orphan" + UNDECODABLE))
    _write(orphan / "ks.yaml", _ks("orphan", "clusters/main/kubernetes/apps/orphan", "x"))
    (apps / "evil" / "app" / BROKEN_FILE).write_bytes(
        b"a: [" + TITLE.encode() + UNDECODABLE + b"\nb: " + CLEAR.encode() + b"\n"
    )
    return root


@pytest.fixture(scope="module")
def hostile_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_hostile_repo(tmp_path_factory.mktemp("hostile"))


def tuiops(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "tuiops", *args],
        capture_output=True,
        env=env,
        timeout=120,
    )


def inert_output(data: bytes) -> str:
    """`data` decoded; fails on bytes that are not UTF-8 or on any control a terminal acts on
    (ESC, BEL, C0, C1, bidi override or isolate, a surrogate)."""
    text = data.decode("utf-8")  # strict: an undecodable byte went out raw
    found = sorted({f"U+{ord(c):04X}" for c in text if ord(c) in ACTED_ON})
    assert not found, f"sent to the terminal: {found}"
    return text


def _ran_normally(result: subprocess.CompletedProcess[bytes], code: int) -> tuple[str, str]:
    out, err = inert_output(result.stdout), inert_output(result.stderr)
    assert "Traceback" not in err, err
    assert result.returncode == code, err
    return out, err


def test_status_offline_text_is_inert(hostile_repo: Path) -> None:
    result = tuiops("status", "--offline", "--repo", str(hostile_repo))
    out, _err = _ran_normally(result, 1)  # a dependsOn names nothing: an error finding
    assert f"repo{SHOWN_FILE_PAYLOAD} " in out.splitlines()[0]
    assert f"ks flux-system/evil{SHOWN_TITLE}{SHOWN_C1}\\u202e  dependsOn dep{SHOWN_PAYLOAD}" in out
    assert f"hr evil/hr{SHOWN_LINK}{SHOWN_CLEAR}\\x07  evil@{SHOWN_CHART}" in out
    assert f"orphan{SHOWN_UNDECODABLE}" in out


def test_status_offline_json_is_ascii_and_keeps_the_data(hostile_repo: Path) -> None:
    result = tuiops("status", "--offline", "--json", "--repo", str(hostile_repo))
    out, _err = _ran_normally(result, 1)
    assert out.isascii()  # every control, bidi mark and surrogate is a \u escape
    data: dict[str, Any] = json.loads(out)
    assert data["repo"] == str(hostile_repo)
    (cluster,) = data["clusters"]
    components = [c for layer in cluster["layers"] for c in layer["components"]]
    (evil,) = [c for c in components if c["name"] == "evil"]
    (ks,) = evil["kustomizations"]
    assert ks["name"] == KS_NAME and ks["dependsOn"] == [f"flux-system/{DEPENDENCY}"]
    (release,) = evil["helmReleases"]
    assert release["name"] == HR_NAME and release["version"] == CHART_VERSION
    orphan_files = {k["file"] for c in cluster["orphans"] for k in c["kustomizations"]}
    undecodable = os.fsdecode(b"orphan" + UNDECODABLE)
    assert any(undecodable in file for file in orphan_files), orphan_files


def test_vars_is_inert(hostile_repo: Path) -> None:
    result = tuiops("vars", "--repo", str(hostile_repo))
    out, _err = _ran_normally(result, 1)  # ${EVIL_UNDEFINED}: an error finding
    (used,) = [line for line in out.splitlines() if line.strip().startswith("EVIL_SIZE ")]
    assert used.endswith(f"flux-system/evil{SHOWN_TITLE}{SHOWN_C1}\\u202e")
    undefined = out.split("  undefined:\n", 1)[1]  # the list of undefined uses, where
    (missing,) = [line for line in undefined.splitlines() if "EVIL_UNDEFINED" in line]
    assert f"evil/app/cm{SHOWN_FILE_PAYLOAD}.yaml:" in missing


def test_lint_is_inert(hostile_repo: Path) -> None:
    result = tuiops("lint", "--repo", str(hostile_repo))
    out, _err = _ran_normally(result, 1)
    lines = out.splitlines()
    missing = [line for line in lines if line.endswith("[depends-on-missing]")]
    assert any(f"Kustomization/flux-system/dep{SHOWN_PAYLOAD} which" in line for line in missing)
    assert any(f"/cm{SHOWN_FILE_PAYLOAD}.yaml:" in line for line in lines)  # var-undefined
    assert any(f"/broken{SHOWN_FILE_PAYLOAD}.yaml:" in line for line in lines)  # bad YAML
    assert any(f"/orphan{SHOWN_UNDECODABLE}/ks.yaml:" in line for line in lines)  # orphan
    (unpinned,) = [line for line in lines if line.endswith("[chart-unpinned]")]
    assert f"HelmRelease/evil/hr{SHOWN_LINK}{SHOWN_CLEAR}\\x07 installs" in unpinned


@pytest.mark.parametrize(
    "environment",
    [{"PYTHONIOENCODING": "ascii"}, {"LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": ""}],
    ids=["ascii-stdout", "c-locale"],
)
def test_no_output_encoding_crashes_a_command(
    hostile_repo: Path, environment: dict[str, str]
) -> None:
    env = {**os.environ, **environment}
    for args in (("status", "--offline"), ("vars",), ("lint",)):
        result = tuiops(*args, "--repo", str(hostile_repo), env=env)
        out, _err = _ran_normally(result, 1)
        assert SHOWN_TITLE in out, args


def test_error_line_is_inert(hostile_repo: Path) -> None:
    result = tuiops("status", "--offline", "--repo", str(hostile_repo), "--cluster", "x" + TITLE)
    _out, err = _ran_normally(result, 2)
    assert err.startswith("tuiops: no cluster ") and err.count("\n") == 1
    assert f"repo{SHOWN_FILE_PAYLOAD}" in err


# -- live status against the simulated cluster built from the hostile repo ---------------------

HR = type_for_kind("HelmRelease")
MESSAGE = "failed" + PAYLOAD + "\udcff and\nmore"  # a lone surrogate crashed the text output
REASON = "Failed" + CLEAR
CLUSTER_ONLY = "twin" + TITLE + "\u202e"


@pytest.fixture(scope="module")
def hostile_cluster(hostile_repo: Path) -> Iterator[Simulation]:
    with start_simulation(
        "degraded", repo=hostile_repo, controllers=False, frozen_clock=True
    ) as running:
        store = running.cluster.store

        def hostile(obj: dict[str, Any]) -> None:
            for condition in obj["status"]["conditions"]:
                if condition["type"] == "Ready":
                    condition.update(status="False", reason=REASON, message=MESSAGE)

        store.update(HR, "plex", "plex", hostile, status_only=True)
        plex = store.get(HR, "plex", "plex")
        assert plex is not None
        twin = copy.deepcopy(plex)
        twin["metadata"] = {"name": CLUSTER_ONLY, "namespace": "plex"}
        store.create(HR, twin)
        yield running


def test_live_status_text_is_inert(hostile_repo: Path, hostile_cluster: Simulation) -> None:
    env = hostile_cluster.environment()
    result = tuiops("status", "--repo", str(hostile_repo), env=env)
    out, _err = _ran_normally(result, 1)  # plex is not ready
    shown_message = f"failed{SHOWN_PAYLOAD}\\udcff and more"  # folded to its one line
    (plex,) = [line for line in out.splitlines() if " hr plex/plex " in line]
    assert f"Failed{SHOWN_CLEAR}" in plex and plex.endswith(shown_message)
    (twin,) = [line for line in out.splitlines() if " hr plex/twin" in line]
    assert f"plex/twin{SHOWN_TITLE}\\u202e " in twin and twin.endswith(shown_message)
    assert f"hr evil/hr{SHOWN_LINK}{SHOWN_CLEAR}\\x07 " in out  # a repo name, in the cluster
    assert f"ks flux-system/evil{SHOWN_TITLE}{SHOWN_C1}\\u202e " in out


def test_live_status_json_is_ascii(hostile_repo: Path, hostile_cluster: Simulation) -> None:
    env = hostile_cluster.environment()
    result = tuiops("status", "--json", "--repo", str(hostile_repo), env=env)
    out, _err = _ran_normally(result, 1)
    assert out.isascii()
    (cluster,) = json.loads(out)["clusters"]
    (twin,) = [o for o in cluster["notInRepo"] if o["name"] == CLUSTER_ONLY]
    assert twin["reason"] == REASON
