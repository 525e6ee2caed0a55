"""The Kubernetes API, through one chokepoint (kr8s style) on top of the `kubernetes` client.

The client is imported lazily: it costs about half a second, so nothing that only reads the
repo pays for it. We use the client for what it does well (kubeconfig, auth plugins, TLS,
connection pools) and read JSON ourselves: its generated models would cost more than the
whole request on a 7,000-object list. Every request goes through `KubeApi.request`, which
turns transport failures and Status errors into tuiops' own one-line errors.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from tuiops.domain.kinds import ApiKind
from tuiops.errors import (
    ApiError,
    ClusterUnreachable,
    Expired,
    Forbidden,
    NoKubeconfig,
    NotFound,
)

if TYPE_CHECKING:
    import urllib3

JsonObject = dict[str, Any]
Query = Sequence[tuple[str, str]]

PAGE_SIZE = 500
"""What kubectl asks for; large lists come in pages, as a real apiserver prefers."""
WATCH_SECONDS = 290
"""Server-side watch timeout we ask for; the watcher re-watches from the last position."""
MERGE_PATCH = "application/merge-patch+json"
RETRIABLE = {429, 500, 502, 503, 504}
RETRY_DELAYS: tuple[float | None, ...] = (0.1, 0.3, 0.9, None)
"""Pauses between attempts of a read answered 429/5xx; None means give up."""


def _status_error(code: int, payload: bytes) -> ApiError:
    """The tuiops error for a non-2xx answer, with the server's own message."""
    message, reason = "", ""
    try:
        status = json.loads(payload)
        if isinstance(status, dict):
            message = str(status.get("message", ""))
            reason = str(status.get("reason", ""))
    except ValueError:
        message = payload.decode("utf-8", "replace").strip()
    message = message or f"the API server answered HTTP {code}"
    if code == 403:
        return Forbidden(code, reason or "Forbidden", message)
    if code == 404:
        return NotFound(code, reason or "NotFound", message)
    if code == 410:
        return Expired(code, reason or "Expired", message)
    return ApiError(code, reason, message)


class KubeApi:
    """A connection to one kube context."""

    def __init__(
        self, kubeconfig: str | None = None, context: str | None = None, *, timeout: float = 10.0
    ) -> None:
        self._kubeconfig = kubeconfig
        self._context = context
        self._timeout = timeout
        self._client: Any = None
        self._context_name = context or ""
        self._server = ""

    # -- connection ----------------------------------------------------------------------

    def _api_client(self) -> Any:
        if self._client is None:
            from kubernetes import config as kube_config  # lazy: half a second of imports
            from kubernetes.config.config_exception import ConfigException

            config: Any = kube_config

            try:
                _contexts, active = config.list_kube_config_contexts(self._kubeconfig)
                chosen = self._context or (active or {}).get("name", "")
                self._client = config.new_client_from_config(
                    config_file=self._kubeconfig, context=chosen or None, persist_config=False
                )
            except (ConfigException, OSError, TypeError, ValueError) as error:
                raise NoKubeconfig(f"no usable kubeconfig: {error}") from None
            self._context_name = chosen
            self._server = str(self._client.configuration.host)
        return self._client

    @property
    def context_name(self) -> str:
        """The kube context in use (known once the first request was made)."""
        return self._context_name

    @property
    def server(self) -> str:
        return self._server

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

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
    ) -> urllib3.BaseHTTPResponse:
        """Send one request; the caller reads (or streams) the body and releases it.

        Raises:
            ClusterUnreachable: no connection, a reset, or a timeout.
            ApiError: the server answered with a Status error (Forbidden, NotFound, ...).
        """
        import urllib3

        client = self._api_client()
        headers = {"Accept": accept}
        if content_type:
            headers["Content-Type"] = content_type
        method_, url, headers_, body_, post = client.param_serialize(
            method,
            path,
            query_params=list(query),
            header_params=headers,
            body=body,
            auth_settings=["BearerToken"],
        )
        timeout = (min(self._timeout, 5.0), read_timeout or self._timeout)
        try:
            response = client.call_api(
                method_, url, headers_, body_, post, _request_timeout=timeout
            )
        except urllib3.exceptions.HTTPError as error:
            raise ClusterUnreachable(
                f"cannot reach the API server at {self._server or 'the kube context'}: "
                f"{type(error).__name__}"
            ) from None
        raw: urllib3.BaseHTTPResponse = response.response
        if raw.status >= 400:
            try:
                payload = raw.read()
            except urllib3.exceptions.HTTPError:
                payload = b""
            finally:
                raw.release_conn()
            raise _status_error(raw.status, payload)
        return raw

    def _request_with_retries(self, method: str, path: str, **kwargs: Any) -> Any:
        """`request`, retrying a read a few times on 429/5xx as client-go does."""
        for delay in RETRY_DELAYS:
            try:
                return self.request(method, path, **kwargs)
            except ApiError as error:
                if method != "GET" or error.code not in RETRIABLE or delay is None:
                    raise
            time.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover - the loop always returns

    def request_json(self, method: str, path: str, **kwargs: Any) -> JsonObject:
        """`request` and parse the whole JSON body."""
        import urllib3

        raw = self._request_with_retries(method, path, **kwargs)
        try:
            payload = raw.read()
        except urllib3.exceptions.HTTPError:
            raise ClusterUnreachable("the API server closed the connection mid-answer") from None
        finally:
            raw.release_conn()
        try:
            document = json.loads(payload)
        except ValueError:
            raise ApiError(raw.status, "BadResponse", "the API server sent invalid JSON") from None
        if not isinstance(document, dict):
            raise ApiError(raw.status, "BadResponse", "the API server sent a non-object answer")
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

    def watch(
        self,
        kind: ApiKind,
        resource_version: str,
        *,
        namespace: str = "",
        timeout_seconds: int = WATCH_SECONDS,
    ) -> Iterator[tuple[str, JsonObject]]:
        """Watch events after `resource_version` until the server ends the stream.

        Yields `(type, object)` for ADDED, MODIFIED, DELETED and BOOKMARK.

        Raises:
            Expired: the position is too old (the ERROR event with code 410); relist.
            ClusterUnreachable: the connection dropped mid-stream.
        """
        import urllib3

        query = [
            ("allowWatchBookmarks", "true"),
            ("resourceVersion", resource_version),
            ("timeoutSeconds", str(timeout_seconds)),
            ("watch", "true"),
        ]
        raw = self.request(
            "GET", kind.collection_path(namespace), query=query, read_timeout=timeout_seconds + 30
        )
        buffer = b""
        try:
            for chunk in raw.stream(65536, decode_content=True):
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    event = _watch_event(line)
                    if event is not None:
                        yield event
        except urllib3.exceptions.HTTPError:
            raise ClusterUnreachable("the watch connection dropped") from None
        finally:
            raw.release_conn()

    def merge_patch(
        self, kind: ApiKind, namespace: str, name: str, patch: JsonObject
    ) -> JsonObject:
        return self.request_json(
            "PATCH", kind.object_path(namespace, name), body=patch, content_type=MERGE_PATCH
        )

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
        import urllib3

        query = [("follow", "true" if follow else "false")]
        if container:
            query.append(("container", container))
        if since_seconds is not None:
            query.append(("sinceSeconds", str(since_seconds)))
        if tail_lines is not None:
            query.append(("tailLines", str(tail_lines)))
        raw = self.request(
            "GET",
            f"/api/v1/namespaces/{namespace}/pods/{pod}/log",
            query=query,
            read_timeout=3600 if follow else None,
        )
        buffer = b""
        try:
            for chunk in raw.stream(65536, decode_content=True):
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    yield line.decode("utf-8", "replace")
            if buffer:
                yield buffer.decode("utf-8", "replace")
        except urllib3.exceptions.HTTPError:
            raise ClusterUnreachable(f"the log stream of {namespace}/{pod} dropped") from None
        finally:
            raw.release_conn()


def _watch_event(line: bytes) -> tuple[str, JsonObject] | None:
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
        code = int(obj.get("code") or 500)
        raise _status_error(code, json.dumps(obj).encode())
    return kind, obj
