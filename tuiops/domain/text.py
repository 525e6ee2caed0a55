"""Text from a repo, a cluster or a log is untrusted: before it reaches a terminal, every
character a terminal would act on is shown as a visible escape instead of being sent.

A crafted name or condition message must not move the cursor, clear the screen, retitle the
window, write the clipboard (OSC 52), hide or reorder text (bidi overrides) or crash the output
(a lone surrogate cannot be encoded). Showing the escapes rather than deleting them tells the
user that something is there: `\\x1b]0;pwned\\x07` reads as what it is.

The console (per cell) and every command-line output use `inert`; there is no other way.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 (but tab and newline), DEL and C1 controls
    "\u202a-\u202e\u2066-\u2069"  # bidi embeddings, overrides and isolates
    "\u2028\u2029"  # line and paragraph separators
    "\ud800-\udfff]"  # lone surrogates: undecodable bytes (surrogateescape) or broken text
)
_WHITESPACE = re.compile(r"[ \t\n]+")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code == 0x0D:
        return "\\r"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def inert(text: str, *, one_line: bool = False) -> str:
    """`text` with every terminal control shown as a visible escape: ESC as `\\x1b`, BEL as
    `\\x07`, C1 as `\\x9b`, a bidi override as `\\u202e`, a lone surrogate (an undecodable
    byte) as `\\udcff`. Tabs and newlines are kept (a CRLF counts as a newline); `one_line`
    folds runs of spaces, tabs and newlines into one space and trims the ends.

    The result holds nothing a terminal acts on, encodes in UTF-8, and `inert` of it is itself.
    """
    # Fast path (most text): printable means no control, format, surrogate, tab or newline.
    if text.isprintable() and (not one_line or "  " not in text):
        return text
    if not one_line and text.replace("\n", "").isprintable():
        return text  # lines of printable text (a batch of log lines): nothing to change
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    shown = _UNSAFE.sub(_visible, text)
    if one_line:
        shown = _WHITESPACE.sub(" ", shown).strip(" ")
    return shown
