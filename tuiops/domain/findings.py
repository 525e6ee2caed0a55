"""Findings: what the repo reader and the linter report about a file and line."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.Enum):
    """How much a finding matters; `ERROR` makes `tuiops lint` exit 1."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for the most severe, for sorting."""
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem or remark about the repo."""

    severity: Severity
    code: str
    """Stable machine-readable id, e.g. `yaml-unreadable`, `var-undefined`."""
    file: str
    line: int | None
    message: str

    def sort_key(self) -> tuple[int, str, int, str]:
        """Most severe first, then by place."""
        return (self.severity.rank, self.file, self.line or 0, self.message)
