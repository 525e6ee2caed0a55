"""New secret values generated with `secrets` (the CLI's `env rotate` and the Env screen's
rotation dialog share it). Pure: no I/O; the value is returned, never kept or logged."""

from __future__ import annotations

import secrets
import string

CHARSETS = ("alnum", "hex", "base64", "words")
"""The character sets a value can be drawn from (`words`: length counts words)."""
MAX_LENGTH = 4096
DEFAULT_LENGTH = 32

_CONSONANTS = "bcdfghjklmnprstvwz"
_VOWELS = "aeiou"
_ALPHABETS = {
    "alnum": string.ascii_letters + string.digits,
    "hex": "0123456789abcdef",
    "base64": string.ascii_letters + string.digits + "+/",
}


def _word() -> str:
    # Three consonant-vowel syllables: about 20 bits per word, easy to read out and type.
    return "".join(secrets.choice(_CONSONANTS) + secrets.choice(_VOWELS) for _ in range(3))


def generate_value(length: int, charset: str) -> str:
    """A random value of `length` characters (or words, for `words`).

    Args:
        length: 1 to `MAX_LENGTH`.
        charset: One of `CHARSETS`.

    Returns:
        The value (from `secrets`, a CSPRNG).

    Raises:
        ValueError: the length is out of range or the charset unknown (the message names
            neither a value nor anything random).
    """
    if length < 1 or length > MAX_LENGTH:
        raise ValueError(f"the length must be between 1 and {MAX_LENGTH}")
    if charset == "words":
        return "-".join(_word() for _ in range(length))
    alphabet = _ALPHABETS.get(charset)
    if alphabet is None:
        raise ValueError(f"unknown character set {charset!r} (one of {', '.join(CHARSETS)})")
    return "".join(secrets.choice(alphabet) for _ in range(length))
