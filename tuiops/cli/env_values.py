"""New secret values: read without echo or argv, or generated with `secrets`."""

from __future__ import annotations

import getpass
import sys

from tuiops.errors import UsageError


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


def generate_value(length: int, charset: str) -> str:
    """A random value of `length` characters (or words, for `words`): the domain's generator,
    its refusal in the CLI's words."""
    from tuiops.domain.secret_values import MAX_LENGTH
    from tuiops.domain.secret_values import generate_value as generate

    if length < 1 or length > MAX_LENGTH:
        raise UsageError(f"--length must be between 1 and {MAX_LENGTH}")
    try:
        return generate(length, charset)
    except ValueError as error:
        raise UsageError(str(error)) from None
