"""Saving is crash-safe: a process killed (SIGKILL) at any moment of an edit loop never leaves
a broken or half-written SOPS file, and never leaves plaintext in a temporary file.

A child process re-opens the file and saves alternating values with `set_value` +
`OpenSopsFile.save` as fast as it can; the parent kills it after a random delay (seeded),
then checks the file with tuiops and with the real sops.
"""

from __future__ import annotations

import json
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.sops.strategies import FIXTURES, KEY_FILE_1, require_tools, run_sops, sops_path_expr
from tuiops.gitops.sops.files import open_sops_file
from tuiops.gitops.sops.keys import parse_identities

ITERATIONS = 50
MAX_DELAY = 0.3
SEED = 20261125
KEY = "RADARR_API"
NAME = "clusterenv.yaml"
TOLERATED = re.compile(rf"^\.{re.escape(NAME)}\..+\.tmp$")
"""`write_atomic`'s temporary file; a kill between its creation and the rename leaves it."""

CHILD = """
import json, sys
from pathlib import Path
from tuiops.gitops.sops.edit import set_value
from tuiops.gitops.sops.files import open_sops_file
from tuiops.gitops.sops.keys import parse_identities

job = json.loads(sys.stdin.readline())
path = Path(job["path"])
sources = [parse_identities(Path(job["key_file"]).read_text(), "key")]
values = job["values"]
open_sops_file(path, sources)  # warm: every import done before the parent's clock starts
sys.stdout.write("ready\\n")
sys.stdout.flush()
count = 0
while True:
    opened = open_sops_file(path, sources)
    text = set_value(opened.decrypted, (job["key"],), values[count % 2])
    if text is not None:
        opened.save(text)
    count += 1
    sys.stdout.write(".")
    sys.stdout.flush()
"""


@dataclass
class Outcome:
    """What one kill left behind."""

    saves: int
    value: str
    leftovers: int


def _kill_during_saves(folder: Path, values: tuple[str, str], delay: float) -> int:
    """Start the saving child, kill it after `delay` seconds of saving; returns its saves."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        cwd=folder,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None and child.stdout is not None and child.stderr is not None
    try:
        job = {"path": str(folder / NAME), "key_file": str(KEY_FILE_1), "key": KEY}
        child.stdin.write(json.dumps({**job, "values": list(values)}) + "\n")
        child.stdin.close()
        ready = child.stdout.readline()
        assert ready == "ready\n", f"the child did not start: {child.stderr.read()}"
        time.sleep(delay)
        assert child.poll() is None, f"the child stopped by itself: {child.stderr.read()}"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        return len(child.stdout.read())
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=10)
        for stream in (child.stdout, child.stderr):
            stream.close()


def _check(folder: Path, allowed: set[str]) -> Outcome:
    """The file decrypts with tuiops and sops to an allowed value; only tolerated temporary
    files remain, with no plaintext in them (they are removed afterwards)."""
    target = folder / NAME
    sources = [parse_identities(KEY_FILE_1.read_text(encoding="ascii"), "age-test-1.txt")]
    opened = open_sops_file(target, sources)  # raises unless every value and the MAC verify
    leaf = opened.decrypted.leaf((KEY,))
    assert leaf is not None and leaf.value in allowed, f"unexpected value {leaf!r}"
    extracted = run_sops(["-d", "--extract", sops_path_expr(KEY), NAME], folder).stdout
    assert extracted == leaf.value
    assert target.stat().st_mode & 0o777 == 0o600, "the file lost its mode"
    others = sorted(p.name for p in folder.iterdir() if p.name != NAME)
    stray = [name for name in others if not TOLERATED.match(name)]
    assert not stray, f"stray files after the kill: {stray}"
    for name in others:
        data = (folder / name).read_bytes()
        leaked = [v for v in allowed if v.encode("utf-8") in data]
        assert not leaked, f"{name} holds plaintext {leaked}"
        (folder / name).unlink()
    return Outcome(0, str(leaf.value), len(others))


def test_sigkill_during_saves_never_corrupts_the_file(tmp_path: Path) -> None:
    """50 kills at random moments (seeded, 0-300 ms into a save loop): after each, the file
    decrypts (tuiops and `sops -d`, MAC verified) to the original or one of the written
    values, keeps its 0600 mode, and the only leftovers are `.clusterenv.yaml.*.tmp` files
    holding no plaintext. Counts of saves and leftovers are printed (`pytest -s`)."""
    require_tools()
    shutil.copyfile(FIXTURES / "clusterenv.enc.yaml", tmp_path / NAME)
    (tmp_path / NAME).chmod(0o600)
    sources = [parse_identities(KEY_FILE_1.read_text(encoding="ascii"), "age-test-1.txt")]
    leaf = open_sops_file(tmp_path / NAME, sources).decrypted.leaf((KEY,))
    assert leaf is not None and isinstance(leaf.value, str)
    values = (f"crash-alpha-{secrets.token_hex(8)}", f"crash-bravo-{secrets.token_hex(8)}")
    allowed = {leaf.value, *values}

    rng = random.Random(SEED)
    outcomes = []
    for _ in range(ITERATIONS):
        saves = _kill_during_saves(tmp_path, values, rng.uniform(0, MAX_DELAY))
        outcome = _check(tmp_path, allowed)
        outcome.saves = saves
        outcomes.append(outcome)

    leftovers = sum(o.leftovers for o in outcomes)
    mid_loop = sum(1 for o in outcomes if o.saves > 0)
    print(
        f"\ncrash safety: {ITERATIONS} kills, {mid_loop} after at least one save, "
        f"{sum(o.saves for o in outcomes)} loop iterations in all, "
        f"{leftovers} tolerated .tmp leftover(s) (no plaintext), final values seen: "
        f"{sorted({o.value[:11] for o in outcomes})}"
    )
    assert mid_loop >= ITERATIONS // 2, "too few kills landed inside the save loop"
    assert {o.value for o in outcomes} & set(values), "no save ever reached the disk"
