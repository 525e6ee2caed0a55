"""Text from a cluster or a log is untrusted: before it reaches a terminal, escape sequences
and control characters go (a crafted condition message must not move the cursor, retitle the
window or hide lines)."""

from __future__ import annotations

import re

_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI ... final byte
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL or ST
    r"|\x1b[P^_X][^\x1b]*(?:\x1b\\)?"  # DCS, PM, APC, SOS strings
    r"|\x1b.?"  # any other escape
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"  # C0 (but tab and newline) and C1 controls
)


def inert(text: str, *, one_line: bool = False) -> str:
    """`text` without terminal control sequences; `one_line` also folds newlines and tabs."""
    # Fast path (most cluster text): printable means no ESC, C0/C1 control, tab or newline.
    if text.isprintable() and (not one_line or "  " not in text):
        return text
    cleaned = _ESCAPES.sub("", text)
    if one_line:
        cleaned = " ".join(cleaned.split())
    return cleaned
