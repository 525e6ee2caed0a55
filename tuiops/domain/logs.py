"""Flux controller log lines, and the filter and one-line format of `flux logs` (flux2 v2.7.5).

The controllers log one JSON object per line; `tuiops.domain.decode_live.decode_log_line` turns
it into a `LogLine` (`adapters/log_decode.py` does the same faster, falling back to it).
`LogFilter.matches` and `format_flux_logs` reproduce `cmd/flux/logs.go` so the logs pane shows
the same lines, in the same words, as `flux logs` would.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from tuiops.domain.refs import ObjectRef

DEFAULT_FLUX_NAMESPACE = "flux-system"


class LogLevel(enum.Enum):
    """Levels the Flux controllers log at (`--log-level`), most severe first."""

    ERROR = "error"
    INFO = "info"
    DEBUG = "debug"
    TRACE = "trace"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, text: str) -> LogLevel:
        """The level named by `text`, UNKNOWN for anything else."""
        for member in cls:
            if member.value == text:
                return member
        return cls.UNKNOWN


class FluxFields(Protocol):
    """What `flux logs` filters on and prints: `LogLine`, and the narrower struct
    `tuiops logs` decodes into (`adapters/log_decode.ControllerLine`)."""

    @property
    def ts(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def kind(self) -> str:
        """The legacy `reconciler kind`; may be empty where `controller_kind` is not."""
        ...

    @property
    def controller_kind(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def namespace(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def error(self) -> str: ...


@dataclass(frozen=True, slots=True)
class LogLine:
    """One controller log line. Keys the line lacks, or has with a non-string value, are empty."""

    ts: str
    """`ts` as logged: ISO8601 UTC with milliseconds, e.g. `2025-11-25T10:09:42.118Z`."""
    level: str
    """`level` exactly as logged (`info`, `error`, ...); `flux logs --level` compares it as is."""
    controller: str
    """`controller`: the lowercase kind the reconciler serves, e.g. `kustomization`."""
    kind: str
    """What `flux logs` prints: the legacy `reconciler kind` when present, else `controllerKind`."""
    name: str
    namespace: str
    message: str
    """`msg`."""
    error: str = ""
    """`error`, present on `level: error` lines."""
    logger: str = ""
    """`logger`, on non-reconciler lines (`setup`, `runtime`, `event-server`, ...)."""
    raw: str = ""
    """The line as read, without its line terminator."""
    controller_kind: str = ""
    """`controllerKind` as logged; `flux logs --kind` matches it as well as `kind`."""

    @property
    def severity(self) -> LogLevel:
        return LogLevel.parse(self.level)

    @property
    def ref(self) -> ObjectRef | None:
        """The object the line is about, when the line names one."""
        if not self.kind or not self.name:
            return None
        return ObjectRef(self.kind, self.namespace, self.name)


@dataclass(frozen=True, slots=True)
class LogFilter:
    """The client-side filters of `flux logs`; an empty field does not filter."""

    level: str = ""
    """`--level`: must equal the line's level exactly."""
    kind: str = ""
    """`--kind`: compared without case to `reconciler kind` and to `controllerKind`."""
    name: str = ""
    """`--name`: compared without case."""
    namespace: str = DEFAULT_FLUX_NAMESPACE
    """`-n`: compared without case (Go `strings.EqualFold`) unless `all_namespaces`."""
    all_namespaces: bool = False
    """`-A`. Only then do lines without a namespace (startup, event server) pass."""

    @property
    def accepts_all(self) -> bool:
        """No flag filters anything (`flux logs -A` alone)."""
        return self.all_namespaces and not (self.level or self.kind or self.name)

    def matches(self, line: FluxFields) -> bool:
        """Whether `flux logs` with these flags would print `line`.

        Args:
            line: A decoded log line.

        Returns:
            True when every set filter accepts the line.
        """
        if self.level and self.level != line.level:
            return False
        if self.kind and not (
            _equal_fold(self.kind, line.kind) or _equal_fold(self.kind, line.controller_kind)
        ):
            return False
        if self.name and not _equal_fold(self.name, line.name):
            return False
        return self.all_namespaces or _equal_fold(self.namespace, line.namespace)


def _equal_fold(a: str, b: str) -> bool:
    """Go's `strings.EqualFold`, near enough: Unicode case folding."""
    return a.casefold() == b.casefold()


def format_flux_logs(line: FluxFields) -> str:
    """The line as `flux logs` prints it, without the trailing newline.

    Template: `{{.Timestamp}} {{.Level}} {{or .Kind .ControllerKind}}{{if .Name}}/{{.Name}}.
    {{.Namespace}}{{end}} - {{.Message}} {{.Error}}`. Lines without an error therefore end
    in a space, as they do in `flux logs`.

    Args:
        line: A decoded log line.

    Returns:
        One line of text.
    """
    kind = line.kind or line.controller_kind
    target = f"/{line.name}.{line.namespace}" if line.name else ""
    return f"{line.ts} {line.level} {kind}{target} - {line.message} {line.error}"
