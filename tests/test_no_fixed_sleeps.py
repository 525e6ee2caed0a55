"""The rule "tests must be able to fail: no fixed sleeps (wait on a condition)" as a test: no
test pauses its pilot for a number of seconds. Wait with tests/pilot_waits.py instead
(`wait_for` a condition, `wait_for_screen`, `settle` until the app is idle); a pause without
an argument, which only lets the queued messages run, stays allowed."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
FIXED_PAUSE = re.compile(r"\.pause\(\s*(?:delay\s*=\s*)?[0-9.]")
"""A pause for a given time: a number, positional or as `delay=`."""


def test_the_pattern_finds_fixed_pauses_only() -> None:
    fixed = ("await pilot.pause(0.1)", "pilot.pause( 1 )", "pilot.pause(\n .5)", "x.pause(delay=2)")
    assert all(FIXED_PAUSE.search(text) for text in fixed)
    allowed = ("await pilot.pause()", "pilot.pause( )", "def pause(self) -> None:")
    assert not any(FIXED_PAUSE.search(text) for text in allowed)


def test_no_test_pauses_for_a_fixed_time() -> None:
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        if path == Path(__file__).resolve():  # the samples above
            continue
        text = path.read_text(encoding="utf-8")
        for match in FIXED_PAUSE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{path.relative_to(TESTS.parent)}:{line}")
    assert not found, f"fixed pauses (wait on a condition, see tests/pilot_waits.py): {found}"
