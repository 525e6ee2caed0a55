"""Helm release revisions as Helm's Secret storage holds them, and readable diffs of their values.

helm-controller keeps one Secret per revision (`sh.helm.release.v1.<release>.v<N>`); a history
view built from those Secrets matches `helm history`. Values are kept as canonical JSON so two
revisions compare with `==` and diff line by line.
"""

from __future__ import annotations

import base64
import difflib
import enum
import hashlib
import json
import re
import zlib
from dataclasses import dataclass

HELM_SECRET_TYPE = "helm.sh/release.v1"
"""`type` of every Secret the Helm v3 storage driver writes."""
MAX_RELEASE_BYTES = 64 * 1024 * 1024
"""Ceiling on an unpacked release; a Secret holds at most 1 MiB, so more means a gzip bomb."""
_GZIP_MAGIC = b"\x1f\x8b\x08"
_RELEASE_NAME_MAX = 53


class ReleaseStatus(enum.Enum):
    """`info.status` of a Helm release (Helm v3 `pkg/release/status.go`)."""

    UNKNOWN = "unknown"
    DEPLOYED = "deployed"
    UNINSTALLED = "uninstalled"
    SUPERSEDED = "superseded"
    FAILED = "failed"
    UNINSTALLING = "uninstalling"
    PENDING_INSTALL = "pending-install"
    PENDING_UPGRADE = "pending-upgrade"
    PENDING_ROLLBACK = "pending-rollback"

    @classmethod
    def parse(cls, text: str) -> ReleaseStatus:
        """The status named by `text`, UNKNOWN for anything Helm does not define."""
        try:
            return cls(text)
        except ValueError:
            return cls.UNKNOWN

    @property
    def is_pending(self) -> bool:
        """True while an install, upgrade or rollback holds the release lock."""
        return self.value.startswith("pending-")


@dataclass(frozen=True, slots=True)
class ReleaseRevision:
    """One revision of a Helm release, decoded from its storage Secret."""

    name: str
    """Release name (not the HelmRelease's name when `releaseName`/`targetNamespace` differ)."""
    namespace: str
    """Release namespace, where the chart's objects go."""
    revision: int
    status: ReleaseStatus
    chart_name: str
    chart_version: str
    app_version: str
    first_deployed: str
    """RFC3339 with nanoseconds as Helm writes it; empty for Go's zero time."""
    last_deployed: str
    """What `helm history` shows as UPDATED."""
    description: str
    """E.g. `Install complete`, `Upgrade complete`, `Rollback to 4`."""
    values_json: str = "{}"
    """User-supplied values (`config`) as canonical JSON: sorted keys, no spaces."""
    manifest_digest: str = ""
    """`sha256:<hex>` of the rendered manifest, to tell whether two revisions render the same.
    Not helm-controller's `history[].digest`, which hashes the whole release object."""

    @property
    def chart(self) -> str:
        """`<name>-<version>` as the CHART column of `helm history` prints it."""
        if not self.chart_name:
            return "MISSING"
        return f"{self.chart_name}-{self.chart_version}"

    @property
    def storage_secret_name(self) -> str:
        """Name of the Secret this revision lives in."""
        return helm_storage_secret_name(self.name, self.revision)


def helm_storage_secret_name(release: str, revision: int) -> str:
    """The Secret holding one revision of a release.

    Args:
        release: Helm release name.
        revision: Release version, from 1.

    Returns:
        `sh.helm.release.v1.<release>.v<revision>`.
    """
    return f"sh.helm.release.v1.{release}.v{revision}"


def shorten_release_name(name: str) -> str:
    """helm-controller's `release.ShortenName`, applied to every release name it derives.

    Args:
        name: `spec.releaseName`, or `[<targetNamespace>-]<name>` of the HelmRelease.

    Returns:
        `name` if it has at most 53 characters, else its first 40 characters, `-` and the
        first 12 hex digits of its SHA-256.
    """
    if len(name) <= _RELEASE_NAME_MAX:
        return name
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{name[: _RELEASE_NAME_MAX - 13]}-{digest[:12]}"


def helm_storage_selector(release: str) -> str:
    """The label selector Helm lists a release's history with.

    Args:
        release: Helm release name.

    Returns:
        `owner=helm,name=<release>`.
    """
    return f"owner=helm,name={release}"


def unpack_release_payload(data_release: str) -> bytes:
    """The release JSON inside a storage Secret's `data.release`, as the API server sends it.

    The API value is base64(Helm's base64(gzip(JSON))). Like Helm, gunzip is skipped when the
    gzip magic `1f 8b 08` is missing (releases written by very old Helm versions).

    Args:
        data_release: The `data.release` string of the Secret.

    Returns:
        The release as JSON bytes.

    Raises:
        ValueError: A layer is not valid base64 or gzip, or unpacks to more than
            `MAX_RELEASE_BYTES`; the message says which layer.
    """
    try:
        helm_text = base64.b64decode(data_release, validate=True)
    except ValueError as err:
        raise ValueError(f"data.release is not base64: {err}") from err
    try:
        packed = base64.b64decode(helm_text, validate=True)
    except ValueError as err:
        raise ValueError(f"data.release does not hold Helm's base64 text: {err}") from err
    if packed[:3] != _GZIP_MAGIC:
        return packed
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        body = inflater.decompress(packed, MAX_RELEASE_BYTES)
    except zlib.error as err:
        raise ValueError(f"release is not valid gzip: {err}") from err
    if inflater.unconsumed_tail:
        raise ValueError(f"release unpacks to more than {MAX_RELEASE_BYTES} bytes")
    if not inflater.eof:
        raise ValueError("release gzip stream is truncated")
    return body


def canonical_values_json(values: object) -> str:
    """Values as canonical JSON, so equal values give equal strings.

    Args:
        values: Parsed JSON; None (no user values) counts as `{}`.

    Returns:
        JSON with sorted keys and no insignificant whitespace.

    Raises:
        ValueError: `values` is not JSON-serialisable.
        RecursionError: `values` nests deeper than Python's recursion limit.
    """
    if values is None:
        values = {}
    try:
        return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except TypeError as err:
        raise ValueError(f"values are not JSON: {err}") from err


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-/]*")
# Keys YAML 1.1 would read as booleans or null are quoted so the text stays unambiguous.
_YAML_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "null", "y", "n"})


def _key(key: str) -> str:
    if _PLAIN_KEY.fullmatch(key) and key.lower() not in _YAML_WORDS:
        return key
    return json.dumps(key, ensure_ascii=False)


def _scalar(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    # JSON scalars are valid YAML flow scalars; quoting every string avoids YAML's type guessing.
    return json.dumps(value, ensure_ascii=False)


def _block_header(value: object) -> str:
    """`|` or `|-` when a string reads better as a literal block, else empty."""
    if not isinstance(value, str) or "\n" not in value.rstrip("\n"):
        return ""
    if value.endswith("\n\n") or value[:1] in (" ", "\t") or "\r" in value or "\t" in value:
        return ""
    return "|" if value.endswith("\n") else "|-"


def _render(value: object, indent: int, lines: list[str]) -> None:
    """Append the lines of a non-empty mapping or list, each starting at `indent` spaces."""
    pad = " " * indent
    if isinstance(value, dict):
        items: list[tuple[str, object]] = [(f"{_key(str(k))}:", value[k]) for k in sorted(value)]
    elif isinstance(value, list):
        items = [("-", item) for item in value]
    else:
        lines.append(pad + _scalar(value))
        return
    for head, child in items:
        block = _block_header(child)
        if block and isinstance(child, str):
            lines.append(f"{pad}{head} {block}")
            lines.extend(f"{pad}  {part}" if part else "" for part in child.splitlines())
        elif isinstance(child, dict | list) and child:
            if head == "-":
                # A list item's first line shares the dash: `- key: value`.
                start = len(lines)
                _render(child, indent + 2, lines)
                lines[start] = f"{pad}- {lines[start][indent + 2 :]}"
            else:
                lines.append(f"{pad}{head}")
                _render(child, indent + 2, lines)
        else:
            lines.append(f"{pad}{head} {_scalar(child)}")


def render_values(values_json: str) -> tuple[str, ...]:
    """Values as YAML-like text with sorted keys, one tuple item per line.

    Strings are always double-quoted (multi-line strings become `|` blocks), so the text is
    unambiguous YAML. Text that is not JSON is returned line by line as it is.

    Args:
        values_json: Values as JSON, e.g. `ReleaseRevision.values_json`.

    Returns:
        The lines; empty for `{}` or `null`.
    """
    try:
        values = json.loads(values_json)
        if values is None or values == {}:
            return ()
        lines: list[str] = []
        _render(values, 0, lines)
        return tuple(lines)
    except (ValueError, RecursionError):
        return tuple(values_json.splitlines())


def diff_values_json(
    old_json: str,
    new_json: str,
    *,
    old_label: str = "old",
    new_label: str = "new",
    context: int = 3,
) -> tuple[str, ...]:
    """Unified diff of two values documents rendered by `render_values`.

    Args:
        old_json: Values before, as JSON.
        new_json: Values after, as JSON.
        old_label: Name on the `---` line.
        new_label: Name on the `+++` line.
        context: Unchanged lines shown around each change.

    Returns:
        Diff lines without line terminators; empty when the values are equal.
    """
    return tuple(
        difflib.unified_diff(
            render_values(old_json),
            render_values(new_json),
            fromfile=old_label,
            tofile=new_label,
            n=context,
            lineterm="",
        )
    )


def values_diff(old: ReleaseRevision, new: ReleaseRevision, *, context: int = 3) -> tuple[str, ...]:
    """Unified diff of the user values of two revisions, labelled `<release>.v<N>`.

    Args:
        old: The earlier revision (e.g. the rollback target).
        new: The later revision.
        context: Unchanged lines shown around each change.

    Returns:
        Diff lines without line terminators; empty when the values are equal.
    """
    return diff_values_json(
        old.values_json,
        new.values_json,
        old_label=f"{old.name}.v{old.revision}",
        new_label=f"{new.name}.v{new.revision}",
        context=context,
    )
