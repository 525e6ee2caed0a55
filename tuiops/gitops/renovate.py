"""`# renovate: datasource=... depName=...` comments, attached to the version line they mark."""

from __future__ import annotations

import re

from tuiops.domain.flux import RenovateHint
from tuiops.domain.refs import SourceLocation

_COMMENT = re.compile(r"^\s*#\s*renovate:\s*(.+?)\s*$")
_OPTION = re.compile(r"(\w+)=(\S+)")
_KEY_VALUE = re.compile(r"^\s*(?:-\s+)?([\w.-]+)\s*[:=]\s*['\"]?([^'\"#\s]+)")


def renovate_hints(file: str, text: str) -> list[RenovateHint]:
    """Every renovate comment in `text` that marks a following `key: value` line."""
    if "renovate:" not in text:
        return []
    lines = text.splitlines()
    hints = []
    for number, line in enumerate(lines, start=1):
        comment = _COMMENT.match(line)
        if comment is None:
            continue
        options = dict(_OPTION.findall(comment.group(1)))
        for target, candidate in enumerate(lines[number:], start=number + 1):
            if not candidate.strip() or candidate.lstrip().startswith("#"):
                continue
            marked = _KEY_VALUE.match(candidate)
            if marked is not None:
                hints.append(
                    RenovateHint(
                        location=SourceLocation(file, number),
                        datasource=options.pop("datasource", ""),
                        dep_name=options.pop("depName", ""),
                        key=marked.group(1),
                        value=marked.group(2),
                        target_line=target,
                        extra=tuple(sorted(options.items())),
                    )
                )
            break
    return hints
