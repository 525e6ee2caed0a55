"""One HTTP answer from the API server, read under a deadline, and the one-line errors for
everything that can go wrong on the way (the transport half of `KubeApi`).

Timeouts, and why these values:

- connect: `CONNECT_SECONDS`. A TCP and TLS handshake on a homelab network takes
  milliseconds; three seconds is a dead address.
- answer: `ANSWER_SECONDS` from sending a request to its response headers, and the longest
  silence in the middle of a body (urllib3's read timeout). A stopped or stuck server is
  "not answering" after that, well inside the 10 s a person waits before doubting the screen.
- body: a body must keep arriving at `MIN_BODY_RATE` on average after the first
  `ANSWER_SECONDS`, and never take longer than `REQUEST_MAX_SECONDS`. Silence between bytes
  cannot catch a server that dribbles (each byte restarts the read timeout), so the deadline
  is enforced by `http_deadline`, which cuts the socket.
- streams (watches, followed logs) set their own body deadline; see `kube_stream.py`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from tuiops.errors import (
    ApiError,
    ClusterNotAnswering,
    ClusterUnreachable,
    Expired,
    Forbidden,
    NotFound,
)

if TYPE_CHECKING:
    from tuiops.adapters.http_deadline import InFlight

CONNECT_SECONDS = 3.0
ANSWER_SECONDS = 6.0
MIN_BODY_RATE = 64 * 1024
"""Bytes per second a body must average: a 500-object page of big HelmReleases (a few MB)
gets a minute over a slow VPN; a server sending a byte now and then gets `ANSWER_SECONDS`."""
REQUEST_MAX_SECONDS = 60.0
CHUNK = 65536


def status_error(code: int, payload: bytes) -> ApiError:
    """The tuiops error for a non-2xx answer, with the server's own message."""
    message, reason = "", ""
    try:
        status = json.loads(payload)
        if isinstance(status, dict):
            message = str(status.get("message", ""))
            reason = str(status.get("reason", ""))
    except ValueError:
        message = payload.decode("utf-8", "replace").strip()
    message = " ".join(message.split()) or f"the API server answered HTTP {code}"
    if code == 403:
        return Forbidden(code, reason or "Forbidden", message)
    if code == 404:
        return NotFound(code, reason or "NotFound", message)
    if code == 410:
        return Expired(code, reason or "Expired", message)
    return ApiError(code, reason, message)


def transport_error(
    error: BaseException, server: str, slot: InFlight | None, what: str
) -> Exception:
    """The tuiops error for a urllib3 failure while sending or waiting for headers.

    Args:
        error: What urllib3 (or the kubernetes client, for TLS) raised.
        server: The API server's address, for the message.
        slot: The request's deadline slot: when it was cut, the server did not answer.
        what: How long the server had, worded for the message ("6 s").
    """
    import urllib3

    where = f"the API server at {server or 'the kube context'}"
    if slot is not None and slot.expired:
        return ClusterNotAnswering(f"{where} did not answer within {what}")
    # Most specific first: NameResolutionError < NewConnectionError < ConnectTimeoutError.
    if isinstance(error, urllib3.exceptions.NameResolutionError):
        return ClusterUnreachable(f"cannot reach {where}: its name does not resolve")
    if isinstance(error, urllib3.exceptions.NewConnectionError):
        text = str(error).lower()
        reason = "connection refused" if "refused" in text else "no connection"
        if "timed out" in text:
            reason = f"no connection within {CONNECT_SECONDS:g} s"
        return ClusterUnreachable(f"cannot reach {where}: {reason}")
    if isinstance(error, urllib3.exceptions.ConnectTimeoutError):
        return ClusterUnreachable(
            f"cannot reach {where}: no connection within {CONNECT_SECONDS:g} s"
        )
    if isinstance(error, urllib3.exceptions.ReadTimeoutError):
        return ClusterNotAnswering(
            f"{where} accepted the connection but did not answer within {what}"
        )
    if isinstance(error, urllib3.exceptions.SSLError) or getattr(error, "status", None) == 0:
        detail = str(getattr(error, "reason", "") or error).splitlines()
        return ClusterUnreachable(f"TLS with {where} failed: {detail[-1] if detail else ''}")
    return ClusterUnreachable(
        f"cannot reach {where}: the connection was closed ({type(error).__name__})"
    )


def is_dropped_connection(error: BaseException) -> bool:
    """A reused keep-alive connection the server had closed: worth one immediate retry."""
    import urllib3

    return isinstance(error, urllib3.exceptions.ProtocolError)


class Response:
    """An answer whose headers arrived; the body is read here, under the request's deadline."""

    def __init__(
        self,
        raw: Any,
        slot: InFlight,
        server: str,
        started: float,
        limit: float,
        answer_seconds: float = ANSWER_SECONDS,
    ) -> None:
        self._raw = raw
        self._answer = answer_seconds
        """What the body gets before `MIN_BODY_RATE` applies (the request's answer time)."""
        self._slot = slot
        self._server = server
        self._started = started
        self._limit = limit
        """The latest moment allowed by whoever made the request (a command's deadline)."""
        self._complete = False
        self._closed = False
        self._paced = True
        self.received = 0
        """Body bytes read so far."""

    @property
    def status(self) -> int:
        return int(self._raw.status)

    @property
    def slot(self) -> InFlight:
        return self._slot

    def read_all(self) -> bytes:
        """The whole body; it must keep arriving at `MIN_BODY_RATE`.

        Raises:
            ClusterNotAnswering: the body came too slowly, or stopped.
            ClusterUnreachable: the connection closed mid-answer.
        """
        return b"".join(self.chunks())

    def _body_deadline(self) -> None:
        allowed = self._answer + self.received / MIN_BODY_RATE
        target = min(self._started + min(allowed, REQUEST_MAX_SECONDS), self._limit)
        if abs(target - self._slot.deadline) > 0.5:  # not a heap entry per 64 KiB
            self._slot.rearm(target)

    def extend(self, seconds: float) -> None:
        """Give the rest of the body `seconds` from now (inf: no deadline), for streams that
        are idle by nature and so are not paced by `MIN_BODY_RATE`."""
        self._paced = False
        self._slot.rearm(min(time.monotonic() + seconds, self._limit))

    def chunks(self) -> Iterator[bytes]:
        """The body as it arrives, stopping (with an error) when the deadline cut it."""
        import urllib3

        try:
            if self._paced:
                self._body_deadline()
            for chunk in self._raw.stream(CHUNK, decode_content=True):
                self.received += len(chunk)
                if self._slot.overdue():
                    raise self.too_slow()
                if self._paced:
                    self._body_deadline()
                yield chunk
        except urllib3.exceptions.ReadTimeoutError:
            raise ClusterNotAnswering(
                f"the API server at {self._server} stopped sending in the middle of an answer"
            ) from None
        except urllib3.exceptions.HTTPError:
            if self._slot.expired:
                raise self.too_slow() from None
            raise ClusterUnreachable(
                f"the API server at {self._server} closed the connection mid-answer"
            ) from None
        if self._slot.expired:  # a cut read of a body without a length looks like its end
            raise self.too_slow()
        self._complete = True

    def too_slow(self) -> ClusterNotAnswering:
        elapsed = time.monotonic() - self._started
        if time.monotonic() >= self._limit:
            return ClusterNotAnswering(
                f"no complete answer from the API server at {self._server} in time"
                f" ({elapsed:.1f} s)"
            )
        return ClusterNotAnswering(
            f"the API server at {self._server} sends its answer too slowly"
            f" ({self.received} bytes in {elapsed:.1f} s)"
        )

    def close(self) -> None:
        """Give the connection back when the body was read, else close it (a half-read body
        must never be the start of the next answer on a reused connection)."""
        if self._closed:
            return
        self._closed = True
        self._slot.finish()
        if self._complete:
            self._raw.release_conn()
        else:
            self._raw.close()
            self._raw.release_conn()
