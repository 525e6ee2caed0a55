"""`SimulatedCluster`: the API server, its store, pod logs, faults and clock, started on a
loopback port with a kubeconfig pointing at it. The one object tests, the demo and
`tuiops sim` hold."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from types import TracebackType

from tuiops.sim.apiserver.faults import Faults
from tuiops.sim.apiserver.podlogs import LogRecord, PodLogBook
from tuiops.sim.apiserver.resources import type_for_kind
from tuiops.sim.apiserver.server import USER, ApiServer
from tuiops.sim.apiserver.store import ObjectStore
from tuiops.sim.clock import SimClock

CONTEXT = "tuiops-sim"
DEFAULT_NAMESPACE = "flux-system"


def kubeconfig_text(server_url: str) -> str:
    """A kubeconfig with one context; plain HTTP on loopback, a bearer token for realism."""
    return (
        "apiVersion: v1\n"
        "kind: Config\n"
        "clusters:\n"
        f"- name: {CONTEXT}\n"
        "  cluster:\n"
        f"    server: {server_url}\n"
        "users:\n"
        f"- name: {USER}\n"
        "  user:\n"
        "    token: tuiops-sim-token\n"
        "contexts:\n"
        f"- name: {CONTEXT}\n"
        "  context:\n"
        f"    cluster: {CONTEXT}\n"
        f"    user: {USER}\n"
        f"    namespace: {DEFAULT_NAMESPACE}\n"
        f"current-context: {CONTEXT}\n"
    )


class SimulatedCluster:
    """A running simulated API server; use as a context manager or call start()/stop()."""

    def __init__(self, *, clock: SimClock | None = None, port: int = 0) -> None:
        self.clock = clock or SimClock()
        self.store = ObjectStore(self.clock)
        self.logs = PodLogBook()
        self.faults = Faults()
        self._port = port
        self._server: ApiServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def start(self) -> SimulatedCluster:
        self.logs.reopen()
        server = ApiServer(self._port, self.store, self.logs, self.faults)
        self._port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            daemon=True,
            name=f"sim-apiserver-{self._port}",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def restart(self, downtime: float = 0.0) -> None:
        """Stop and start again on the same port; objects survive, as they do in etcd."""
        self.stop()
        if downtime:
            threading.Event().wait(downtime)
        self.start()

    # -- pod logs ------------------------------------------------------------------------

    def append_log(
        self, namespace: str, pod: str, container: str, text: str, at: datetime | None = None
    ) -> LogRecord:
        """A container writes one line (followers get it at once); stamped `at` or now."""
        record = LogRecord(at or self.clock.now(), text)
        self.logs.append(namespace, pod, container, record)
        return record

    def cut_log_streams(self) -> None:
        """Cut every open pod log stream mid-body, as a network blip does."""
        self.faults.drop_log_streams()
        self.logs.wake()

    def delete_pod(self, namespace: str, pod: str) -> None:
        """Delete a pod; its followed logs end after their last line, as the kubelet's do."""
        self.store.delete(type_for_kind("Pod"), namespace, pod)
        self.logs.wake()

    def restart_container(self, namespace: str, pod: str, container: str) -> None:
        """The container restarted: its log is now the previous one (`kubectl logs -p`), and
        the pod's restartCount grows."""

        def bump(obj: dict[str, object]) -> None:
            status = obj.get("status")
            for entry in status.get("containerStatuses", []) if isinstance(status, dict) else []:
                if entry.get("name") == container:
                    entry["restartCount"] = int(entry.get("restartCount") or 0) + 1

        self.store.update(type_for_kind("Pod"), namespace, pod, bump)
        self.logs.restart(namespace, pod, container)

    def write_kubeconfig(self, path: Path) -> Path:
        """Write (atomically enough for a test: one small write) the kubeconfig to `path`."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(kubeconfig_text(self.url), encoding="utf-8")
        return path

    def __enter__(self) -> SimulatedCluster:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
