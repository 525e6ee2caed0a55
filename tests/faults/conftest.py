"""The fault and abuse table (issue 16): `python -m pytest tests/faults` runs every case and
ends with one table, per fault class, of how many cases ran and how many were survived with
nothing lost.

A case's class is the folder it lives in (`tests/faults/<class>/`): `api`, `subprocess`,
`hostile`, `files`, `secrets`, `regressions`. "Survived" means passed: a skipped, xfailed or
xpassed case is never counted as survived, and each has its own column, so a known bug marked
`xfail(strict=True)` shows in the table rather than hiding in it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from _pytest.reports import TestReport
from _pytest.terminal import TerminalReporter

FAULTS_ROOT = Path(__file__).resolve().parent
CLASSES = ("api", "subprocess", "hostile", "files", "secrets", "regressions")
"""The fault classes in the order the table lists them (the folders under tests/faults)."""
OUTCOMES = ("failed", "error", "xfailed", "xpassed", "skipped")
"""What a case that did not survive came to, worst first."""


@dataclass
class ClassTally:
    """One row of the table: each case's worst outcome over its phases."""

    cases: dict[str, str] = field(default_factory=dict)

    def note(self, nodeid: str, outcome: str) -> None:
        known = self.cases.get(nodeid)
        if known is None or _rank(outcome) < _rank(known):
            self.cases[nodeid] = outcome

    def count(self, outcome: str) -> int:
        return sum(1 for seen in self.cases.values() if seen == outcome)


def _rank(outcome: str) -> int:
    return OUTCOMES.index(outcome) if outcome in OUTCOMES else len(OUTCOMES)


def fault_class(nodeid: str, rootdir: Path) -> str | None:
    """The class of the case `nodeid` (`tests/faults/api/test_x.py::test_y`): its folder under
    tests/faults; None for a case outside tests/faults."""
    path = (rootdir / nodeid.split("::", 1)[0]).resolve()
    try:
        parts = path.relative_to(FAULTS_ROOT).parts
    except ValueError:
        return None
    return parts[0] if len(parts) > 1 else None


def tally(reports: Iterable[tuple[str, TestReport]], rootdir: Path) -> dict[str, ClassTally]:
    """Per class, each case's worst outcome, from the terminal reporter's (category, report)."""
    table: dict[str, ClassTally] = {}
    for category, report in reports:
        kind = fault_class(report.nodeid, rootdir)
        if kind is None:
            continue
        table.setdefault(kind, ClassTally()).note(report.nodeid, category)
    return table


def format_table(table: dict[str, ClassTally]) -> list[str]:
    """The summary's lines: a header, one row per class, a total."""
    header = ("class", "ran", "survived", "failed", "xfail", "xpass", "skipped")
    rows: list[tuple[str, ...]] = []
    totals = [0] * (len(header) - 1)
    extra = sorted(set(table) - set(CLASSES))
    for kind in (*CLASSES, *extra):
        tallied = table.get(kind, ClassTally())
        counts = [
            len(tallied.cases),
            tallied.count("passed"),
            tallied.count("failed") + tallied.count("error"),
            tallied.count("xfailed"),
            tallied.count("xpassed"),
            tallied.count("skipped"),
        ]
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        rows.append((kind, *map(str, counts)))
    rows.append(("total", *map(str, totals)))
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        cells = zip(row[1:], widths[1:], strict=True)
        return "  ".join([row[0].ljust(widths[0]), *(c.rjust(w) for c, w in cells)])

    rule = "  ".join("-" * width for width in widths)
    return [line(header), rule, *(line(row) for row in rows[:-1]), rule, line(rows[-1])]


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    """Print the fault table when any case under tests/faults ran."""
    reports = [
        (category, report)
        for category in ("passed", *OUTCOMES)
        for report in terminalreporter.stats.get(category, ())
        if isinstance(report, TestReport)
    ]
    table = tally(reports, Path(str(terminalreporter.config.rootpath)))
    if not table:
        return
    terminalreporter.section("fault and abuse table (issue 16)")
    for text in format_table(table):
        terminalreporter.write_line(text)
    terminalreporter.write_line(
        "survived = passed with nothing lost; xfail (known bugs) and skips are never survived"
    )
