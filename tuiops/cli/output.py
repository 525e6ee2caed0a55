"""Every line the command line prints goes through here.

Command output holds repo and cluster text (names, file names, values, condition messages), so
all of it is made inert as the console makes its cells (`tuiops.domain.text.inert`): control
sequences, bidi overrides and undecodable bytes are shown as visible escapes, never sent. A
write never fails on a character the stream cannot encode (a non-UTF-8 locale): such a character
is written as a backslash escape instead.
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from tuiops.domain.text import inert


def write_text(text: str, stream: TextIO | None = None, *, flush: bool = False) -> None:
    """Write `text` inert (newlines and tabs kept) to `stream` (default: stdout)."""
    out = sys.stdout if stream is None else stream
    shown = inert(text)
    try:
        out.write(shown)
    except UnicodeEncodeError:  # a text stream encodes before writing: nothing went out yet
        encoding = getattr(out, "encoding", None) or "ascii"
        out.write(shown.encode(encoding, "backslashreplace").decode(encoding))
    if flush:
        out.flush()


def write_json(data: Any, stream: TextIO | None = None) -> None:
    """`data` as indented JSON. `ensure_ascii` escapes every control character and lone
    surrogate as `\\u....`, so the text is pure ASCII; it still goes through `write_text`."""
    write_text(json.dumps(data, indent=2, ensure_ascii=True) + "\n", stream)


def write_error(message: str) -> None:
    """The one-line `tuiops: <message>` of a failed command, on stderr."""
    write_text(f"tuiops: {inert(message, one_line=True)}\n", sys.stderr)
