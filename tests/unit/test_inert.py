"""Untrusted text reaches the terminal inert: every control is shown as a visible escape and
nothing a terminal acts on survives; ordinary text, however un-ASCII, is kept as it is."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tuiops.domain.text import inert

HOSTILE = [
    ("\x1b[2J\x1b[Hcleared", "\\x1b[2J\\x1b[Hcleared"),
    ("title\x1b]0;pwned\x07 after", "title\\x1b]0;pwned\\x07 after"),
    ("clip \x1b]52;c;cm0gLXJmIH4=\x07", "clip \\x1b]52;c;cm0gLXJmIH4=\\x07"),
    (
        "link \x1b]8;;http://x\x1b\\text\x1b]8;;\x1b\\",
        "link \\x1b]8;;http://x\\x1b\\text\\x1b]8;;\\x1b\\",
    ),
    ("bell\x07 and backspace\x08", "bell\\x07 and backspace\\x08"),
    ("csi \x9b31m c1 \x85 del\x7f", "csi \\x9b31m c1 \\x85 del\\x7f"),
    ("dcs \x1bPq#0\x1b\\ end", "dcs \\x1bPq#0\\x1b\\ end"),
    ("evil\u202egnp.exe \u2066x\u2069", "evil\\u202egnp.exe \\u2066x\\u2069"),
    ("bytes \udcff\udc9b", "bytes \\udcff\\udc9b"),
    ("over\rwrite", "over\\rwrite"),
    ("line\u2028sep", "line\\u2028sep"),
]

UNSAFE = {
    *range(0x00, 0x09),
    *range(0x0B, 0x20),
    *range(0x7F, 0xA0),
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
    0x2028,
    0x2029,
    *range(0xD800, 0xE000),
}

any_text = st.text(st.characters(exclude_categories=()))  # surrogates and controls included


def test_known_sequences_are_shown_escaped() -> None:
    for raw, expected in HOSTILE:
        assert inert(raw) == expected, raw
        assert inert(raw, one_line=True) == expected, raw


def test_plain_text_and_unicode_are_kept() -> None:
    text = "Helm upgrade failed: values don't meet the specs — ✗ [bold]x[/] 日本 \\x1b שלום"
    assert inert(text) is text  # the fast path: no copy
    assert inert(text, one_line=True) is text
    emoji = "family 👨\u200d👩\u200d👧 no\u00a0break"  # joiners and NBSP are not controls
    assert inert(emoji) == emoji


def test_newlines_tabs_and_crlf() -> None:
    assert inert("a\tb\r\nc\n") == "a\tb\nc\n"
    assert inert("dry-run failed:\n\tno matches\r\n", one_line=True) == "dry-run failed: no matches"
    assert inert("  a  b  ", one_line=True) == "a b"


@given(any_text, st.booleans())
def test_nothing_a_terminal_acts_on_survives(text: str, one_line: bool) -> None:
    shown = inert(text, one_line=one_line)
    assert not any(ord(c) in UNSAFE for c in shown)
    shown.encode("utf-8")  # never a UnicodeEncodeError
    if one_line:
        assert "\n" not in shown and "\t" not in shown
    assert inert(shown, one_line=one_line) == shown


@given(any_text)
def test_every_unsafe_character_stays_visible(text: str) -> None:
    shown = inert(text)
    for char in set(text):
        if ord(char) in UNSAFE and char != "\r":
            assert f"{ord(char):02x}" in shown, repr(char)
