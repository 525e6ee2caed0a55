"""The controllers' JSON log lines decoded at the speed of a flood.

`json.loads` builds a dict of every key of a line (about 3 µs for a typical 480-byte
controller line); msgspec decodes straight into a typed struct of the ten keys `flux logs`
reads and skips the rest (about 0.6 µs). That is what lets `tuiops logs` keep pace with
`kubectl logs` on the same stream, and the logs pane take a burst without falling behind.

A line msgspec's typed decode refuses (a key holding a number or null, a line that is not one
JSON object) goes to the lenient `domain.decode_live.decode_log_line`, so both paths read every
line alike: missing or non-string keys are empty, anything not a JSON object is no line.
"""

from __future__ import annotations

import msgspec

from tuiops.domain.decode_live import decode_log_line as decode_leniently
from tuiops.domain.logs import FluxFields, LogLine


class ControllerLine(msgspec.Struct, frozen=True, gc=False):
    """The keys of a controller line that `flux logs` reads, named as `LogLine` names them.

    `kind` is the legacy `reconciler kind` only; `FluxFields` users fall back to
    `controller_kind` themselves, as `LogLine.kind` already did.
    """

    ts: str = ""
    level: str = ""
    controller: str = ""
    kind: str = msgspec.field(default="", name="reconciler kind")
    name: str = ""
    namespace: str = ""
    message: str = msgspec.field(default="", name="msg")
    error: str = ""
    logger: str = ""
    controller_kind: str = msgspec.field(default="", name="controllerKind")


_DECODER = msgspec.json.Decoder(ControllerLine)


def decode_fields(text: str) -> FluxFields | None:
    """The `flux logs` fields of one line (`tuiops logs` prints from these), or None when the
    line is not a JSON object."""
    if text[:1] != "{":
        return None  # flux logs skips those too; most plain lines end here
    try:
        return _DECODER.decode(text)
    except (msgspec.MsgspecError, UnicodeEncodeError):
        return decode_leniently(text)


def decode_line(text: str) -> LogLine | None:
    """One line as the domain's `LogLine` (what the logs pane keeps), or None when it is not
    a JSON object."""
    if text[:1] != "{":
        return None
    try:
        fields = _DECODER.decode(text)
    except (msgspec.MsgspecError, UnicodeEncodeError):
        return decode_leniently(text)
    return LogLine(
        ts=fields.ts,
        level=fields.level,
        controller=fields.controller,
        kind=fields.kind or fields.controller_kind,
        name=fields.name,
        namespace=fields.namespace,
        message=fields.message,
        error=fields.error,
        logger=fields.logger,
        raw=text.rstrip("\r\n"),
        controller_kind=fields.controller_kind,
    )
