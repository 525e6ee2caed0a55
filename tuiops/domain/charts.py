"""Which chart, at which version, a HelmRelease asks for: every way Flux names a chart.

A HelmRelease names its chart either inline (`spec.chart.spec`: a chart in a HelmRepository,
plain or `type: oci`, or a chart folder in a GitRepository/Bucket) or by reference
(`spec.chartRef`: an OCIRepository whose artifact is the chart, or a HelmChart object). The
reference form says nothing about the chart itself: its name and version live in the source
object, which the repo usually ships next to the release.

Versions are shown as the repo decides them: a pinned version (`1.2.3`), a semver range
(`>=1.0.0 <2.0.0`), an OCI digest shortened to `sha256:` + 8 hex (after the tag when the repo
gives both), or a Git reference (`tag:v1.2.3`) for charts built from a Git folder. Only a pinned
version can be compared with what the cluster runs (`comparable_version`).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, replace

from tuiops.domain.flux import HelmRelease
from tuiops.domain.refs import ObjectRef

DIGEST_HEX_SHOWN = 8
_RANGE_CHARS = re.compile(r"[\s<>=~^*|,!]|(?:^|\.)[xX](?:\.|$)")
_GIT_KINDS = ("GitRepository", "Bucket")


class VersionKind(enum.Enum):
    """How definite a HelmRelease's desired chart version is."""

    PINNED = "pinned"
    RANGE = "range"
    DIGEST = "digest"
    GIT = "git"
    UNSET = "unset"


@dataclass(frozen=True, slots=True)
class ChartOrigin:
    """A source object a chart comes from (OCIRepository, HelmChart, GitRepository, Bucket)
    as the repo declares it, namespace and `${VARS}` already resolved."""

    ref: ObjectRef
    chart: str
    """OCIRepository: the URL's last path segment; HelmChart: `spec.chart` as written."""
    version: str
    """OCIRepository: tag, semver range or short digest; HelmChart: `spec.version`; a Git or
    Bucket source: its reference (`tag:v1.2.3`, `branch:main`, `commit:0123abc`)."""
    source: ObjectRef | None = None
    """A HelmChart's own `sourceRef` (namespace defaulted to the HelmChart's)."""


def short_digest(digest: str) -> str:
    """`sha256:0123456789…` as `sha256:01234567`; anything else unchanged."""
    algorithm, _, hex_part = digest.partition(":")
    if not hex_part:
        return digest
    return f"{algorithm}:{hex_part[:DIGEST_HEX_SHOWN]}"


def oci_chart_name(url: str) -> str:
    """The chart an OCI URL points at: its last path segment, without a tag or digest."""
    path = url.split("://", 1)[-1].rstrip("/")
    last = path.rsplit("/", 1)[-1] if "/" in path else ""
    return last.split("@", 1)[0].split(":", 1)[0]


def oci_version(tag: str, semver: str, digest: str) -> str:
    """What an OCIRepository's `ref` pins. Flux pulls by digest first, then semver, then tag."""
    if digest:
        return f"{tag}@{short_digest(digest)}" if tag else short_digest(digest)
    return semver or tag


def git_version(branch: str, tag: str, semver: str, commit: str, name: str) -> str:
    """A Git source's reference as `kind:value`, in the precedence Flux gives them."""
    if commit:
        return f"commit:{commit[:7]}"
    for kind, value in (("name", name), ("semver", semver), ("tag", tag), ("branch", branch)):
        if value:
            return f"{kind}:{value}"
    return ""


def chart_name(chart: str, source_kind: str) -> str:
    """The name of a `chart.spec.chart`: a Git or Bucket chart is a folder path, named by its
    last segment; a repository chart is named as written."""
    if source_kind in _GIT_KINDS:
        return chart.rstrip("/").rsplit("/", 1)[-1]
    return chart


def version_kind(version: str) -> VersionKind:
    """Classify a desired version as `resolve_chart` writes it."""
    if not version or version == "*":
        return VersionKind.UNSET
    if re.match(r"^(?:tag|branch|semver|commit|name):", version):
        return VersionKind.GIT
    if "@" in version:
        return VersionKind.PINNED
    if version.startswith("sha256:"):
        return VersionKind.DIGEST
    if _RANGE_CHARS.search(version):
        return VersionKind.RANGE
    return VersionKind.PINNED


def comparable_version(version: str) -> str:
    """The pinned version to compare with the cluster's chart version; empty when the repo
    pins none (a range, a bare digest, a Git reference, nothing)."""
    if version_kind(version) is not VersionKind.PINNED:
        return ""
    return version.split("@", 1)[0]


def chart_drift(applied: str, desired: str) -> bool:
    """Whether the chart version the cluster runs differs from the one the repo pins; never
    when either is unknown or the repo pins no single version (a range, a digest, Git)."""
    pinned = comparable_version(desired)
    if not (pinned and applied):
        return False
    # OCI charts are recorded as `1.2.3+<digest>`; the repo names only `1.2.3`.
    return applied.split("+", 1)[0].lstrip("v") != pinned.lstrip("v")


VERSION_KIND_LABEL = {
    VersionKind.RANGE: "semver range",
    VersionKind.DIGEST: "OCI digest",
    VersionKind.GIT: "Git reference",
}
"""How the Detail screen names a desired version that is not a pinned one."""


def resolve_chart(
    release: HelmRelease, origins: dict[ObjectRef, ChartOrigin], loose: bool = False
) -> HelmRelease:
    """`release` with the chart name and version its source decides.

    Args:
        release: as decoded: for `chartRef`, `chart` is the reference's name and `version`
            is empty.
        origins: the source objects of the repo, by their effective ref.
        loose: match a `chartRef` source by kind and name alone when it is not in the
            expected namespace (for objects no Kustomization reaches, whose namespace is a
            guess).

    Returns:
        The release with `chart` and `version` set; unchanged when its source is unknown.
    """
    source = release.chart_source
    if source is None:
        return release
    origin = _find(origins, source, loose)
    if not release.uses_chart_ref:
        if source.kind not in _GIT_KINDS:
            return release
        version = origin.version if origin is not None else ""
        return replace(release, chart=chart_name(release.chart, source.kind), version=version)
    if origin is None:
        return release
    built_from = origin.source
    if source.kind == "HelmChart" and built_from is not None and built_from.kind in _GIT_KINDS:
        git = _find(origins, built_from, loose)
        version = git.version if git is not None else ""
        return replace(release, chart=chart_name(origin.chart, built_from.kind), version=version)
    return replace(release, chart=origin.chart, version=origin.version)


def _find(origins: dict[ObjectRef, ChartOrigin], ref: ObjectRef, loose: bool) -> ChartOrigin | None:
    found = origins.get(ref)
    if found is not None or not loose:
        return found
    same_name = [o for r, o in origins.items() if (r.kind, r.name) == (ref.kind, ref.name)]
    return same_name[0] if len(same_name) == 1 else None
