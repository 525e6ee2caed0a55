"""Read the kubeconfig the way kubectl does, and say what is wrong with it in one line.

The kubernetes client can read kubeconfigs too, but a broken file surfaces from it as a YAML
traceback, a missing current-context as a KeyError-like ConfigException, and it reads
`$KUBECONFIG` once, at import. So the files are read here (PyYAML, safe loader) with
client-go's rules: `--kubeconfig` names one file that must exist; otherwise `$KUBECONFIG` is a
list of files where missing ones are skipped, the first file to define a cluster, user or
context by name wins, and the first non-empty `current-context` wins; otherwise
`~/.kube/config`. Relative file references are resolved against the file that holds them,
as client-go does before merging. The result is one resolved context, which
`adapters/kube_client.py` hands to the kubernetes client as a one-context kubeconfig.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tuiops.domain.kube_contexts import KubeContextEntry
from tuiops.errors import NoKubeconfig

JsonMap = dict[str, Any]

_PATH_FIELDS = {
    "clusters": ("cluster", ("certificate-authority",)),
    "users": ("user", ("client-certificate", "client-key", "tokenFile")),
}
"""Per section: the entry's body key and the fields that name files (resolved per file)."""


@dataclass(frozen=True, slots=True)
class KubeContext:
    """One resolved kube context: what the client needs to connect and authenticate."""

    name: str
    cluster_name: str
    cluster: JsonMap
    """The cluster entry's body (`server`, `certificate-authority(-data)`, ...)."""
    user_name: str
    """Empty for a context without a user (anonymous requests)."""
    user: JsonMap
    """The user entry's body (`token`, `client-certificate(-data)`, `exec`, ...)."""
    namespace: str
    source: str
    """Where the kubeconfig came from, for messages (a path, or `$KUBECONFIG=...`)."""

    @property
    def server(self) -> str:
        return str(self.cluster.get("server", ""))

    @property
    def exec_config(self) -> JsonMap | None:
        """The user's credential plugin section, if it has one."""
        section = self.user.get("exec")
        return section if isinstance(section, dict) else None

    def client_config(self, user: JsonMap | None = None) -> JsonMap:
        """This context alone as a kubeconfig dict, optionally with another user body (the
        exec plugin's answer in place of `exec`)."""
        context: JsonMap = {"cluster": self.cluster_name}
        config: JsonMap = {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": self.name,
            "clusters": [{"name": self.cluster_name, "cluster": self.cluster}],
            "contexts": [{"name": self.name, "context": context}],
            "users": [],
        }
        if self.user_name:
            context["user"] = self.user_name
            config["users"] = [
                {"name": self.user_name, "user": self.user if user is None else user}
            ]
        if self.namespace:
            context["namespace"] = self.namespace
        return config


def kubeconfig_paths(
    explicit: str | None, environ: Mapping[str, str] | None = None
) -> tuple[tuple[Path, ...], str]:
    """The files to read and how to name them in messages."""
    env = os.environ if environ is None else environ
    if explicit:
        return (Path(explicit).expanduser(),), explicit
    listed = env.get("KUBECONFIG", "")
    paths = tuple(Path(p).expanduser() for p in listed.split(os.pathsep) if p)
    if paths:
        return paths, f"$KUBECONFIG={listed}"
    default = Path(env.get("HOME", str(Path.home()))) / ".kube" / "config"
    return (default,), str(default)


def has_kubeconfig(explicit: str | None, environ: Mapping[str, str] | None = None) -> bool:
    """Whether any kubeconfig file exists where kubectl would look (cheap: no parsing)."""
    paths, _source = kubeconfig_paths(explicit, environ)
    return any(path.is_file() for path in paths)


def load_context(
    explicit: str | None = None,
    context: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> KubeContext:
    """Read the kubeconfig and resolve the context to use.

    Args:
        explicit: `--kubeconfig`, which must exist; None to use `$KUBECONFIG` or the default.
        context: `--context`; None for the kubeconfig's current-context.
        environ: The environment to read `KUBECONFIG` and `HOME` from (default: os.environ).

    Raises:
        NoKubeconfig: no file, unreadable or invalid YAML, no current-context, an unknown
            context, or a context naming a cluster or user the files do not define.
    """
    paths, source = kubeconfig_paths(explicit, environ)
    existing = [path for path in paths if path.is_file()]
    if explicit and not existing:
        raise NoKubeconfig(f"no kubeconfig at {explicit}")
    if not existing:
        raise NoKubeconfig(f"no kubeconfig ({source} does not exist)")
    merged = _merge([_read(path) for path in existing])
    return _resolve(merged, context, source)


def list_contexts(
    explicit: str | None = None, environ: Mapping[str, str] | None = None
) -> tuple[KubeContextEntry, ...]:
    """Every context of the (merged) kubeconfig, by name, as `kubectl config get-contexts`
    lists them; a context naming an undefined cluster is listed with an empty server (choosing
    it then fails with `load_context`'s one line).

    Raises:
        NoKubeconfig: no file, or one that cannot be read as a kubeconfig.
    """
    paths, source = kubeconfig_paths(explicit, environ)
    existing = [path for path in paths if path.is_file()]
    if not existing:
        raise NoKubeconfig(f"no kubeconfig ({source} does not exist)")
    merged = _merge([_read(path) for path in existing])
    entries = []
    for name, body in sorted(merged["contexts"].items()):
        cluster_name = str(body.get("cluster") or "")
        cluster = merged["clusters"].get(cluster_name, {})
        entries.append(
            KubeContextEntry(
                name=name,
                cluster=cluster_name,
                server=str(cluster.get("server") or ""),
                namespace=str(body.get("namespace") or ""),
                current=name == merged["current-context"],
            )
        )
    return tuple(entries)


def _read(path: Path) -> tuple[Path, JsonMap]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise NoKubeconfig(f"cannot read the kubeconfig {path}: {reason}") from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise NoKubeconfig(
            f"the kubeconfig {path} is not valid YAML: {_yaml_problem(error)}"
        ) from None
    if document is None:
        return path, {}  # an empty file is an empty config, as for kubectl
    if not isinstance(document, dict):
        raise NoKubeconfig(f"the kubeconfig {path} is not a kubeconfig (not a YAML mapping)")
    return path, document


def _yaml_problem(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = str(getattr(error, "problem", "") or "") or type(error).__name__
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return " ".join(f"{where}{problem}".split())


def _merge(documents: list[tuple[Path, JsonMap]]) -> JsonMap:
    """client-go's merge: the first definition of each name wins, and the first
    current-context."""
    merged: JsonMap = {"clusters": {}, "users": {}, "contexts": {}, "current-context": ""}
    for path, document in documents:
        if not merged["current-context"] and document.get("current-context"):
            merged["current-context"] = str(document["current-context"])
        for section in ("clusters", "users", "contexts"):
            entries = document.get(section) or []
            if not isinstance(entries, list):
                raise NoKubeconfig(f"the kubeconfig {path} has a malformed {section} list")
            for entry in entries:
                name, body = _entry(path, section, entry)
                merged[section].setdefault(name, _resolve_paths(section, body, path.parent))
    return merged


def _entry(path: Path, section: str, entry: object) -> tuple[str, JsonMap]:
    body_key = {"clusters": "cluster", "users": "user", "contexts": "context"}[section]
    if not isinstance(entry, dict) or not entry.get("name"):
        raise NoKubeconfig(f"the kubeconfig {path} has an entry without a name in {section}")
    body = entry.get(body_key) or {}
    if not isinstance(body, dict):
        raise NoKubeconfig(
            f"the kubeconfig {path} has a malformed {section} entry {entry['name']!r}"
        )
    return str(entry["name"]), body


def _resolve_paths(section: str, body: JsonMap, base: Path) -> JsonMap:
    if section not in _PATH_FIELDS:
        return body
    _key, fields = _PATH_FIELDS[section]
    resolved = dict(body)
    for field in fields:
        value = resolved.get(field)
        if isinstance(value, str) and value and not Path(value).expanduser().is_absolute():
            resolved[field] = str(base / value)
    plugin = resolved.get("exec")
    command = plugin.get("command") if isinstance(plugin, dict) else None
    if isinstance(command, str) and os.sep in command and not Path(command).is_absolute():
        # client-go resolves an exec command only when it is a path, not a name on $PATH.
        resolved["exec"] = {**resolved["exec"], "command": str(base / command)}
    return resolved


def _resolve(merged: JsonMap, wanted: str | None, source: str) -> KubeContext:
    contexts: dict[str, JsonMap] = merged["contexts"]
    names = ", ".join(sorted(contexts)) or "none"
    name = wanted or merged["current-context"]
    if not name:
        if not contexts:
            raise NoKubeconfig(f"the kubeconfig ({source}) defines no contexts")
        raise NoKubeconfig(
            f"the kubeconfig ({source}) sets no current-context: pick one with --context"
            f" (contexts: {names})"
        )
    if name not in contexts:
        raise NoKubeconfig(f"the kubeconfig ({source}) has no context {name!r} (contexts: {names})")
    body = contexts[name]
    cluster_name = str(body.get("cluster") or "")
    if cluster_name not in merged["clusters"]:
        raise NoKubeconfig(
            f"context {name!r} names cluster {cluster_name!r}, which the kubeconfig ({source})"
            " does not define"
        )
    cluster = merged["clusters"][cluster_name]
    if not cluster.get("server"):
        raise NoKubeconfig(f"cluster {cluster_name!r} in the kubeconfig ({source}) has no server")
    user_name = str(body.get("user") or "")
    if user_name and user_name not in merged["users"]:
        raise NoKubeconfig(
            f"context {name!r} names user {user_name!r}, which the kubeconfig ({source})"
            " does not define"
        )
    return KubeContext(
        name=name,
        cluster_name=cluster_name,
        cluster=cluster,
        user_name=user_name,
        user=merged["users"].get(user_name, {}),
        namespace=str(body.get("namespace") or ""),
        source=source,
    )
