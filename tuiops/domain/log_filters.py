"""The logs pane's filter: which lines of the buffer it shows.

A level at or above (error > info > debug > trace), the stream's controller, and the line's
kind, namespace and name (compared without case, as `flux logs` compares them), then free
words or a regular expression over the line's text. The filter line the user types
(`parse_filter`) spells all of it: `level:error ctl:helm kind:hr ns:flux-system name:podinfo
words` or `re:PATTERN` (the rest of the line). Pure: the buffer applies it to each line once.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from tuiops.domain.kinds import kind_for_word
from tuiops.domain.log_records import LogRecord
from tuiops.domain.logs import LogLevel

LEVEL_RANK = {LogLevel.ERROR: 0, LogLevel.INFO: 1, LogLevel.DEBUG: 2, LogLevel.TRACE: 3}
"""Most severe first; a level filter passes the lines ranked at or before it."""
LEVEL_CYCLE: tuple[LogLevel | None, ...] = (
    None,
    LogLevel.ERROR,
    LogLevel.INFO,
    LogLevel.DEBUG,
    LogLevel.TRACE,
)
"""What `L` steps through: any level, then error and each level below it."""
FIELD_WORDS = {
    "level": "level",
    "ctl": "controller",
    "controller": "controller",
    "kind": "kind",
    "ns": "namespace",
    "namespace": "namespace",
    "name": "name",
}
"""The `word:` prefixes of the filter line and the field each sets."""

Matcher = Callable[[LogRecord], bool]


@dataclass(frozen=True, slots=True)
class PaneFilter:
    """What the pane shows; an empty field does not filter."""

    level: LogLevel | None = None
    """Lines at this level or more severe; lines without a known level (not JSON, or an
    unknown word) pass only while this is None."""
    controller: str = ""
    """The stream's controller (`helm-controller`, or `helm`: the `-controller` suffix may be
    left out)."""
    kind: str = ""
    """The line's kind or controllerKind, without case; a word kubectl knows for a kind
    (`hr`, `helmreleases`) names that kind."""
    namespace: str = ""
    name: str = ""
    text: str = ""
    """Words the line's text contains (each of them, without case); a regex when `regex`."""
    regex: bool = False

    @property
    def empty(self) -> bool:
        return self == PaneFilter()

    @property
    def error(self) -> str:
        """Why the regex cannot be used (one line); empty when it can (or there is none)."""
        return _compile(self.text)[1] if self.regex and self.text else ""

    def matcher(self) -> Matcher:
        """A function answering `matches` for one record, with the regex compiled once.

        An invalid regex does not filter (the pane shows `error` instead)."""
        level = LEVEL_RANK.get(self.level) if self.level is not None else None
        controller = _controller_word(self.controller)
        known = kind_for_word(self.kind) if self.kind else None
        kind = (known.kind if known is not None else self.kind).casefold()
        namespace = self.namespace.casefold()
        name = self.name.casefold()
        text = _text_test(self.text, self.regex)
        if level is None and not (controller or kind or namespace or name) and text is None:
            return _everything

        def matches(record: LogRecord) -> bool:
            line = record.line
            if level is not None:
                rank = LEVEL_RANK.get(line.severity) if line is not None else None
                if rank is None or rank > level:
                    return False
            if controller and _controller_word(record.stream.controller) != controller:
                return False
            if kind or namespace or name:
                if line is None:
                    return False
                if kind and kind not in (line.kind.casefold(), line.controller_kind.casefold()):
                    return False
                if namespace and namespace != line.namespace.casefold():
                    return False
                if name and name != line.name.casefold():
                    return False
            return text is None or text(record.text)

        return matches

    def matches(self, record: LogRecord) -> bool:
        """Whether the pane shows `record` under this filter."""
        return self.matcher()(record)

    def describe(self) -> str:
        """The filter as the filter line spells it (`parse_filter` reads it back)."""
        words = []
        if self.level is not None:
            words.append(f"level:{self.level.value}")
        for word, value in (
            ("ctl", self.controller),
            ("kind", self.kind),
            ("ns", self.namespace),
            ("name", self.name),
        ):
            if value:
                words.append(f"{word}:{value}")
        if self.text:
            words.append(f"re:{self.text}" if self.regex else self.text)
        return " ".join(words)


def _everything(_record: LogRecord) -> bool:
    return True


def _controller_word(controller: str) -> str:
    return controller.casefold().removesuffix("-controller")


@functools.lru_cache(maxsize=64)
def _compile(pattern: str) -> tuple[re.Pattern[str] | None, str]:
    try:
        return re.compile(pattern, re.IGNORECASE), ""
    except re.error as error:
        return None, f"invalid regex: {error}"
    except (RecursionError, OverflowError, ValueError):  # absurdly nested or huge repeats
        return None, "invalid regex: too complex"


def _text_test(text: str, regex: bool) -> Callable[[str], bool] | None:
    if not text:
        return None
    if regex:
        compiled = _compile(text)[0]
        if compiled is None:
            return None
        search = compiled.search
        return lambda line: search(line) is not None
    words = [word.casefold() for word in text.split()]
    if not words:
        return None
    if len(words) == 1 and words[0].isascii():
        # The common case: one ASCII word (the lower() of ASCII text is its casefold).
        word = words[0]
        return lambda line: word in line.lower()
    return lambda line: all(word in line.casefold() for word in words)


def parse_filter(line: str, level: LogLevel | None = None) -> PaneFilter:
    """The filter the filter line asks for.

    `word:value` tokens set the fields (`level:`, `ctl:`/`controller:`, `kind:`,
    `ns:`/`namespace:`, `name:`); `re:` makes the rest of the line a regex; every other word
    is free text each line must contain.

    Args:
        line: What the user typed.
        level: The level to keep when the line names none (`L` sets it apart from the line).

    Returns:
        The filter; an unknown level word is kept as free text.
    """
    fields: dict[str, str] = {}
    words: list[str] = []
    rest = line.strip()
    regex_at = _regex_start(rest)
    pattern = ""
    if regex_at is not None:
        rest, pattern = rest[:regex_at], rest[regex_at + 3 :]
    for token in rest.split():
        word, colon, value = token.partition(":")
        field = FIELD_WORDS.get(word.lower()) if colon and value else None
        if field == "level":
            parsed = LogLevel.parse(value.lower())
            if parsed in LEVEL_RANK:
                level = parsed
                continue
            field = None
        if field is None:
            words.append(token)
        else:
            fields[field] = value
    return PaneFilter(
        level=level,
        controller=fields.get("controller", ""),
        kind=fields.get("kind", ""),
        namespace=fields.get("namespace", ""),
        name=fields.get("name", ""),
        text=pattern if regex_at is not None else " ".join(words),
        regex=regex_at is not None and bool(pattern),
    )


def _regex_start(line: str) -> int | None:
    """Where a `re:` token starts (at the start or after a space), None without one."""
    if line.startswith("re:"):
        return 0
    at = line.find(" re:")
    return at + 1 if at >= 0 else None
