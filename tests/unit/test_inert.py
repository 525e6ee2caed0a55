"""Cluster text reaches the terminal inert: no escape sequence survives, ordinary text does."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tuiops.domain.text import inert

HOSTILE = [
    ("\x1b[2J\x1b[Hcleared", "cleared"),
    ("title\x1b]0;pwned\x07 after", "title after"),
    ("link \x1b]8;;http://x\x1b\\text\x1b]8;;\x1b\\", "link text"),
    ("bell\x07 and backspace\x08", "bell and backspace"),
    ("csi \x9b31m c1", "csi 31m c1"),
    ("dcs \x1bPq#0;2;0;0;0\x1b\\ end", "dcs  end"),
]


def test_known_sequences_are_removed() -> None:
    for raw, expected in HOSTILE:
        assert inert(raw) == expected, raw


def test_plain_text_and_unicode_are_kept() -> None:
    text = "Helm upgrade failed: values don't meet the specs — ✗ [bold]x[/] 日本"
    assert inert(text) == text


def test_one_line_folds_newlines_and_tabs() -> None:
    assert inert("dry-run failed:\n\tno matches\n", one_line=True) == "dry-run failed: no matches"


@given(st.text())
def test_no_control_character_survives(text: str) -> None:
    cleaned = inert(text)
    assert "\x1b" not in cleaned
    assert not any(ord(c) < 32 and c not in "\t\n" for c in cleaned)
    assert not any(0x7F <= ord(c) <= 0x9F for c in cleaned)
