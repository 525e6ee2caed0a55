"""The user's settings file, `$XDG_CONFIG_HOME/tuiops/config.toml` (default `~/.config/...`).

Today it holds one setting, read-only mode, for every kube context or per context, as k9s
does (`k9s.readOnly` and each context's `readOnly`)::

    # Refuse every change (Flux actions, env saves, commits) on every context ...
    read_only = true

    # ... or per kube context; a context's value overrides the global one.
    [contexts."home-prod"]
    read_only = true

    [contexts."home-lab"]
    read_only = false

What decides, strongest first: `--read-only` on the command line (always read-only; there is
no flag to lift it), then the table of the kube context in use, then the global `read_only`,
then writable. The file is optional; a missing one means writable everywhere.

The file is strict, because a typo here is a safety hole: an unknown setting (`readonly`,
`read-only`, `readOnly`, anything under a context but `read_only`), a value of the wrong type or
a TOML syntax error is one line, `tuiops: FILE:LINE: what is wrong`, and nothing runs.

`parse_config` is pure (it gets the file's bytes); `load_config` reads the file.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tuiops.errors import TuiopsError

CONFIG_NAME = "config.toml"
READ_ONLY_KEY = "read_only"
CONTEXTS_KEY = "contexts"
READ_ONLY_FLAG = "--read-only"
_TOP_KEYS = frozenset({READ_ONLY_KEY, CONTEXTS_KEY})
_CONTEXT_KEYS = frozenset({READ_ONLY_KEY})
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_TOML_END = re.compile(r"\s*\(at end of document\)$")


class ConfigError(TuiopsError):
    """The settings file cannot be used; the message is one line naming the file and line."""


@dataclass(frozen=True, slots=True)
class ContextSettings:
    """The settings of one kube context (`[contexts."NAME"]`)."""

    read_only: bool | None = None
    """None: not set for this context (the global value applies)."""


@dataclass(frozen=True, slots=True)
class Config:
    """The parsed settings file (defaults when there is none)."""

    read_only: bool = False
    """The global `read_only`."""
    contexts: Mapping[str, ContextSettings] = field(default_factory=dict)
    """Kube context name → its table."""
    source: str = ""
    """The file read, for messages; empty when there was none."""

    def read_only_reason(self, context: str, *, flag: bool = False) -> str:
        """Why `context` is read-only, or "" when it is writable.

        Args:
            context: The kube context in use ("" when there is none).
            flag: `--read-only` was given.

        Returns:
            `--read-only`, `read_only = true for context "X" in FILE` or `read_only = true in
            FILE`; "" when writable.
        """
        if flag:
            return READ_ONLY_FLAG
        own = self.contexts.get(context)
        if own is not None and own.read_only is not None:
            return (
                f'read_only = true for context "{context}" in {self.source}'
                if own.read_only
                else ""
            )
        return f"read_only = true in {self.source}" if self.read_only else ""

    def is_read_only(self, context: str, *, flag: bool = False) -> bool:
        """Whether `context` is read-only (see `read_only_reason`)."""
        return bool(self.read_only_reason(context, flag=flag))


def config_path(environ: Mapping[str, str], home: Path) -> Path:
    """`$XDG_CONFIG_HOME/tuiops/config.toml`, or `~/.config/tuiops/config.toml` when the
    variable is unset or relative (the XDG spec says to ignore a relative one)."""
    base = environ.get("XDG_CONFIG_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else home / ".config"
    return root / "tuiops" / CONFIG_NAME


def load_config(environ: Mapping[str, str] | None = None, home: Path | None = None) -> Config:
    """The user's `config.toml`; the defaults when there is none.

    Args:
        environ: For `XDG_CONFIG_HOME` (default `os.environ`).
        home: The home folder (default `Path.home()`).

    Raises:
        ConfigError: the file cannot be read or used (one line naming the file and line).
    """
    path = config_path(os.environ if environ is None else environ, home or Path.home())
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    return parse_config(data, str(path))


def parse_config(data: bytes, source: str) -> Config:
    """The settings in `data`, the bytes of the file `source`.

    Raises:
        ConfigError: not UTF-8, not TOML, or a setting tuiops does not know or of the wrong
            type; the message is `SOURCE:LINE: what` (no line when it cannot be told).
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ConfigError(f"{source}:{line}: not UTF-8 text") from None
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(_toml_error(str(error), source, text.count("\n") + 1)) from None
    checker = _Checker(text, source)
    checker.known(table, _TOP_KEYS, ())
    read_only = checker.boolean(table, ())
    contexts_raw = table.get(CONTEXTS_KEY, {})
    if not isinstance(contexts_raw, dict):
        raise checker.error((), CONTEXTS_KEY, "`contexts` must be a table of kube context names")
    contexts: dict[str, ContextSettings] = {}
    for name, settings in contexts_raw.items():
        where = (CONTEXTS_KEY, name)
        if not isinstance(settings, dict):
            raise checker.error(
                (CONTEXTS_KEY,), name, f'[contexts."{name}"] must be a table (read_only = true)'
            )
        checker.known(settings, _CONTEXT_KEYS, where)
        contexts[name] = ContextSettings(checker.boolean(settings, where))
    return Config(read_only=bool(read_only), contexts=contexts, source=source)


def _toml_error(message: str, source: str, last_line: int) -> str:
    """`SOURCE:LINE: invalid TOML: ...` from tomllib's `... (at line L, column C)`."""
    found = _TOML_POSITION.search(message)
    if found is not None:
        what = message[: found.start()]
        return f"{source}:{found.group(1)}: invalid TOML: {what} (column {found.group(2)})"
    ended = _TOML_END.search(message)
    if ended is not None:
        return f"{source}:{last_line}: invalid TOML: {message[: ended.start()]} (at the end)"
    return f"{source}: invalid TOML: {message}"


class _Checker:
    """Type and name checks that report the line the setting is on."""

    def __init__(self, text: str, source: str) -> None:
        self._lines = text.splitlines()
        self._source = source

    def known(self, table: dict[str, Any], allowed: frozenset[str], where: tuple[str, ...]) -> None:
        for key in table:
            if key in allowed:
                continue
            hint = (
                f"; did you mean {READ_ONLY_KEY}?"
                if key.lower().replace("-", "_") in ("read_only", "readonly")
                else f" (known: {', '.join(sorted(allowed))})"
            )
            place = f' for context "{where[1]}"' if len(where) == 2 else ""
            raise self.error(where, key, f"unknown setting {key!r}{place}{hint}")

    def boolean(self, table: dict[str, Any], where: tuple[str, ...]) -> bool | None:
        value = table.get(READ_ONLY_KEY)
        if value is None or isinstance(value, bool):
            return value
        place = f' for context "{where[1]}"' if len(where) == 2 else ""
        raise self.error(
            where, READ_ONLY_KEY, f"read_only{place} must be true or false, not {value!r}"
        )

    def error(self, where: tuple[str, ...], key: str, message: str) -> ConfigError:
        line = self._line_of(where, key)
        return ConfigError(
            f"{self._source}:{line}: {message}" if line else f"{self._source}: {message}"
        )

    def _line_of(self, where: tuple[str, ...], key: str) -> int:
        """The line that sets `key` in table `where` (a `[table]` header for a table), or 0.

        A line scan, not a second parser: good for the tables people write by hand; dotted
        keys and inline tables fall back to the first line that names the key, or to none.
        """
        current: tuple[str, ...] = ()
        fallback = 0
        for number, raw in enumerate(self._lines, start=1):
            line = raw.strip()
            if line.startswith("["):
                header = _header(line)
                if header is not None:
                    current = header
                    if header == (*where, key):
                        return number
                continue
            name = _assigned_key(line)
            if name is None:
                continue
            if name == key and current == where:
                return number
            if not fallback and key in line:
                fallback = number
        return fallback


def _split_dotted(text: str) -> tuple[str, ...] | None:
    """`contexts."home.prod"` → ("contexts", "home.prod"); None when it cannot be read."""
    parts: list[str] = []
    for match in re.finditer(
        r'\s*(?:"((?:[^"\\]|\\.)*)"|\'([^\']*)\'|([A-Za-z0-9_-]+))\s*(\.|$)', text
    ):
        quoted, literal, bare, _dot = match.groups()
        parts.append(quoted if quoted is not None else literal if literal is not None else bare)
    return tuple(parts) if parts else None


def _header(line: str) -> tuple[str, ...] | None:
    found = re.match(r"^\[\[?\s*(.+?)\s*\]\]?\s*(#.*)?$", line)
    return _split_dotted(found.group(1)) if found is not None else None


def _assigned_key(line: str) -> str | None:
    found = re.match(r'^("(?:[^"\\]|\\.)*"|\'[^\']*\'|[A-Za-z0-9_.-]+)\s*=', line)
    if found is None:
        return None
    parts = _split_dotted(found.group(1))
    return parts[-1] if parts else None
