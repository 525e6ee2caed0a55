"""What a log stream delivers, shared by the streaming adapter, the log buffer, the logs pane
and `tuiops logs`: one `LogRecord` per line read, the `LogStream` it came from, each stream's
state, and the server-side options of a read (`LogQuery`). The controllers' JSON line itself
is `domain/logs.LogLine`; filters are `domain/logs.LogFilter` (flux logs') plus the pane's own.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from tuiops.domain.logs import DEFAULT_FLUX_NAMESPACE, LogLine


@dataclass(frozen=True, slots=True)
class LogStream:
    """One container's log."""

    namespace: str
    pod: str
    container: str
    controller: str = ""
    """The Flux controller (its Deployment's name, `helm-controller`) for controller logs;
    empty for a workload's pod."""

    @property
    def label(self) -> str:
        """How the pane names it: the controller, else `pod/container`."""
        return self.controller or f"{self.pod}/{self.container}"


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One line as read; untrusted text (make it inert before showing it)."""

    stream: LogStream
    time: str
    """The kubelet's RFC3339Nano timestamp (`timestamps=true`): orders lines across streams
    and is where a broken stream resumes (`sinceTime`); empty when the server sent none."""
    text: str
    """The line without the timestamp and the line terminator."""
    line: LogLine | None = None
    """The decoded controller line; None for a line that is not a JSON object."""


class StreamState(enum.Enum):
    """Where one stream is."""

    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    """The stream broke or the API server is unreachable; it resumes from the last line."""
    FORBIDDEN = "forbidden"
    ENDED = "ended"
    """Not following, and every line was read; or the pod is gone."""


@dataclass(frozen=True, slots=True)
class StreamStatus:
    stream: LogStream
    state: StreamState
    message: str = ""
    """Why it is not live (the API server's or the connection's one line)."""
    lines: int = 0
    """Lines delivered from this stream so far."""


@dataclass(frozen=True, slots=True)
class LogQuery:
    """What to read, as `flux logs` and `kubectl logs` ask the API server."""

    follow: bool = True
    since_seconds: int | None = None
    """Only lines newer than this (`--since`); None: all the kubelet has."""
    tail_lines: int | None = None
    """The last N lines per stream (`--tail`); None: all."""
    flux_namespace: str = DEFAULT_FLUX_NAMESPACE
    """Where the controllers run (`--flux-namespace`)."""
    decoded: bool = True
    """Records carry their decoded `LogLine` (the pane filters and colours by it). `tuiops
    logs` asks for the text only and decodes just the fields it prints."""
