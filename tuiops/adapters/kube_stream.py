"""The two streaming answers: watch events and followed pod logs.

Why a watch asks the server to end it after `WATCH_SECONDS`:
A watch on a kind nobody changes carries no bytes, so silence alone cannot tell "nothing
changed" from "the server stopped". Bookmarks would be a heartbeat, but the apiserver sends
them only when its watch cache moves on, which an idle kind may not do for minutes. So each
watch is asked (`timeoutSeconds`) to end after a few seconds, and must have ended
`WATCH_GRACE` later: a stream still silent then means the server stopped answering, and the
feed says so within `WATCH_SECONDS + WATCH_GRACE` (7 s). The next watch resumes from the
last resourceVersion, which the apiserver serves from its watch cache: one small request
per kind every few seconds. A stream still delivering events after the moment it should
have ended is alive (a server that ignores `timeoutSeconds`): it is simply re-watched; one
that fell silent before that moment is not answering, even if it spoke just before.

Followed pod logs are quiet for minutes by nature and have no heartbeat; only their headers
are bounded, the body has the long read timeout `LOG_READ_SECONDS`.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from typing import Any

from tuiops.adapters.kube_http import ANSWER_SECONDS, MIN_BODY_RATE, Response, status_error
from tuiops.domain.kinds import ApiKind
from tuiops.errors import ApiError, ClusterNotAnswering

JsonObject = dict[str, Any]

WATCH_SECONDS = 5
"""Server-side watch timeout we ask for; the watcher re-watches from the last position."""
WATCH_GRACE = 2.0
"""How long after `WATCH_SECONDS` the stream must have ended (network and server jitter)."""
LOG_READ_SECONDS = 3600.0


class WatchStream:
    """The events of one watch request, until the server ends it (iterate once)."""

    def __init__(
        self, response: Response, kind: ApiKind, server: str, timeout_seconds: int
    ) -> None:
        self._response = response
        self._kind = kind
        self._server = server
        self._timeout_seconds = timeout_seconds
        self._ends_at = time.monotonic() + timeout_seconds
        """When the server should end the stream."""
        response.extend(timeout_seconds + WATCH_GRACE)

    def __iter__(self) -> Iterator[tuple[str, JsonObject]]:
        """Yields `(type, object)` for ADDED, MODIFIED, DELETED and BOOKMARK.

        Raises:
            Expired: the position is too old (the ERROR event with code 410); relist.
            ClusterNotAnswering: the stream went silent past its end.
            ClusterUnreachable: the connection dropped mid-stream.
        """
        buffer = b""
        heard = time.monotonic()
        partial_since = 0.0
        try:
            for chunk in self._response.chunks():
                now = time.monotonic()
                if not buffer:
                    partial_since = now
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    heard = partial_since = now
                    event = watch_event(line)
                    if event is not None:
                        yield event
                # A server writes each event whole; half of one arriving slowly is a server
                # dribbling bytes, which would otherwise look alive until the stream's end.
                allowed = ANSWER_SECONDS + len(buffer) / MIN_BODY_RATE
                if buffer and now - partial_since > allowed:
                    raise ClusterNotAnswering(
                        f"the API server at {self._server} sends a watch event too slowly"
                        f" ({len(buffer)} bytes in {now - partial_since:.1f} s)"
                    )
        except ClusterNotAnswering:
            if not self._response.slot.overdue():  # a dribble, not the stream's deadline
                raise
            if heard >= self._ends_at:
                return  # still talking after its end, only not ending when asked: re-watch
            raise ClusterNotAnswering(
                f"the API server at {self._server} stopped answering (the watch of"
                f" {self._kind.plural} went silent and did not end after"
                f" {self._timeout_seconds} s as asked)"
            ) from None
        finally:
            self._response.close()

    def close(self) -> None:
        self._response.close()

    def abort(self) -> None:
        """Cut the stream from another thread (its reader sees the end at once)."""
        self._response.slot.cut()


def watch_event(line: bytes) -> tuple[str, JsonObject] | None:
    """One watch line as (type, object); raises the error an ERROR event carries."""
    if not line.strip():
        return None
    try:
        event = json.loads(line)
    except ValueError:
        raise ApiError(200, "BadResponse", "the API server sent an invalid watch event") from None
    if not isinstance(event, dict) or not isinstance(event.get("object"), dict):
        return None
    kind, obj = str(event.get("type", "")), event["object"]
    if kind == "ERROR":
        code = obj.get("code")
        raise status_error(
            code if isinstance(code, int) and code else 500, json.dumps(obj).encode()
        )
    return kind, obj


def log_lines(response: Response, follow: bool) -> Iterator[str]:
    """The lines of a pod log answer; a followed one has no body deadline."""
    if follow:
        response.extend(math.inf)
    buffer = b""
    try:
        for chunk in response.chunks():
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                yield line.decode("utf-8", "replace")
        if buffer:
            yield buffer.decode("utf-8", "replace")
    finally:
        response.close()
