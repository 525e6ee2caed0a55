"""The client one `KubeApi` sends its requests through, and when to build it again.

The kube context comes from `kubeconfig.py`, an exec credential from `exec_credential.py`
and the `kubernetes` ApiClient from `kube_client.py`; this module keeps the three together,
shared by the feeds' threads under one lock: the client is built on first use, again when an
exec credential expires or the server refused it (401), and a failure to build it is reused
for a few seconds instead of being paid once per thread. `kube_api.py` holds the requests
themselves.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any

from tuiops.adapters.exec_credential import EXEC_SECONDS, ExecCredential, run_exec_plugin
from tuiops.adapters.kube_client import build_client
from tuiops.adapters.kubeconfig import KubeContext, load_context
from tuiops.errors import ClusterError

FAILURE_MEMORY = 10.0
"""Seconds a failure to build the client (kubeconfig, credential plugin) is reused."""


class KubeConnection:
    """The kube context, credential and client of one `KubeApi` (thread-safe)."""

    def __init__(
        self,
        kubeconfig: str | None,
        context: str | None,
        *,
        deadline: float | None,
        environ: Mapping[str, str] | None,
    ) -> None:
        """
        Args:
            kubeconfig: `--kubeconfig`; None for `$KUBECONFIG` or `~/.kube/config`.
            context: `--context`; None for the current-context.
            deadline: A `time.monotonic()` moment the credential plugin may not run past;
                None for none.
            environ: Where `KUBECONFIG` and `HOME` come from (default: os.environ).
        """
        self._kubeconfig = kubeconfig
        self._context = context
        self._deadline = deadline
        self._environ = environ
        self._lock = threading.Lock()
        self._client: Any = None
        self._credential: ExecCredential | None = None
        self._refused = False
        """The server refused the exec credential (401): run the plugin again."""
        self._kube_context: KubeContext | None = None
        self._failure: tuple[float, ClusterError | None] = (0.0, None)
        """When building the client last failed, and why: the feeds' threads share it, so
        a hanging credential plugin costs its timeout once, not once per thread."""
        self._context_name = context or ""
        self._server = ""

    def client(self) -> Any:
        """The client, built on first use and again when an exec credential expires.

        Raises:
            NoKubeconfig: the kubeconfig is missing or unusable (read again next time).
            CredentialsFailed: the credential plugin failed or timed out.
        """
        with self._lock:
            credential = self._credential
            stale = self._refused or (credential is not None and credential.expiring())
            if self._client is not None and not stale:
                return self._client
            failed_at, failure = self._failure
            if failure is not None and time.monotonic() - failed_at < FAILURE_MEMORY:
                raise failure
            try:
                context = self._kube_context or load_context(
                    self._kubeconfig, self._context, self._environ
                )
                self._kube_context = context
                self._context_name, self._server = context.name, context.server
                if context.exec_config is not None:
                    credential = run_exec_plugin(context, timeout=self._exec_timeout())
                client = build_client(context, credential)
            except ClusterError as error:
                self._failure = (time.monotonic(), error)
                raise
            old, self._client = self._client, client
            self._credential, self._refused = credential, False
            self._failure = (0.0, None)
        if old is not None:
            old.rest_client.pool_manager.clear()
        return self._client

    def _exec_timeout(self) -> float:
        if self._deadline is None:
            return EXEC_SECONDS
        return max(0.1, min(EXEC_SECONDS, self._deadline - time.monotonic()))

    @property
    def has_credential(self) -> bool:
        """The client authenticates with an exec credential (which a 401 may mean expired)."""
        return self._credential is not None

    def drop_credential(self) -> None:
        """Forget an exec credential the server refused (401), so the plugin runs again."""
        with self._lock:
            self._refused = self._credential is not None

    @property
    def context_name(self) -> str:
        """The kube context in use (known once the client was built)."""
        return self._context_name

    @property
    def server(self) -> str:
        return self._server

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()
