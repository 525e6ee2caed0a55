"""Resident memory of a benchmarked process and its children, read from /proc (Linux only).

The console runs in the PTY's child, so a benchmark asks for the child's tree: the figure is
what the machine spends on the console, whichever process of it holds the memory.
"""

from __future__ import annotations

from pathlib import Path


def rss_mb(pid: int) -> float:
    """Resident memory of `pid` and all its descendants, in MB (MiB); 0 for a gone process."""
    total = 0.0
    for task in [pid, *_descendants(pid)]:
        try:
            for line in Path(f"/proc/{task}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            continue
    return total


def _descendants(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    kids = [int(child) for child in found]
    return kids + [grand for kid in kids for grand in _descendants(kid)]
