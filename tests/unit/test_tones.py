"""The tone vocabulary: every tone resolves in every built-in theme, failed and progressing
stay apart on a 16-colour terminal, a failure stays bold without colour, the status bar's
connection words map to tones (unknown words look bad, never good), and the renderers name
tones, never Rich colours."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.color import Color as RichColor
from rich.color import ColorSystem
from textual.color import Color
from textual.content import Content
from textual.markup import parse_style
from textual.theme import BUILTIN_THEMES

from tuiops.domain.status import Health
from tuiops.services.console_snapshot import ConsoleState
from tuiops.ui.tables import HEALTH_TONE
from tuiops.ui.tones import Tone, for_terminal
from tuiops.ui.widgets.status_bar import CONNECTION_TONE, connection_tone, status_line

UI = Path(__file__).resolve().parents[2] / "tuiops" / "ui"
RENDERERS = (
    "tables.py",
    "detail_text.py",
    "talos_text.py",
    "tones.py",
    "widgets/status_bar.py",
    "widgets/resource_table.py",
    "screens/talos.py",
    "screens/history.py",
    "screens/help.py",
    "screens/confirm.py",
    "screens/jump.py",
)
RICH_COLOUR_WORD = re.compile(
    r"""["'](?:bold |italic )?(?:dim|red|green|yellow|blue|magenta|cyan|white|black)\b"""
)


def _variables(theme: str) -> dict[str, str]:
    return BUILTIN_THEMES[theme].to_color_system().generate()


def _colour(tone: Tone, theme: str) -> Color:
    """The foreground a tone resolves to in `theme`, blended over its surface."""
    variables = _variables(theme)
    style = parse_style(tone, variables)
    assert style.foreground is not None, tone
    return Color.parse(variables["surface"]) + style.foreground


def _ansi(tone: Tone, theme: str) -> int | None:
    """The colour number a 16-colour terminal shows for a tone (Rich's downgrade)."""
    colour = RichColor.parse(_colour(tone, theme).hex[:7])
    return colour.downgrade(ColorSystem.STANDARD).number


@pytest.mark.parametrize("theme", sorted(BUILTIN_THEMES))
def test_every_tone_resolves_in_every_builtin_theme(theme: str) -> None:
    variables = _variables(theme)
    for tone in Tone:
        for word in tone.split():
            if word.startswith("$"):
                assert word[1:] in variables, (theme, tone)
        parse_style(tone, variables)  # raises on an unknown word


def test_failed_progressing_and_ready_differ_on_16_colours() -> None:
    """The default theme on a 16-colour terminal: failed, progressing and ready are three
    ANSI colours (`$warning` would have been the same red as `$error` there)."""
    theme = "textual-dark"
    shown = {health: _ansi(tone, theme) for health, tone in HEALTH_TONE.items()}
    assert shown[Health.FAILED] == 9  # bright red
    assert len({shown[Health.FAILED], shown[Health.PROGRESSING], shown[Health.READY]}) == 3
    assert _ansi(Tone.BAD, "textual-light") != _ansi(Tone.WARN, "textual-light")


def test_a_failure_stays_visible_without_colour() -> None:
    """NO_COLOR greys every colour: BAD and the badge keep an attribute of their own."""
    variables = _variables("textual-dark")
    assert parse_style(Tone.BAD, variables).bold
    assert parse_style(Tone.BADGE, variables).reverse
    assert not parse_style(Tone.WARN, variables).bold


def test_muted_is_dimmer_than_text_not_brighter() -> None:
    """`$text-muted` (auto 60%) would resolve to full white in Content; MUTED must be darker
    than the foreground on a dark theme and lighter on a light one."""
    for theme, dark in (("textual-dark", True), ("textual-light", False)):
        muted = _colour(Tone.MUTED, theme).brightness
        text = Color.parse(_variables(theme)["foreground"]).brightness
        assert (muted < text) if dark else (muted > text), theme


@pytest.mark.parametrize(
    ("word", "tone"),
    [
        ("live", Tone.GOOD),
        ("connecting", Tone.WARN),
        ("reconnecting", Tone.WARN),
        ("offline", Tone.MUTED),
        ("forbidden", Tone.BAD),
        ("not answering", Tone.BAD),
        ("error", Tone.BAD),
        ("flux not installed", Tone.WARN),
        ("a word from the future", Tone.BAD),
    ],
)
def test_connection_words_have_tones(word: str, tone: Tone) -> None:
    assert connection_tone(word) is tone


def test_only_live_is_good() -> None:
    assert [word for word, tone in CONNECTION_TONE.items() if tone is Tone.GOOD] == ["live"]


def test_status_line_shows_the_word_and_why() -> None:
    line = status_line(ConsoleState(problem="rebuild failed: KeyError"), "ctx", read_only=True)
    assert line.plain == "ctx  error (rebuild failed: KeyError)  READ-ONLY"
    styles = {line.plain[span.start : span.end]: span.style for span in line.spans}
    assert styles["error"] is Tone.BAD and styles["READ-ONLY"] is Tone.BADGE
    offline = status_line(ConsoleState(offline_reason="offline (--offline)"), "", False)
    assert offline.plain == "no context  offline (--offline)"


@pytest.mark.parametrize("module", RENDERERS)
def test_renderers_name_tones_not_rich_colours(module: str) -> None:
    source = (UI / module).read_text()
    assert not RICH_COLOUR_WORD.findall(source), module
    assert not re.search(r"#[0-9a-fA-F]{6}\b", source), module  # hex only in themes


def test_without_colour_a_failure_is_reverse_video_on_its_words_only() -> None:
    content = Content.assemble(
        "Health", ("  failing", Tone.BAD), " · ", ("ok", Tone.GOOD), ("\n  ✗ ", Tone.BAD), "x"
    )
    assert for_terminal(content, no_color=False) is content
    shown = for_terminal(content, no_color=True)
    assert shown.plain == content.plain
    styled = [(shown.plain[span.start : span.end], span.style) for span in shown.spans]
    assert styled == [("failing", "bold reverse"), ("ok", Tone.GOOD), ("✗", "bold reverse")]
