"""The `sops-age` Secret Flux decrypts SOPS files with: create it, or replace its `age.agekey`
data (any other keys it holds are kept), then read it back. The identity only ever travels in
the request body: it is never logged, and no error message built here carries it."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from tuiops.adapters.kube_api import KubeApi
from tuiops.domain.kinds import SECRET
from tuiops.errors import ApiError, ClusterError, NotFound

AGE_KEY = "age.agekey"
"""The data key Flux's docs use (`--from-file=age.agekey=…`); it must end in `.agekey`."""


def _encoded(identity: str) -> str:
    text = identity.strip() + "\n"
    return base64.b64encode(text.encode("ascii")).decode("ascii")


class KubeAgeKeySecret:
    """`AgeKeySecret` on one kube context.

    Args:
        api: The kube context's API.
    """

    def __init__(self, api: KubeApi) -> None:
        self._api = api

    def replace_age_key(self, namespace: str, name: str, identity: str) -> str:
        """See `ports.AgeKeySecret.replace_age_key`."""
        where = f"Secret {namespace}/{name}"
        data = _encoded(identity)
        try:
            current = self._api.get(SECRET, namespace, name)
        except NotFound:
            current = None
        if current is None:
            body: dict[str, Any] = {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": name, "namespace": namespace},
                "type": "Opaque",
                "data": {AGE_KEY: data},
            }
            self._write("POST", SECRET.collection_path(namespace), body, where)
            done = "created"
        else:
            # PUT with the resourceVersion read: a concurrent change is a conflict, not lost.
            current["data"] = {**(current.get("data") or {}), AGE_KEY: data}
            current.pop("stringData", None)
            self._write("PUT", SECRET.object_path(namespace, name), current, where)
            done = "replaced"
        self._check(namespace, name, data, where)
        return f"{where} {done} ({AGE_KEY}), read back and checked"

    def _write(self, method: str, path: str, body: dict[str, Any], where: str) -> None:
        try:
            self._api.request_json(method, path, body=body)
        except ApiError as error:  # a Status names fields, never the data sent
            raise ClusterError(f"{where}: not written: {error}") from None

    def _check(self, namespace: str, name: str, data: str, where: str) -> None:
        read = self._api.get(SECRET, namespace, name)
        stored = (read.get("data") or {}).get(AGE_KEY)
        try:
            same = isinstance(stored, str) and base64.b64decode(stored) == base64.b64decode(data)
        except (binascii.Error, ValueError):
            same = False
        if not same:
            raise ClusterError(f"{where}: read back, but {AGE_KEY} does not hold the new key")
