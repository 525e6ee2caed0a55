"""The simulated Kubernetes API server: plain HTTP on 127.0.0.1, one thread per connection.

It answers what kubectl 1.32 and the python client send (see docs/kube-api.md): discovery,
get/list (limit/continue, selectors, Table), watch (JSON lines, BOOKMARK, 410 as an ERROR
event), create, patch (merge, JSON, strategic for built-ins), delete, pod logs, and Status
errors. Faults from `faults.Faults` are applied to every request.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tuiops.sim.apiserver import discovery
from tuiops.sim.apiserver.encoding import JsonEncoder
from tuiops.sim.apiserver.faults import Faults
from tuiops.sim.apiserver.podlogs import PodLogBook
from tuiops.sim.apiserver.resources import ResourceType, type_for_path
from tuiops.sim.apiserver.routes import Route, parse_route
from tuiops.sim.apiserver.store import JsonObject, ObjectStore, StatusError
from tuiops.sim.apiserver.streams import serve_logs, serve_watch
from tuiops.sim.apiserver.verbs import Verbs

USER = "sim-admin"
"""The user the kubeconfig authenticates as; named in 403 messages."""

NOT_FOUND_PATH = StatusError(404, "NotFound", "the server could not find the requested resource")


class ApiServer(ThreadingHTTPServer):
    """The HTTP server; request threads share the store, the log book and the faults."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, store: ObjectStore, logs: PodLogBook, faults: Faults) -> None:
        self.store = store
        self.logs = logs
        self.faults = faults
        self.verbs = Verbs(store)
        self.encoder = JsonEncoder()
        self.stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), ApiRequestHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        # Every connection is remembered so a stop (an apiserver restart) can cut keep-alive
        # connections too; otherwise their threads would go on answering after the "restart".
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def stop(self) -> None:
        """Stop accepting, then cut every open stream, as a dying apiserver does."""
        self.stopping.set()
        self.shutdown()
        self.store.wake_watchers()
        self.logs.close()
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self.server_close()


class ApiRequestHandler(BaseHTTPRequestHandler):
    """One request: route, apply faults, answer JSON or a stream."""

    protocol_version = "HTTP/1.1"
    server: ApiServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr access log."""

    @property
    def stopping(self) -> threading.Event:
        return self.server.stopping

    # -- entry points --------------------------------------------------------------------

    def do_GET(self) -> None:
        self._handle("GET")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        url = urlsplit(self.path)
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        body = self._read_body()
        try:
            if self.server.faults.latency:
                time.sleep(self.server.faults.latency)
            self._dispatch(method, url.path, query, body)
        except StatusError as error:
            self._send_json(error.code, error.status())
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    # -- routing -------------------------------------------------------------------------

    def _dispatch(self, method: str, path: str, query: dict[str, str], body: bytes) -> None:
        if method == "GET" and path in ("/version", "/version/"):
            return self._send_json(200, discovery.SERVER_VERSION)
        if method == "GET" and path == "/api":
            return self._send_json(200, discovery.api_versions())
        if method == "GET" and path == "/apis":
            return self._send_json(200, discovery.api_group_list())
        if method == "GET" and path in ("/healthz", "/readyz", "/livez"):
            return self._send_text(200, "ok")
        route = parse_route(path)
        if route is None:
            raise NOT_FOUND_PATH
        if route.discovery:
            document = discovery.api_resource_list(route.group, route.version)
            if document is None or method != "GET":
                raise NOT_FOUND_PATH
            return self._send_json(200, document)
        resource = type_for_path(route.group, route.version, route.plural)
        if resource is None:
            raise NOT_FOUND_PATH
        verb = self._verb(method, route, query)
        self._check_faults(verb, resource, route)
        if route.subresource == "log":
            return serve_logs(
                self, self.server.store, self.server.logs, self.server.faults, route, query
            )
        if verb == "watch":
            return serve_watch(self, self.server.store, self.server.faults, resource, route, query)
        accept = self.headers.get("Accept", "")
        verbs = self.server.verbs
        if verb == "list":
            return self._send_json(200, verbs.list(resource, route, query, accept))
        if verb == "get":
            return self._send_json(200, verbs.get(resource, route, accept))
        payload = self._decode_body(body)
        if verb == "patch":
            content_type = self.headers.get("Content-Type", "")
            return self._send_json(200, verbs.patch(resource, route, content_type, payload))
        if verb == "create":
            return self._send_json(201, verbs.create(resource, route, payload))
        if verb == "update":
            return self._send_json(200, verbs.replace(resource, route, payload))
        return self._send_json(200, verbs.delete(resource, route))

    @staticmethod
    def _verb(method: str, route: Route, query: dict[str, str]) -> str:
        if method == "GET":
            if route.name:
                return "get"
            return "watch" if query.get("watch") in ("true", "1") else "list"
        return {"PATCH": "patch", "POST": "create", "PUT": "update", "DELETE": "delete"}[method]

    def _check_faults(self, verb: str, resource: ResourceType, route: Route) -> None:
        faults = self.server.faults
        if faults.is_forbidden(verb, resource.plural, resource.kind):
            subject = f'{resource.key} "{route.name}"' if route.name else resource.key
            scope = (
                f'in the namespace "{route.namespace}"'
                if route.namespace
                else "at the cluster scope"
            )
            raise StatusError(
                403,
                "Forbidden",
                f'{subject} is forbidden: User "{USER}" cannot {verb} resource'
                f' "{resource.plural}" in API group "{resource.group}" {scope}',
                # Status details omit empty fields (no name on a list, no group for core).
                {
                    key: value
                    for key, value in (
                        ("name", route.name),
                        ("group", resource.group),
                        ("kind", resource.plural),
                    )
                    if value
                },
            )
        if faults.should_fail():
            raise StatusError(500, "InternalError", "Internal error occurred: injected fault")

    @staticmethod
    def _decode_body(body: bytes) -> Any:
        try:
            return json.loads(body or b"null")
        except ValueError as error:
            raise StatusError(400, "BadRequest", f"invalid JSON body: {error}") from error

    # -- writing -------------------------------------------------------------------------

    def _send_json(self, code: int, document: JsonObject) -> None:
        payload = self.server.encoder.encode(document)
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _send_text(self, code: int, text: str) -> None:
        payload = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def start_stream(self, content_type: str) -> None:
        """Headers of a chunked response; chunks follow through `write_chunk`."""
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()

    def write_chunk(self, payload: bytes) -> None:
        if payload:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(payload), payload))
            self.wfile.flush()

    def end_stream(self, *, clean: bool = True) -> None:
        """Finish the chunked body; `clean=False` cuts the connection instead (a dropped watch)."""
        if clean:
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        else:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
