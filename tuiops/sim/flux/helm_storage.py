"""Helm v3 storage as helm-controller leaves it: release JSON (key order of Helm's
`pkg/release` as the decoded fixture shows it) inside `sh.helm.release.v1.<name>.v<N>` Secrets,
`data.release` = base64(base64(gzip(json))) as the API server returns it.

Also the digests helm-controller keeps in `status.history`, and the made-up chart versions,
app versions and values of earlier revisions the scenarios need.
"""

from __future__ import annotations

import base64
import copy
import gzip
import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from tuiops.sim.clock import rfc3339
from tuiops.sim.flux.charts import chart_objects, render_manifest

JsonObject = dict[str, Any]

SECRET_TYPE = "helm.sh/release.v1"
_VERSION = re.compile(r"^(v?)(\d+)\.(\d+)\.(\d+)(.*)$")


def go_time(moment: datetime) -> str:
    """RFC3339 with nanoseconds, trailing zeros trimmed, as Go marshals `time.Time`."""
    utc = moment.astimezone(UTC)
    fraction = f"{utc.microsecond:06d}".rstrip("0")
    return utc.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if fraction else "") + "Z"


def secret_name(release: str, revision: int) -> str:
    """`sh.helm.release.v1.<release>.v<revision>`."""
    return f"sh.helm.release.v1.{release}.v{revision}"


def _json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def config_digest(config: Mapping[str, Any]) -> str:
    """`sha256:` of the values (helm-controller's `configDigest`, canonical JSON here)."""
    return "sha256:" + hashlib.sha256(_json(config).encode()).hexdigest()


def release_digest(release: Mapping[str, Any]) -> str:
    """`sha256:` of the release object (helm-controller's history `digest`)."""
    return "sha256:" + hashlib.sha256(_json(release).encode()).hexdigest()


def previous_version(version: str, steps: int = 1) -> str:
    """A plausible earlier chart version: patch down, else minor down (`0.18.2` → `0.18.1`)."""
    match = _VERSION.match(version)
    if match is None:
        return version
    prefix, major, minor, patch, rest = match.groups()
    numbers = [int(major), int(minor), int(patch)]
    for _ in range(steps):
        if numbers[2] > 0:
            numbers[2] -= 1
        elif numbers[1] > 0:
            numbers[1] -= 1
            numbers[2] = 3
        elif numbers[0] > 0:
            numbers = [numbers[0] - 1, 9, 3]
    return f"{prefix}{numbers[0]}.{numbers[1]}.{numbers[2]}{rest}"


def app_version_for(version: str) -> str:
    """The app version a revision of the chart ships: the chart version without OCI suffix."""
    return version.partition("+")[0]


def values_for_revision(values: Mapping[str, Any], age: int, app_version: str) -> JsonObject:
    """User values of the revision `age` steps before the newest (0 = the repo's values).

    Older revisions pinned the image tag of their app version and ran `age` more replicas, so
    every revision of a release has different values and a values diff shows something.
    """
    config = copy.deepcopy(dict(values))
    if age <= 0:
        return config
    image = config.get("image")
    config["image"] = (
        {**image, "tag": app_version} if isinstance(image, dict) else {"tag": app_version}
    )
    replicas = config.get("replicaCount")
    config["replicaCount"] = (replicas if isinstance(replicas, int) else 1) + age
    return config


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def build_release(
    *,
    name: str,
    namespace: str,
    revision: int,
    chart: str,
    version: str,
    status: str,
    description: str,
    first_deployed: datetime,
    last_deployed: datetime,
    config: Mapping[str, Any],
) -> JsonObject:
    """One Helm release object, keys in the order Helm's JSON has them.

    Args:
        name: Release name.
        namespace: Release namespace.
        revision: Release version, from 1.
        chart: Chart name.
        version: Chart version (`1.2.3`, or `1.2.3+<12 hex>` for OCI sources).
        status: `deployed`, `superseded`, `failed`, ...
        description: `Install complete`, `Upgrade complete`, `Rollback to 2`, ...
        first_deployed: When revision 1 was deployed.
        last_deployed: When this revision was deployed.
        config: User-supplied values.
    """
    app = app_version_for(version)
    notes = f"{chart} {app} is installed in {namespace}.\n"
    return {
        "name": name,
        "info": {
            "first_deployed": go_time(first_deployed),
            "last_deployed": go_time(last_deployed),
            "deleted": "",
            "description": description,
            "status": status,
            "notes": notes,
        },
        "chart": {
            "metadata": {
                "name": chart,
                "home": f"https://charts.example.org/{chart}",
                "sources": [f"https://github.com/example/{chart}"],
                "version": version,
                "description": f"A Helm chart for {chart}",
                "maintainers": [{"name": "maintainers", "email": "maintainers@example.org"}],
                "apiVersion": "v2",
                "appVersion": app,
                "kubeVersion": ">=1.26.0-0",
            },
            "lock": None,
            "templates": [
                {"name": "templates/NOTES.txt", "data": _b64(notes)},
                {"name": "templates/deployment.yaml", "data": _b64("kind: Deployment\n")},
                {"name": "templates/service.yaml", "data": _b64("kind: Service\n")},
            ],
            "values": {"replicaCount": 1, "image": {"repository": f"example.org/{chart}"}},
            "schema": None,
            "files": [{"name": "README.md", "data": _b64(f"# {chart}\n")}],
        },
        "config": dict(config),
        "manifest": render_manifest(chart, chart_objects(name, chart, version, app, config)),
        "version": revision,
        "namespace": namespace,
    }


def encode_release(release: Mapping[str, Any]) -> str:
    """`data.release` as the API returns it: base64(base64(gzip(json))), gzip header fixed."""
    packed = gzip.compress(_json(release).encode(), compresslevel=9, mtime=0)
    return base64.b64encode(base64.b64encode(packed)).decode()


def decode_release(data_release: str) -> JsonObject:
    """The release JSON inside `data.release` (inverse of `encode_release`)."""
    packed = base64.b64decode(base64.b64decode(data_release))
    body = gzip.decompress(packed) if packed[:3] == b"\x1f\x8b\x08" else packed
    release: JsonObject = json.loads(body)
    return release


def storage_secret(release: Mapping[str, Any], modified: datetime) -> JsonObject:
    """The Secret holding `release`, as the API server returns it (labels sorted).

    Args:
        release: A release from `build_release`.
        modified: Time of the last write (the `modifiedAt` label, unix seconds).
    """
    name = str(release["name"])
    namespace = str(release["namespace"])
    revision = int(release["version"])
    object_name = secret_name(name, revision)
    created = datetime.fromisoformat(str(release["info"]["last_deployed"]).replace("Z", "+00:00"))
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": object_name,
            "namespace": namespace,
            "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"secrets/{namespace}/{object_name}")),
            "creationTimestamp": rfc3339(created),
            "labels": {
                "modifiedAt": str(int(modified.timestamp())),
                "name": name,
                "owner": "helm",
                "status": str(release["info"]["status"]),
                "version": str(revision),
            },
        },
        "type": SECRET_TYPE,
        "data": {"release": encode_release(release)},
    }


def with_status(secret: JsonObject, status: str, modified: datetime) -> JsonObject:
    """Rewrite a storage Secret in place with a new release status (e.g. `superseded`)."""
    release = decode_release(secret["data"]["release"])
    release["info"]["status"] = status
    labels = secret["metadata"].setdefault("labels", {})
    labels["status"] = status
    labels["modifiedAt"] = str(int(modified.timestamp()))
    secret["metadata"]["labels"] = dict(sorted(labels.items()))
    secret["data"] = {"release": encode_release(release)}
    return secret


def history_entry(release: Mapping[str, Any], *, oci_digest: str = "") -> JsonObject:
    """helm-controller's `status.history` snapshot of `release` (keys sorted, as stored)."""
    info = release["info"]
    chart = release["chart"]["metadata"]

    def seconds(text: str) -> str:
        return rfc3339(datetime.fromisoformat(text.replace("Z", "+00:00")))

    entry: JsonObject = {
        "appVersion": chart["appVersion"],
        "chartName": chart["name"],
        "chartVersion": chart["version"],
        "configDigest": config_digest(release.get("config") or {}),
        "digest": release_digest(release),
        "firstDeployed": seconds(info["first_deployed"]),
        "lastDeployed": seconds(info["last_deployed"]),
        "name": release["name"],
        "namespace": release["namespace"],
    }
    if oci_digest:
        entry["ociDigest"] = oci_digest
    entry["status"] = info["status"]
    entry["version"] = release["version"]
    return entry
