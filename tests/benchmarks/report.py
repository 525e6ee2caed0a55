"""Issue 16's metrics shown: a plain-text table for the terminal, a Markdown one for the
README's performance section, and the rewrite of that section between its markers.

Pure functions of the metrics (`metrics.py`), tested in `tests/unit/test_bench_run.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tests.benchmarks.metrics import OK, Metric

PERF_START = "<!-- perf:start -->"
PERF_END = "<!-- perf:end -->"


def shown(value: float | None, unit: str) -> str:
    """A figure with its unit: `1.23 s`, `15,012 lines/s`, `-` for none."""
    if value is None:
        return "-"
    if value == float("inf"):
        return "timeout"
    if abs(value) >= 1000:
        number = f"{value:,.0f}"
    elif abs(value) >= 100 or value == int(value):
        number = f"{value:.0f}"
    elif abs(value) >= 1:
        number = f"{value:.2f}"
    else:
        number = f"{value:.3f}"
    return f"{number} {unit}"


def row_cells(m: Metric) -> list[str]:
    """metric, tuiops, peer, ratio, target, verdict."""
    peer = f"{shown(m.peer_value, m.unit)} ({m.peer})" if m.peer else "-"
    ratio = "-" if m.ratio is None else ("timeout" if m.ratio == float("inf") else f"{m.ratio:.2f}")
    return [m.name, shown(m.value, m.unit), peer, ratio, m.target.text(m.unit), m.verdict]


HEADERS = ["metric", "tuiops", "peer", "ratio", "target", "verdict"]


def text_table(rows: Sequence[Metric]) -> str:
    """The table as plain text, notes under it."""
    cells = [HEADERS, *(row_cells(m) for m in rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADERS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    lines += [f"{m.name}: {m.note}" for m in rows if m.note]
    return "\n".join(line.rstrip() for line in lines)


def markdown_table(rows: Sequence[Metric]) -> str:
    """The table as Markdown, each note in a last column."""
    lines = [
        "| " + " | ".join([*HEADERS, "note"]) + " |",
        "|" + " --- |" * (len(HEADERS) + 1),
    ]
    for m in rows:
        cells = [*row_cells(m), m.note]
        cells[0] = f"`{cells[0]}`"
        if m.verdict != OK:
            cells[5] = f"**{cells[5]}**"
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def performance_section(
    rows: Sequence[Metric], machine: Mapping[str, Any], date: str, command: str
) -> str:
    """The README's text between the perf markers: what ran where, then the table."""
    met = sum(m.ok is True for m in rows)
    missing = sum(m.ok is None for m in rows)
    load = machine.get("load_average_at_start")
    return "\n".join(
        [
            f"Latest run: `{command}`, {date}.",
            "",
            f"- Machine: {machine_line(machine)}.",
            *([f"- Load average when it started: {load} (the machine is shared)."] if load else []),
            f"- {met} of {len(rows)} targets met, {missing} not measured (n/a).",
            "",
            "Medians of several runs. A ratio is tuiops' time over the peer's, both measured in",
            "the same run (lower is better): absolute times on shared machines are noisy, the",
            "ratios less so. Issue 16 names the metrics and their targets.",
            "",
            markdown_table(rows),
        ]
    )


def machine_line(machine: Mapping[str, Any]) -> str:
    return (
        f"{machine.get('cpu', '?')} ({machine.get('cores', '?')} cores), "
        f"{machine.get('ram_gib', '?')} GiB RAM, Python {machine.get('python', '?')}, "
        f"{machine.get('os', '?')}"
    )


def replace_between_markers(document: str, body: str) -> str:
    """`document` with the text between `PERF_START` and `PERF_END` replaced by `body`.

    Raises:
        ValueError: the markers are missing, doubled or out of order.
    """
    if document.count(PERF_START) != 1 or document.count(PERF_END) != 1:
        raise ValueError(f"expected one {PERF_START} and one {PERF_END}")
    head, rest = document.split(PERF_START)
    if PERF_END not in rest:
        raise ValueError(f"{PERF_END} comes before {PERF_START}")
    _, tail = rest.split(PERF_END)
    return f"{head}{PERF_START}\n{body.strip()}\n{PERF_END}{tail}"
