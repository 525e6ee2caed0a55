"""The console's colour vocabulary: what a piece of text means, never which colour it is.

Renderers (`tables.py`, `detail_text.py`, `talos_text.py`, the status bar) emit Textual
`Content` whose spans carry a `Tone`. A tone is a Textual style string over theme variables,
resolved only when a widget draws it (`App.stylesheet.parse_style`, whose cache is dropped on a
theme change), so `app.theme = "textual-light"` recolours every screen and the renderers stay
pure: a test reads `span.style is Tone.BAD` without a running app.

Why these variables:

- BAD is `$error`, not the paler `$text-error`: in the default theme's 16-colour downgrade
  `$error` stays red (ANSI 9) while `$text-error` turns white (7), the colour of plain text.
  It is bold as well, so a failure still stands out when NO_COLOR greys every colour.
- WARN is `$text-warning`, not `$warning`: `$warning` and `$error` fall on the same ANSI red
  in textual-dark, which would make "progressing" and "failed" one colour on a 16-colour
  terminal; `$text-warning` is bright yellow (11) there.
- MUTED is `$foreground-muted` (foreground at 60% alpha, blended with the background), not
  `$text-muted`: that one is `auto 60%`, which Content styles resolve to full white or black,
  brighter than ordinary text.
"""

from __future__ import annotations

from enum import StrEnum


class Tone(StrEnum):
    """A meaning, spelled as the Textual style that shows it in the current theme."""

    GOOD = "$text-success"
    """Ready, healthy, running: the state you want."""
    BAD = "bold $error"
    """Failed, unreachable, forbidden: needs attention now."""
    WARN = "$text-warning"
    """Progressing, drifted, waiting, retrying: not (yet) what the repo asks for."""
    MUTED = "$foreground-muted"
    """Secondary detail: timestamps, counts, hints, "none"."""
    ACCENT = "$text-primary"
    """Structure worth finding by eye (diff hunk headers)."""
    PAUSED = "$text-secondary"
    """Suspended by a person: neither good nor failing."""
    STRONG = "bold"
    """A label or a name the line is about."""
    HEADING = "bold underline"
    """A section title; only the title, never its body."""
    BADGE = "reverse"
    """A mode the whole console is in (READ-ONLY), legible with or without colour."""
    ADDED = "$text-success"
    """A line a diff adds (its `+` says so without colour); the same style as GOOD, so an
    alias of it (`Tone.ADDED is Tone.GOOD`)."""
    REMOVED = "$text-error"
    """A line a diff removes (its `-` says so without colour); not bold like BAD: a removed
    value is a change, not a failure."""
