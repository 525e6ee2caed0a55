"""`?`: what the glyphs mean, and every key from the one registry in `actions.py` (with the
user's remaps applied)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from tuiops.ui.actions import (
    APPS_ACTIONS,
    CHOOSE_ACTIONS,
    CONFIRM_ACTIONS,
    DETAIL_ACTIONS,
    ENV_ACTIONS,
    ENV_DIALOG_ACTIONS,
    EVENTS_ACTIONS,
    FLUX_ACTIONS,
    GLOBAL_ACTIONS,
    HELP_ACTIONS,
    HISTORY_ACTIONS,
    JUMP_ACTIONS,
    LOGS_ACTIONS,
    OPEN_LOGS,
    POD_LOGS_ACTIONS,
    PODS_ACTIONS,
    RECIPIENTS_ACTIONS,
    ROTATION_ACTIONS,
    TABLE_ACTIONS,
    TALOS_ACTIONS,
    ActionSpec,
    bindings,
    key_label,
    keys_for,
)
from tuiops.ui.state import ConsoleHost
from tuiops.ui.tables import HEALTH_GLYPH, HEALTH_TONE
from tuiops.ui.tones import Tone, for_terminal

GAP = "  "
"""Between the key, description and id columns."""
SECTIONS: tuple[tuple[str, tuple[ActionSpec, ...]], ...] = (
    ("everywhere", GLOBAL_ACTIONS),
    ("flux (asks first)", FLUX_ACTIONS),
    ("tables", TABLE_ACTIONS),
    ("apps", APPS_ACTIONS),
    ("detail", DETAIL_ACTIONS),
    ("pods", PODS_ACTIONS),
    ("events", EVENTS_ACTIONS),
    ("history", HISTORY_ACTIONS),
    ("talos", TALOS_ACTIONS),
    ("confirmation", CONFIRM_ACTIONS),
    ("help", HELP_ACTIONS),
    ("jump bar", JUMP_ACTIONS),
    ("pick lists", CHOOSE_ACTIONS),
    ("logs", (*LOGS_ACTIONS, OPEN_LOGS)),
    ("pod logs", POD_LOGS_ACTIONS),
    ("env", (*ENV_ACTIONS, *ENV_DIALOG_ACTIONS)),
    ("rotation", ROTATION_ACTIONS),
    ("recipients", RECIPIENTS_ACTIONS),
)
"""Every list of `actions.ALL_ACTIONS`, in the order a newcomer needs them."""


def keys_text(keys_of: Callable[[str], str]) -> Content:
    """Three aligned columns per section: keys as typed (strong), what they do, and the id a
    keymap file names them by (muted); section titles in capitals.

    Args:
        keys_of: The keys bound to an action id now (the user's remaps applied).

    Returns:
        The whole table as one Content.
    """
    labels = {spec.id: key_label(keys_of(spec.id)) for _title, specs in SECTIONS for spec in specs}
    specs_shown = [spec for _title, specs in SECTIONS for spec in specs]
    key_width = max([*(len(title) for title, _specs in SECTIONS), *map(len, labels.values())])
    text_width = max(len(spec.description) for spec in specs_shown)
    parts: list[str | Content | tuple[str, str]] = []
    for title, specs in SECTIONS:
        parts += ["\n" if parts else "", (title.upper(), Tone.STRONG)]
        for spec in specs:
            parts += ["\n", (labels[spec.id].ljust(key_width), Tone.STRONG), GAP]
            parts += [spec.description.ljust(text_width), GAP, (spec.id, Tone.MUTED)]
    return Content.assemble(*parts)


MARKS = (
    ("·", "none (a zero count)", Tone.MUTED),
    ("→", "the repo asks for another version (applied → desired)", Tone.WARN),
    ("…", "cut to fit; the Detail page (enter) shows all of it", Tone.MUTED),
)
"""Marks other than the health glyphs that tables draw."""


def legend_text() -> Content:
    """What the glyphs in the tables mean: every health glyph in its own tone, then the
    other marks."""
    parts: list[str | Content | tuple[str, str]] = [("GLYPHS", Tone.STRONG)]
    for health, glyph in HEALTH_GLYPH.items():
        parts += ["\n", (glyph, HEALTH_TONE[health]), GAP, health.value]
    for mark, meaning, tone in MARKS:
        parts += ["\n", (mark, tone), GAP, meaning]
    return Content.assemble(*parts)


class HelpScreen(ModalScreen[None]):
    """A table of keys per screen; escape or ? closes it."""

    CSS_PATH = "help.tcss"
    BINDINGS = bindings(HELP_ACTIONS)

    def compose(self) -> ComposeResult:
        app = self.app
        keys = app.keys_for if isinstance(app, ConsoleHost) else partial(keys_for, keymap={})
        with VerticalScroll():
            yield Static(for_terminal(legend_text(), app.no_color), id="legend")
            yield Static(keys_text(keys), id="keys")
