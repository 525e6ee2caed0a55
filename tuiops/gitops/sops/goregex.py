"""Go regular expressions, as sops and clustertool write them, run by RE2 (`google-re2`).

sops matches `path_regex` and the `*_regex` rules with Go's `regexp`, a port of RE2 with the
same syntax and semantics: `$` at end of text only, ASCII `\\d`/`\\s`/`\\w`/`\\b`, `(?i)` anywhere,
Go's case-folding orbits. RE2's default (non-POSIX) options are that dialect. Two things RE2
accepts and Go rejects are refused here: `\\C` (any byte) and non-ASCII capture group names.

Known gaps (checked against sops 3.11): RE2's Unicode 15.1 tables (Go: 15.0) put 15.1 additions
in classes such as `\\pL` and fold U+0390 with U+1FD3, U+03B0 with U+1FE3 and U+FB05 with U+FB06
under `(?i)`; RE2 accepts capture groups nested over ~1000 deep, which Go refuses, and refuses
some huge patterns Go accepts (e.g. `\\pL{1000}`, over RE2's 8 MiB program limit).
"""

from __future__ import annotations

import functools
import re
from typing import Any, cast

import re2

from tuiops.gitops.sops.errors import SopsConfigError

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # RE2 would print every rejected pattern to stderr
# Escapes outside \Q...\E; group 1 is the escaped character.
_ESCAPE = re.compile(r"\\Q.*?(?:\\E|\Z)|\\(.)", re.DOTALL)
_GO_NAME = re.compile(rb"[A-Za-z0-9_]+")


class _GoRegex:
    """A compiled pattern; `search` takes any `str`, even one with lone surrogates."""

    __slots__ = ("_regexp",)

    def __init__(self, regexp: Any) -> None:
        self._regexp = regexp

    def search(self, text: str) -> Any:
        """RE2's match object (spans in UTF-8 bytes) or None, like `re.Pattern.search`."""
        return self._regexp.search(text.encode("utf-8", "surrogatepass"))


@functools.lru_cache(maxsize=256)
def compile_go_regex(pattern: str) -> re.Pattern[str]:
    """Compile a Go RE2 pattern so that `search` matches what Go's `regexp` matches.

    Args:
        pattern: A Go regular expression (e.g. a `path_regex` or `encrypted_regex`).

    Returns:
        The compiled pattern (cached per pattern text); callers use only `search`.

    Raises:
        SopsConfigError: The pattern is invalid in Go.
    """
    try:
        if any(char == "C" for char in _ESCAPE.findall(pattern)):
            raise re2.error(b"invalid escape sequence: \\C")
        regexp = re2.compile(pattern.encode("utf-8", "surrogatepass"), _OPTIONS)
        if not all(_GO_NAME.fullmatch(name) for name in regexp.groupindex):
            raise re2.error(b"invalid named capture group")
    except re2.error as exc:
        reason = exc.args[0] if exc.args else ""
        reason = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
        reason = " ".join(reason.splitlines())  # the fragment RE2 quotes may hold a newline
        raise SopsConfigError(f"invalid Go regular expression {pattern!r}: {reason}") from None
    # Typed as re.Pattern for rules.py, which calls nothing but `search`.
    return cast("re.Pattern[str]", _GoRegex(regexp))
