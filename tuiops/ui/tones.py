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

Without colour (NO_COLOR), Textual greys every colour by its luminance, and `$error` becomes
a grey darker than plain text: a failed glyph would be grey on grey. `for_terminal` swaps BAD
for reverse video there; widgets pass their content through it before drawing.
"""

from __future__ import annotations

from enum import StrEnum

from textual.content import Content, Span


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


NO_COLOR_STYLE: dict[str, str] = {Tone.BAD: "bold reverse"}
"""How a tone shows when NO_COLOR greys every colour: a failure in reverse video (a light
block on the dark background), the strongest mark a terminal has without colour."""


def for_terminal(content: Content, no_color: bool) -> Content:
    """`content` as this terminal should show it: as built, or with the NO_COLOR styles.

    Style strings stay strings, so theme variables still resolve when the content is drawn.
    A span drawn in reverse video is trimmed to its words, line by line: the indent and the
    spaces a renderer keeps inside a coloured span would otherwise show as blocks.

    Args:
        content: Content from a renderer, its spans carrying tones.
        no_color: Whether NO_COLOR is set (`App.no_color`, read when the app was built).

    Returns:
        The content to draw.
    """
    if not no_color or not any(
        isinstance(span.style, str) and span.style in NO_COLOR_STYLE for span in content.spans
    ):
        return content
    plain = content.plain
    spans: list[Span] = []
    for start, end, style in content.spans:
        if not isinstance(style, str) or style not in NO_COLOR_STYLE:
            spans.append(Span(start, end, style))
            continue
        for first, last in _words_by_line(plain, start, end):
            spans.append(Span(first, last, NO_COLOR_STYLE[style]))
    return Content(plain, spans)


def _words_by_line(plain: str, start: int, end: int) -> list[tuple[int, int]]:
    """The stretches of `plain[start:end]` between line breaks, without their outer spaces."""
    stretches = []
    line_start = start
    for index in [*(i for i in range(start, end) if plain[i] == "\n"), end]:
        first, last = line_start, index
        while first < last and plain[first].isspace():
            first += 1
        while last > first and plain[last - 1].isspace():
            last -= 1
        if first < last:
            stretches.append((first, last))
        line_start = index + 1
    return stretches
