"""The feed states that are not about the network: a missing CRD is NOT_SERVED (not endless
reconnecting), anything unexpected is ERROR with its message and then LIVE again, and an
object is "not in the cluster" only after a list of its kind succeeded."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.adapters.faults import kubeconfig_text, wait_for
from tuiops.adapters.kube_api import KubeApi
from tuiops.adapters.kube_watch import ResourceWatcher
from tuiops.cli import main
from tuiops.domain.feed import FeedState, FeedStatus, absence_text
from tuiops.domain.kinds import HELM_RELEASE, KUSTOMIZATION

KS_PATH = "/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations"
HR_PATH = "/apis/helm.toolkit.fluxcd.io/v2/helmreleases"
BOOKMARK = {
    "kind": "Kustomization",
    "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
    "metadata": {"resourceVersion": "7"},
}
FLUX_GROUPS = {"kustomize.toolkit.fluxcd.io": ["v1"], "helm.toolkit.fluxcd.io": ["v2"]}


class FakeApiServer:
    """A few REST answers on 127.0.0.1: `/apis` from `groups`, lists (and idle watches that
    end on `timeoutSeconds`) for the paths in `lists`, 404 Status for anything else, 401 for
    the bearer tokens in `refuse`. Records each request's Authorization header."""

    def __init__(
        self,
        *,
        groups: dict[str, list[str]] | None = None,
        lists: dict[str, list[dict[str, Any]]] | None = None,
        refuse: set[str] | None = None,
    ) -> None:
        self.groups = FLUX_GROUPS if groups is None else groups
        self.lists = {KS_PATH: [], HR_PATH: []} if lists is None else lists
        self.refuse = refuse or set()
        self.garbage = False
        """Answer lists with a body that is not JSON."""
        self.chatty = False
        """Watches ignore `timeoutSeconds` and send a bookmark every 0.2 s, forever."""
        self.authorizations: list[str] = []
        self.paths: list[str] = []
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeApiServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _send(self, code: int, document: object, raw: bytes | None = None) -> None:
                body = raw if raw is not None else json.dumps(document).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                fake.authorizations.append(self.headers.get("Authorization", ""))
                url = urlsplit(self.path)
                query = parse_qs(url.query)
                fake.paths.append(url.path + ("?watch" if "watch" in query else ""))
                if self.headers.get("Authorization", "") in fake.refuse:
                    self._send(401, {"kind": "Status", "code": 401, "message": "Unauthorized"})
                elif url.path == "/apis":
                    groups = [
                        {"name": name, "versions": [{"version": v} for v in versions]}
                        for name, versions in fake.groups.items()
                    ]
                    self._send(200, {"kind": "APIGroupList", "groups": groups})
                elif url.path in fake.lists and "watch" in query:
                    self._watch(float(query.get("timeoutSeconds", ["5"])[0]))
                elif url.path in fake.lists:
                    items = fake.lists[url.path]
                    document = {
                        "kind": "List",
                        "metadata": {"resourceVersion": "7"},
                        "items": items,
                    }
                    self._send(200, document, b"<html>oops" if fake.garbage else None)
                else:
                    message = "the server could not find the requested resource"
                    self._send(
                        404,
                        {"kind": "Status", "code": 404, "reason": "NotFound", "message": message},
                    )

            def _watch(self, seconds: float) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                self.wfile.flush()
                try:
                    while fake.chatty and not fake._stopping.wait(0.2):
                        line = json.dumps({"type": "BOOKMARK", "object": BOOKMARK}) + "\n"
                        self.wfile.write(f"{len(line):x}\r\n{line}\r\n".encode())
                        self.wfile.flush()
                    fake._stopping.wait(seconds)
                    self.wfile.write(b"0\r\n\r\n")
                except OSError:
                    return  # the client cut the stream

        return Handler


@contextmanager
def watcher_on(
    tmp_path: Path, server: FakeApiServer, decode: Any = None, kind: Any = KUSTOMIZATION
) -> Iterator[ResourceWatcher[Any]]:
    config = tmp_path / "config"
    config.write_text(kubeconfig_text(server.url), "utf-8")
    api = KubeApi(str(config))
    watcher = ResourceWatcher(api, kind, decode or (lambda obj: obj)).start()
    try:
        yield watcher
    finally:
        watcher.stop()
        api.close()


def test_flux_not_installed_is_not_served_not_reconnecting(tmp_path: Path) -> None:
    with FakeApiServer(groups={}, lists={}) as server, watcher_on(tmp_path, server) as watcher:
        assert watcher.synced.wait(10)
        status = watcher.status
        assert status.state is FeedState.NOT_SERVED
        assert status.message == (
            "Flux is not installed here (the cluster has no kustomize.toolkit.fluxcd.io API)"
        )
        assert not status.listed and status.last_contact is None
        assert server.paths.count(KS_PATH) == 1, "asked once, then only once a minute"


def test_a_version_tuiops_does_not_read_says_which_are_served(tmp_path: Path) -> None:
    groups = {"helm.toolkit.fluxcd.io": ["v2beta1"]}
    with (
        FakeApiServer(groups=groups, lists={}) as server,
        watcher_on(tmp_path, server, kind=HELM_RELEASE) as watcher,
    ):
        assert watcher.synced.wait(10)
        assert watcher.status.state is FeedState.NOT_SERVED
        assert watcher.status.message == (
            "helmreleases.helm.toolkit.fluxcd.io/v2 is not served here"
            " (the cluster serves helm.toolkit.fluxcd.io v2beta1)"
        )


def test_status_without_flux_claims_nothing_about_objects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    groups = {"kustomize.toolkit.fluxcd.io": ["v1"]}
    with FakeApiServer(groups=groups, lists={KS_PATH: []}) as server:
        config = tmp_path / "config"
        config.write_text(kubeconfig_text(server.url), "utf-8")
        monkeypatch.setenv("KUBECONFIG", str(config))
        code = main(["status", "--example"])
        text = capsys.readouterr().out
        assert main(["status", "--example", "--json"]) == 1
        report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert "HelmRelease: not served: Flux is not installed here" in text
    assert "not known yet (the list of HelmRelease has not succeeded)" in text
    assert "does not exist" not in text
    (cluster,) = report["clusters"]
    rows = [o for layer in cluster["layers"] for o in layer["objects"]]
    by_kind = {(o["kind"], o["inCluster"]) for o in rows}
    assert by_kind == {("Kustomization", False), ("HelmRelease", None)}


def test_an_unexpected_exception_is_error_then_live(tmp_path: Path) -> None:
    broken = threading.Event()
    broken.set()

    def decode(obj: dict[str, Any]) -> dict[str, Any]:
        if broken.is_set():
            raise ValueError("cannot decode this one")
        return obj

    lists: dict[str, list[dict[str, Any]]] = {
        KS_PATH: [{"metadata": {"name": "apps", "namespace": "flux-system"}}]
    }
    with FakeApiServer(lists=lists) as server, watcher_on(tmp_path, server, decode) as watcher:
        wait_for(lambda: watcher.status.state is FeedState.ERROR, 10)
        assert watcher.status.message == "ValueError: cannot decode this one"
        started = time.monotonic()
        broken.clear()
        wait_for(lambda: watcher.status.state is FeedState.LIVE, 10)
        print(f"\n[feed] ERROR -> LIVE in {time.monotonic() - started:.2f} s")
        assert set(watcher.snapshot()) == {("flux-system", "apps")}


def test_an_answer_that_is_not_json_is_error_then_live(tmp_path: Path) -> None:
    with FakeApiServer() as server:
        server.garbage = True
        with watcher_on(tmp_path, server) as watcher:
            wait_for(lambda: watcher.status.state is FeedState.ERROR, 10)
            assert watcher.status.message == "the API server sent invalid JSON"
            server.garbage = False
            wait_for(lambda: watcher.status.state is FeedState.LIVE, 10)
            assert watcher.status.listed and watcher.status.last_contact is not None


def test_a_watch_that_keeps_talking_past_its_end_stays_live(tmp_path: Path) -> None:
    """A server that ignores timeoutSeconds is alive: its watches are cut and resumed."""
    states: list[FeedState] = []
    config = tmp_path / "config"
    with FakeApiServer() as server:
        server.chatty = True
        config.write_text(kubeconfig_text(server.url), "utf-8")
        api = KubeApi(str(config))
        watcher = ResourceWatcher(
            api,
            KUSTOMIZATION,
            lambda obj: obj,
            lambda update: states.append(update.status.state),
            watch_seconds=1,
        ).start()
        try:
            wait_for(lambda: server.paths.count(KS_PATH + "?watch") >= 3, 15)
            assert watcher.status.state is FeedState.LIVE
        finally:
            watcher.stop()
            api.close()
    assert set(states) == {FeedState.LIVE}, states


def test_stop_ends_an_idle_watch_at_once(tmp_path: Path) -> None:
    with FakeApiServer() as server, watcher_on(tmp_path, server) as watcher:
        wait_for(lambda: server.paths.count(KS_PATH + "?watch") == 1, 10)
        started = time.monotonic()
        watcher.stop()
        wait_for(lambda: watcher.status.state is FeedState.STOPPED, 2)
        assert time.monotonic() - started < 2


def test_absence_needs_a_successful_list() -> None:
    listed = FeedStatus("HelmRelease", FeedState.LIVE, listed=True)
    stale = FeedStatus("HelmRelease", FeedState.NOT_ANSWERING, listed=True)
    never = FeedStatus("HelmRelease", FeedState.NOT_ANSWERING)
    assert absence_text("HelmRelease", [listed]) == "not in the cluster"
    assert absence_text("HelmRelease", [stale]) == (
        "not in the cluster when last listed (not answering)"
    )
    for feeds in ([never], []):
        assert absence_text("HelmRelease", feeds) == (
            "not known yet (the list of HelmRelease has not succeeded)"
        )
