"""Helm storage Secrets from the shared fixtures, payload errors, and values rendering and diffs."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from typing import Any

import pytest

from tests.conftest import FIXTURES_ROOT
from tuiops.domain import helm
from tuiops.domain.decode_live import (
    DecodeError,
    decode_helm_release,
    decode_helm_release_secret,
    helm_storage_secret_name,
)
from tuiops.domain.helm import (
    ReleaseRevision,
    ReleaseStatus,
    helm_storage_selector,
    render_values,
    unpack_release_payload,
    values_diff,
)

FLUX = FIXTURES_ROOT / "flux"


def _json(name: str) -> Any:
    return json.loads((FLUX / name).read_text(encoding="utf-8"))


SECRET_V3 = _json("helm-secret-apps-podinfo.v3.json")
DECODED_V3 = _json("helm-release-apps-podinfo.v3.decoded.json")
SECRET_LIST = _json("helm-secrets-apps-podinfo.list.json")


def _secret(payload: str, name: str = "sh.helm.release.v1.web.v1") -> dict[str, Any]:
    return {"metadata": {"name": name}, "data": {"release": payload}}


def _api_encode(helm_bytes: bytes) -> str:
    """What the API server sends: base64 of Helm's base64 text."""
    return base64.b64encode(base64.b64encode(helm_bytes)).decode()


def test_secret_decodes_to_the_revision_in_the_fixture() -> None:
    revision = decode_helm_release_secret(SECRET_V3)
    assert revision.name == "podinfo"
    assert revision.namespace == "apps"
    assert revision.revision == 3
    assert revision.status is ReleaseStatus.DEPLOYED
    assert (revision.chart_name, revision.chart_version, revision.app_version) == (
        "podinfo",
        "6.9.2",
        "6.9.2",
    )
    assert revision.chart == "podinfo-6.9.2"
    assert revision.first_deployed == "2025-09-02T08:17:02.118205409Z"
    assert revision.last_deployed == "2025-11-24T16:02:14.993120771Z"
    assert revision.description == "Upgrade complete"
    assert revision.values_json == '{"replicaCount":2,"ui":{"message":"Deployed by Flux"}}'
    assert revision.storage_secret_name == SECRET_V3["metadata"]["name"]


def test_secret_payload_is_exactly_the_decoded_fixture() -> None:
    unpacked = json.loads(unpack_release_payload(SECRET_V3["data"]["release"]))
    assert unpacked == DECODED_V3
    assert decode_helm_release_secret(SECRET_V3) == decode_helm_release(DECODED_V3)
    manifest_sha = hashlib.sha256(DECODED_V3["manifest"].encode()).hexdigest()
    assert decode_helm_release(DECODED_V3).manifest_digest == f"sha256:{manifest_sha}"


def test_secret_list_gives_three_revisions() -> None:
    revisions = sorted(
        (decode_helm_release_secret(s) for s in SECRET_LIST["items"]), key=lambda r: r.revision
    )
    assert [r.revision for r in revisions] == [1, 2, 3]
    assert [r.status for r in revisions] == [
        ReleaseStatus.SUPERSEDED,
        ReleaseStatus.SUPERSEDED,
        ReleaseStatus.DEPLOYED,
    ]
    assert [r.chart for r in revisions] == ["podinfo-6.8.0", "podinfo-6.9.1", "podinfo-6.9.2"]
    assert [r.description for r in revisions] == [
        "Install complete",
        "Upgrade complete",
        "Upgrade complete",
    ]
    assert [r.storage_secret_name for r in revisions] == [
        s["metadata"]["name"] for s in SECRET_LIST["items"]
    ]
    # v1 and v2 changed only the chart; v3 changed the values.
    assert revisions[0].values_json == revisions[1].values_json == '{"replicaCount":1}'
    assert values_diff(revisions[0], revisions[1]) == ()
    assert values_diff(revisions[1], revisions[2]) == (
        "--- podinfo.v2",
        "+++ podinfo.v3",
        "@@ -1 +1,3 @@",
        "-replicaCount: 1",
        "+replicaCount: 2",
        "+ui:",
        '+  message: "Deployed by Flux"',
    )
    assert revisions[1].manifest_digest != revisions[2].manifest_digest


def test_storage_names() -> None:
    assert helm_storage_secret_name("podinfo", 3) == "sh.helm.release.v1.podinfo.v3"
    assert helm_storage_selector("podinfo") == "owner=helm,name=podinfo"


def test_payload_without_gzip_magic_is_read_as_plain_json() -> None:
    release = {"name": "web", "namespace": "apps", "version": 1, "info": {"status": "deployed"}}
    revision = decode_helm_release_secret(_secret(_api_encode(json.dumps(release).encode())))
    assert (revision.name, revision.revision, revision.status) == ("web", 1, ReleaseStatus.DEPLOYED)
    assert revision.chart == "MISSING"
    assert revision.values_json == "{}"
    assert revision.manifest_digest == ""


def test_storage_labels_stand_in_for_missing_json_fields() -> None:
    secret = _secret(_api_encode(gzip.compress(b'{"info": {}}')))
    secret["metadata"]["labels"] = {"name": "web", "version": "4", "status": "failed"}
    revision = decode_helm_release_secret(secret)
    assert (revision.name, revision.revision, revision.status) == ("web", 4, ReleaseStatus.FAILED)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("!!!not base64", "is not base64"),
        (base64.b64encode(b"%%% not helm base64").decode(), "Helm's base64"),
        (_api_encode(b"\x1f\x8b\x08" + b"garbage" * 10), "not valid gzip"),
        (_api_encode(gzip.compress(b'{"name": "web"}')[:-12]), "truncated"),
        (_api_encode(gzip.compress(b"not json")), "sh.helm.release.v1.web.v1"),
        (_api_encode(gzip.compress(b"[1, 2]")), "not a JSON object"),
        (_api_encode(gzip.compress(b'{"name": "web"}')), "without a name or a revision"),
        (_api_encode(gzip.compress(b"\xff\xfe\xfa")), "sh.helm.release.v1.web.v1"),
    ],
)
def test_bad_payloads_raise_a_clear_decode_error(payload: str, message: str) -> None:
    with pytest.raises(DecodeError, match=message) as raised:
        decode_helm_release_secret(_secret(payload))
    assert str(raised.value).startswith("sh.helm.release.v1.web.v1: ")
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize("secret", [{}, {"data": {}}, {"data": {"release": 5}}, {"data": []}])
def test_secret_without_release_data(secret: dict[str, Any]) -> None:
    with pytest.raises(DecodeError, match=r"no data\.release"):
        decode_helm_release_secret(secret)


def test_gzip_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(helm, "MAX_RELEASE_BYTES", 1000)
    with pytest.raises(DecodeError, match="more than 1000 bytes"):
        decode_helm_release_secret(_secret(_api_encode(gzip.compress(b" " * 100_000))))


def test_release_status_parse() -> None:
    assert ReleaseStatus.parse("pending-upgrade").is_pending
    assert not ReleaseStatus.parse("deployed").is_pending
    assert ReleaseStatus.parse("Deployed") is ReleaseStatus.UNKNOWN


def test_render_values_sorts_keys_and_quotes_strings() -> None:
    values = {
        "z": [{"b": 1, "a": "x\ny\n"}, [True, None], [], {}],
        "yes": 1.5,
        "with space": {"k": "one-line"},
        "empty": {},
    }
    assert render_values(json.dumps(values)) == (
        "empty: {}",
        '"with space":',
        '  k: "one-line"',
        '"yes": 1.5',
        "z:",
        "  - a: |",
        "      x",
        "      y",
        "    b: 1",
        "  - - true",
        "    - null",
        "  - []",
        "  - {}",
    )


def test_render_values_edge_cases() -> None:
    assert render_values("{}") == ()
    assert render_values("null") == ()
    assert render_values('"top\\nlevel"') == ('"top\\nlevel"',)
    assert render_values('{"s": "no trailing\\nnewline"}') == (
        "s: |-",
        "  no trailing",
        "  newline",
    )
    assert render_values("not json\nat all") == ("not json", "at all")
    deep = "[" * 100_000 + "]" * 100_000
    assert render_values(deep)  # too deep to parse: shown as it is, no exception


def _revision(values_json: str, revision: int) -> ReleaseRevision:
    return ReleaseRevision(
        name="web",
        namespace="apps",
        revision=revision,
        status=ReleaseStatus.DEPLOYED,
        chart_name="web",
        chart_version="1.0.0",
        app_version="1.0.0",
        first_deployed="",
        last_deployed="",
        description="",
        values_json=values_json,
    )


def test_values_diff_context_and_key_order() -> None:
    old = _revision('{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6}', 1)
    new = _revision('{"f":6,"e":5,"d":4,"c":3,"b":2,"a":10}', 2)
    assert values_diff(old, new, context=1) == (
        "--- web.v1",
        "+++ web.v2",
        "@@ -1,2 +1,2 @@",
        "-a: 1",
        "+a: 10",
        " b: 2",
    )
