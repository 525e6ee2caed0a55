"""The Kubernetes API, through one chokepoint (kr8s style) on top of the `kubernetes` client.

The client is imported lazily: it costs about half a second, so nothing that only reads the
repo pays for it. We use the client for what it does well (TLS, auth headers, connection
pools) and read JSON ourselves: its generated models would cost more than the whole request
on a 7,000-object list. The kubeconfig is read by `kubeconfig.py` and the credential plugin
run by `exec_credential.py`, so both fail as one line; `kube_connection.py` keeps the client
built from them (and builds it again when a credential expires). Every request goes through
`KubeApi.request`, which bounds it in time (connect, answer, body: `kube_http.py`; streams:
`kube_stream.py`) and turns transport failures and Status errors into tuiops' own one-line
errors.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from tuiops.adapters.kube_connection import KubeConnection
from tuiops.adapters.kube_http import (
    ANSWER_SECONDS,
    CONNECT_SECONDS,
    Response,
    is_dropped_connection,
    status_error,
    transport_error,
)
from tuiops.adapters.kube_stream import (
    LOG_READ_SECONDS,
    WATCH_GRACE,
    WATCH_SECONDS,
    WatchStream,
    log_lines,
)
from tuiops.domain.kinds import ApiKind
from tuiops.errors import ApiError, ClusterError, ClusterNotAnswering

JsonObject = dict[str, Any]
Query = Sequence[tuple[str, str]]

PAGE_SIZE = 500
"""What kubectl asks for; large lists come in pages, as a real apiserver prefers."""
MERGE_PATCH = "application/merge-patch+json"
RETRIABLE = {429, 500, 502, 503, 504}
RETRY_DELAYS: tuple[float | None, ...] = (0.1, 0.3, 0.9, None)
"""Pauses between attempts of a read answered 429/5xx; None means give up."""

__all__ = ["WATCH_SECONDS", "JsonObject", "KubeApi", "Query", "status_error"]


class KubeApi:
    """A connection to one kube context (thread-safe: the feeds' threads share it)."""

    def __init__(
        self,
        kubeconfig: str | None = None,
        context: str | None = None,
        *,
        timeout: float = ANSWER_SECONDS,
        deadline: float | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        """
        Args:
            kubeconfig: `--kubeconfig`; None for `$KUBECONFIG` or `~/.kube/config`.
            context: `--context`; None for the current-context.
            timeout: Seconds a server has to answer a request (headers) and the longest
                silence inside a body.
            deadline: A `time.monotonic()` moment no request may run past (a command's whole
                budget, e.g. `tuiops status`); None for none.
            environ: Where `KUBECONFIG` and `HOME` come from (default: os.environ).
        """
        self._answer = timeout
        self._deadline = deadline
        self._connection = KubeConnection(kubeconfig, context, deadline=deadline, environ=environ)

    # -- connection (kube_connection.py) ------------------------------------------------

    @property
    def context_name(self) -> str:
        """The kube context in use (known once the first request was made)."""
        return self._connection.context_name

    @property
    def server(self) -> str:
        return self._connection.server

    def close(self) -> None:
        self._connection.close()

    # -- the chokepoint ------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Query = (),
        body: Any = None,
        content_type: str | None = None,
        accept: str = "application/json",
        read_timeout: float | None = None,
    ) -> Response:
        """Send one request and wait for its headers; the caller reads the body and closes.

        Args:
            read_timeout: The longest silence allowed while reading (default: `timeout`);
                streams that are idle by nature pass a longer one.

        Raises:
            ClusterNotAnswering: connected, but no answer within the timeout or deadline.
            ClusterUnreachable: no connection, or it was closed.
            NoKubeconfig, CredentialsFailed: the kube context cannot be used.
            ApiError: the server answered with a Status error (Forbidden, NotFound, ...).
        """
        import urllib3
        from kubernetes.client.exceptions import ApiException

        from tuiops.adapters import http_deadline  # lazy: urllib3 is not free either

        headers = {"Accept": accept}
        if content_type:
            headers["Content-Type"] = content_type
        for attempt in (1, 2):
            client = self._connection.client()
            started = time.monotonic()
            limit = self._deadline if self._deadline is not None else math.inf
            if started >= limit:
                raise ClusterNotAnswering(
                    f"no complete answer from the API server at {self._connection.server} in time"
                )
            serialized = client.param_serialize(
                method,
                path,
                query_params=list(query),
                header_params=dict(headers),
                body=body,
                auth_settings=["BearerToken"],
            )
            slot = http_deadline.start(min(started + self._answer, limit))
            try:
                with http_deadline.attached(slot):
                    answer = client.call_api(
                        *serialized,
                        _request_timeout=(CONNECT_SECONDS, read_timeout or self._answer),
                    )
            except (urllib3.exceptions.HTTPError, ApiException) as error:
                slot.finish()
                # A pooled keep-alive connection the server had closed: try a fresh one.
                if (
                    attempt == 1
                    and method == "GET"
                    and not slot.expired
                    and is_dropped_connection(error)
                ):
                    continue
                waited = min(self._answer, limit - started)
                raise transport_error(
                    error, self._connection.server, slot, f"{waited:.3g} s"
                ) from None
            response = Response(
                answer.response,
                slot,
                self._connection.server,
                started,
                limit,
                answer_seconds=self._answer,
            )
            if response.status == 401 and attempt == 1 and self._connection.has_credential:
                response.close()
                self._connection.drop_credential()
                continue
            if response.status >= 400:
                try:
                    payload = response.read_all()
                except ClusterError:
                    payload = b""
                finally:
                    response.close()
                raise status_error(response.status, payload)
            return response
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _request_with_retries(self, method: str, path: str, **kwargs: Any) -> Response:
        """`request`, retrying a read a few times on 429/5xx as client-go does."""
        for delay in RETRY_DELAYS:
            try:
                return self.request(method, path, **kwargs)
            except ApiError as error:
                if method != "GET" or error.code not in RETRIABLE or delay is None:
                    raise
                if self._deadline is not None and time.monotonic() + delay >= self._deadline:
                    raise
            time.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover - the loop always returns

    def request_json(self, method: str, path: str, **kwargs: Any) -> JsonObject:
        """`request` and parse the whole JSON body (read under the body deadline)."""
        response = self._request_with_retries(method, path, **kwargs)
        try:
            payload = response.read_all()
        finally:
            response.close()
        try:
            document = json.loads(payload)
        except ValueError:
            raise ApiError(
                response.status, "BadResponse", "the API server sent invalid JSON"
            ) from None
        if not isinstance(document, dict):
            raise ApiError(
                response.status, "BadResponse", "the API server sent a non-object answer"
            )
        return document

    # -- verbs ---------------------------------------------------------------------------

    def get(self, kind: ApiKind, namespace: str, name: str) -> JsonObject:
        return self.request_json("GET", kind.object_path(namespace, name))

    def list_all(
        self,
        kind: ApiKind,
        *,
        namespace: str = "",
        label_selector: str = "",
        field_selector: str = "",
    ) -> tuple[list[JsonObject], str]:
        """Every object (following `continue`) and the list's resourceVersion."""
        items: list[JsonObject] = []
        token = ""
        while True:
            query = [("limit", str(PAGE_SIZE))]
            if label_selector:
                query.append(("labelSelector", label_selector))
            if field_selector:
                query.append(("fieldSelector", field_selector))
            if token:
                query.append(("continue", token))
            page = self.request_json("GET", kind.collection_path(namespace), query=query)
            metadata = page.get("metadata") or {}
            for item in page.get("items") or []:
                if isinstance(item, dict):
                    # List items omit kind/apiVersion on a real apiserver; put them back.
                    item.setdefault("kind", kind.kind)
                    item.setdefault("apiVersion", kind.api_version)
                    items.append(item)
            token = str(metadata.get("continue") or "")
            if not token:
                return items, str(metadata.get("resourceVersion", ""))

    def open_watch(
        self,
        kind: ApiKind,
        resource_version: str,
        *,
        namespace: str = "",
        timeout_seconds: int = WATCH_SECONDS,
    ) -> WatchStream:
        """Start a watch after `resource_version`; returns once the server answered.

        The stream must end within `timeout_seconds` plus a grace (see `kube_stream.py`).
        """
        query = [
            ("allowWatchBookmarks", "true"),
            ("resourceVersion", resource_version),
            ("timeoutSeconds", str(timeout_seconds)),
            ("watch", "true"),
        ]
        response = self.request(
            "GET",
            kind.collection_path(namespace),
            query=query,
            # Past the stream's deadline, so the deadline (with its message) comes first.
            read_timeout=timeout_seconds + WATCH_GRACE + 1,
        )
        return WatchStream(response, kind, self._connection.server, timeout_seconds)

    def watch(
        self,
        kind: ApiKind,
        resource_version: str,
        *,
        namespace: str = "",
        timeout_seconds: int = WATCH_SECONDS,
    ) -> Iterator[tuple[str, JsonObject]]:
        """`open_watch` and its events, as one generator."""
        yield from self.open_watch(
            kind, resource_version, namespace=namespace, timeout_seconds=timeout_seconds
        )

    def served_versions(self, group: str) -> tuple[str, ...] | None:
        """The versions the server offers for an API group (legacy discovery, `/apis`);
        None when the group is not served at all."""
        document = self.request_json("GET", "/apis")
        for entry in document.get("groups") or []:
            if isinstance(entry, dict) and entry.get("name") == group:
                versions = entry.get("versions") or []
                return tuple(str(v.get("version")) for v in versions if isinstance(v, dict))
        return None

    def merge_patch(
        self, kind: ApiKind, namespace: str, name: str, patch: JsonObject
    ) -> JsonObject:
        return self.request_json(
            "PATCH", kind.object_path(namespace, name), body=patch, content_type=MERGE_PATCH
        )

    def open_log(
        self,
        namespace: str,
        pod: str,
        *,
        container: str = "",
        follow: bool = False,
        timestamps: bool = False,
        since_seconds: int | None = None,
        since_time: str = "",
        tail_lines: int | None = None,
        previous: bool = False,
    ) -> Response:
        """Open a container's log (`GET .../pods/NAME/log`); returns once the server answered.

        A followed body has no deadline (a quiet log is silent for hours; the caller cuts it
        with `response.slot.cut()`); any other body must keep `MIN_BODY_RATE`.

        Args:
            since_time: RFC3339 (`sinceTime`); the kubelet sends lines stamped at or after it.
            previous: The previous terminated container (`kubectl logs -p`).
        """
        query = [("follow", "true" if follow else "false")]
        if container:
            query.append(("container", container))
        if timestamps:
            query.append(("timestamps", "true"))
        if since_time:
            query.append(("sinceTime", since_time))
        elif since_seconds is not None:
            query.append(("sinceSeconds", str(since_seconds)))
        if tail_lines is not None:
            query.append(("tailLines", str(tail_lines)))
        if previous:
            query.append(("previous", "true"))
        response = self.request(
            "GET",
            f"/api/v1/namespaces/{namespace}/pods/{pod}/log",
            query=query,
            read_timeout=LOG_READ_SECONDS if follow else None,
        )
        if follow:
            response.extend(math.inf)
        return response

    def log_lines(
        self,
        namespace: str,
        pod: str,
        *,
        container: str = "",
        follow: bool = False,
        since_seconds: int | None = None,
        tail_lines: int | None = None,
    ) -> Iterator[str]:
        """Lines of a container's log; with `follow`, until the server ends the stream."""
        response = self.open_log(
            namespace,
            pod,
            container=container,
            follow=follow,
            since_seconds=since_seconds,
            tail_lines=tail_lines,
        )
        yield from log_lines(response, follow)
