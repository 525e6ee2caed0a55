"""New secret values: read without echo or argv, or generated with `secrets`."""

from __future__ import annotations

import getpass
import secrets
import string
import sys

from tuiops.errors import UsageError

_CONSONANTS = "bcdfghjklmnprstvwz"
_VOWELS = "aeiou"


def read_value(key: str) -> str:
    """The new value: from stdin when piped (one trailing newline dropped), else a no-echo
    prompt. Never from argv, which every user of the box can read."""
    if not sys.stdin.isatty():
        try:
            value = sys.stdin.buffer.read().decode("utf-8")
        except UnicodeDecodeError as error:
            raise UsageError(
                f"the value on stdin is not UTF-8 text (byte {error.start + 1}); nothing changed"
            ) from None
        return value[:-1] if value.endswith("\n") else value
    try:
        first = getpass.getpass(f"new value for {key} (hidden): ")
        second = getpass.getpass("again: ")
    except EOFError:
        raise UsageError("no value given") from None
    if first != second:
        raise UsageError("the two values differ; nothing changed")
    return first


def _word() -> str:
    # Three consonant-vowel syllables: about 20 bits per word, easy to read out and type.
    return "".join(secrets.choice(_CONSONANTS) + secrets.choice(_VOWELS) for _ in range(3))


def generate_value(length: int, charset: str) -> str:
    """A random value of `length` characters (or words, for `words`)."""
    if length < 1 or length > 4096:
        raise UsageError("--length must be between 1 and 4096")
    if charset == "words":
        return "-".join(_word() for _ in range(length))
    alphabet = {
        "alnum": string.ascii_letters + string.digits,
        "hex": "0123456789abcdef",
        "base64": string.ascii_letters + string.digits + "+/",
    }[charset]
    return "".join(secrets.choice(alphabet) for _ in range(length))
