"""The kubeconfig's credential plugin (`users[].user.exec`), run by tuiops itself.

The kubernetes client runs the plugin with no timeout (a plugin waiting for a browser login
hangs `tuiops status` forever) and, when the plugin fails, logs the error and sends the
request without credentials. So the plugin is run here, through the one process runner with a
timeout, and any failure is a `CredentialsFailed` with the plugin's own last stderr line; the
client is then given the token (or client certificate) as if the kubeconfig held it.

The protocol is client-go's (client.authentication.k8s.io v1 and v1beta1): the plugin gets
`KUBERNETES_EXEC_INFO` (never interactive: tuiops has no terminal to lend it) and prints an
ExecCredential whose `status` holds `token` or `clientCertificateData` + `clientKeyData`, and
optionally `expirationTimestamp`, after which it is run again.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tuiops.adapters.kubeconfig import JsonMap, KubeContext
from tuiops.adapters.process import CommandFailed, ToolNotFound, run
from tuiops.errors import CredentialsFailed

EXEC_SECONDS = 5.0
"""How long a credential plugin may take. Token helpers (aws, gke-gcloud-auth-plugin,
kubelogin with a cached token) answer in about a second; one that waits for a person cannot
get one here, and `tuiops status` must end within 10 s."""
REFRESH_MARGIN = timedelta(seconds=30)
"""Run the plugin again this long before its credential expires."""
_CLUSTER_INFO_KEYS = (
    "server",
    "certificate-authority-data",
    "insecure-skip-tls-verify",
    "tls-server-name",
    "proxy-url",
    "disable-compression",
)


@dataclass(frozen=True, slots=True)
class ExecCredential:
    """What a credential plugin printed."""

    token: str = ""
    client_certificate: str = ""
    """PEM text."""
    client_key: str = ""
    """PEM text."""
    expires_at: datetime | None = None

    def expiring(self, now: datetime | None = None) -> bool:
        """Whether the credential must be fetched again before the next request."""
        if self.expires_at is None:
            return False
        return (now or datetime.now(UTC)) >= self.expires_at - REFRESH_MARGIN

    def user_body(self, user: JsonMap) -> JsonMap:
        """The kubeconfig user body with this credential in place of `exec`.

        A client certificate goes in as `-data` fields; the kubernetes client writes those
        to temporary files for its TLS context (as it does for any kubeconfig's key data).
        """
        body = {key: value for key, value in user.items() if key != "exec"}
        if self.token:
            body["token"] = self.token
        else:
            body["client-certificate-data"] = _b64(self.client_certificate)
            body["client-key-data"] = _b64(self.client_key)
        return body


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def run_exec_plugin(context: KubeContext, *, timeout: float = EXEC_SECONDS) -> ExecCredential:
    """Run the context user's credential plugin and read its ExecCredential.

    Args:
        context: A context whose user has an `exec` section.
        timeout: Seconds before the plugin (and its process group) is killed.

    Raises:
        CredentialsFailed: the section is malformed, the plugin is missing, exits non-zero,
            runs past `timeout`, or prints no usable credential.
    """
    config = context.exec_config or {}
    command = str(config.get("command") or "")
    who = f"the credential plugin {Path(command).name or '(none)'} of user {context.user_name!r}"
    api_version = str(config.get("apiVersion") or "")
    if not command or not api_version:
        missing = "command" if not command else "apiVersion"
        raise CredentialsFailed(f"{who} has no {missing} in the kubeconfig")
    argv = [command, *(str(arg) for arg in config.get("args") or [])]
    try:
        done = run(argv, timeout=timeout, env=_environment(config, context), check=False)
    except ToolNotFound as error:
        reason = str(error).rpartition(": ")[2]  # "not installed or not on PATH", ...
        hint = " ".join(str(config.get("installHint") or "").split())
        raise CredentialsFailed(f"{who}: {reason}" + (f" ({hint})" if hint else "")) from None
    except CommandFailed:  # only a timeout, with check=False
        raise CredentialsFailed(f"{who} did not finish within {timeout:g} s (timed out)") from None
    if done.returncode != 0:
        last = _last_line(done.stderr)
        raise CredentialsFailed(
            f"{who} exited {done.returncode}" + (f": {last}" if last else " (no message)")
        )
    return _credential(done.stdout, api_version, who)


def _environment(config: JsonMap, context: KubeContext) -> dict[str, str]:
    spec: dict[str, Any] = {"interactive": False}
    if config.get("provideClusterInfo"):
        cluster = {k: context.cluster[k] for k in _CLUSTER_INFO_KEYS if k in context.cluster}
        extensions = context.cluster.get("extensions") or []
        for extension in extensions if isinstance(extensions, list) else []:
            if isinstance(extension, dict) and extension.get("name") == (
                "client.authentication.k8s.io/exec"
            ):
                cluster["config"] = extension.get("extension")
        spec["cluster"] = cluster
    info = {"apiVersion": config["apiVersion"], "kind": "ExecCredential", "spec": spec}
    env = dict(os.environ)
    for item in config.get("env") or []:
        if isinstance(item, dict) and item.get("name"):
            env[str(item["name"])] = str(item.get("value", ""))
    env["KUBERNETES_EXEC_INFO"] = json.dumps(info)
    return env


def _last_line(text: str, limit: int = 300) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    return last if len(last) <= limit else last[: limit - 1] + "…"


def _credential(stdout: str, api_version: str, who: str) -> ExecCredential:
    try:
        document = json.loads(stdout)
    except ValueError:
        raise CredentialsFailed(f"{who} printed no ExecCredential (not JSON)") from None
    if not isinstance(document, dict) or document.get("kind") != "ExecCredential":
        raise CredentialsFailed(f"{who} printed no ExecCredential")
    answered = document.get("apiVersion")
    if answered != api_version:
        raise CredentialsFailed(f"{who} answered apiVersion {answered!r}, not {api_version!r}")
    status = document.get("status")
    if not isinstance(status, dict):
        raise CredentialsFailed(f"{who} printed an ExecCredential without status")
    expires = _expiry(status.get("expirationTimestamp"))
    token = status.get("token")
    if isinstance(token, str) and token:
        return ExecCredential(token=token, expires_at=expires)
    certificate, key = status.get("clientCertificateData"), status.get("clientKeyData")
    if isinstance(certificate, str) and certificate and isinstance(key, str) and key:
        return ExecCredential(client_certificate=certificate, client_key=key, expires_at=expires)
    raise CredentialsFailed(f"{who} printed neither a token nor a client certificate")


def _expiry(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
