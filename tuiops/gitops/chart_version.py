"""Where the repo pins a HelmRelease's chart version, and the one-line edit that sets it back.

The version lives in one of three places: the HelmRelease's `spec.chart.spec.version`, or for
a `chartRef` the OCIRepository's `spec.ref.tag` or the HelmChart's `spec.version`. The edit
replaces only the value on that line and keeps its quotes, spacing and comment; anything that
is not a plain (or quoted) scalar on one line, and any `${VAR}` (Flux substitutes it; the
value lives elsewhere), is refused with the reason, never guessed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tuiops.domain.decode import as_map, as_str, kind_of, name_of
from tuiops.domain.flux import HelmRelease
from tuiops.domain.refs import ObjectRef
from tuiops.domain.repo import RepoModel
from tuiops.domain.rollback import ROLLBACK_WARNING, RollbackPlan, rollback_message
from tuiops.errors import TuiopsError
from tuiops.gitops.loader import load_repo
from tuiops.gitops.sops.storage import read_with_stamp, write_atomic
from tuiops.gitops.substitution import find_references
from tuiops.gitops.yamldocs import load_documents

_KEY_LINE = re.compile(
    r"""^(?P<indent>[ ]*)(?P<dash>(?:-[ ]+)*)"""
    r"""(?P<key>"[^"]*"|'[^']*'|[^\s#'"{}\[\]&*!|>%@`-][^:#]*?|[^\s#'"{}\[\]:]+?)"""
    r"""[ ]*:(?=[ ]|$)(?P<rest>.*)$"""
)
_SAFE_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+_-]*$")
_OCI_BUILD = re.compile(r"\+[0-9a-f]{12}$")
"""helm-controller appends `+<12 hex of the OCI digest>` to an OCI chart's version."""


class RollbackRefused(TuiopsError):
    """The chart version cannot be set back by a safe one-line edit; the message says why."""


@dataclass(frozen=True, slots=True)
class _Where:
    """The document that pins the version, and the key path inside it."""

    target: ObjectRef
    file: str
    line: int
    """The document's first line."""
    path: tuple[str, ...]
    others: tuple[ObjectRef, ...] = ()
    """Other HelmReleases that use the same chartRef object."""


def chart_version_for_repo(version: str, uses_oci: bool) -> str:
    """The version as the repo writes it, from a History entry's chart version (an OCI
    chart's `+<digest>` build suffix dropped)."""
    return _OCI_BUILD.sub("", version) if uses_oci else version


def _releases(model: RepoModel, ref: ObjectRef) -> list[HelmRelease]:
    found: dict[tuple[str, int], HelmRelease] = {}
    for cluster in model.clusters:
        for component in cluster.all_components():
            for release in component.helm_releases:
                if release.ref == ref:
                    found.setdefault((release.location.file, release.location.line), release)
    return list(found.values())


def _chart_ref_users(
    model: RepoModel, source: ObjectRef, release: ObjectRef
) -> tuple[ObjectRef, ...]:
    users = {
        r.ref
        for cluster in model.clusters
        for component in cluster.all_components()
        for r in component.helm_releases
        if r.uses_chart_ref and r.chart_source == source and r.ref != release
    }
    return tuple(sorted(users, key=str))


def _find_document(root: Path, files: list[str], source: ObjectRef) -> tuple[str, int, Any]:
    """(file, first line, data) of the `source` document among `files`."""
    for rel in files:
        try:
            text = (root / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for document in load_documents(text).documents:
            data = document.data
            if not isinstance(data, dict) or kind_of(data) != source.kind:
                continue
            namespace = as_str(as_map(data.get("metadata")).get("namespace"))
            if name_of(data) == source.name and namespace in ("", source.namespace):
                return rel, document.line, data
    raise RollbackRefused(f"{source} (the chartRef) is not declared in the repo")


def _locate(root: Path, model: RepoModel, ref: ObjectRef) -> tuple[_Where, HelmRelease]:
    releases = _releases(model, ref)
    if not releases:
        raise RollbackRefused(
            f"HelmRelease {ref.namespaced_name} is not declared in the repo; only what the "
            "repo declares can be rolled back there"
        )
    if len(releases) > 1:
        places = ", ".join(str(r.location) for r in releases)
        raise RollbackRefused(
            f"HelmRelease {ref.namespaced_name} is declared more than once ({places})"
        )
    release = releases[0]
    if not release.uses_chart_ref:
        where = _Where(
            ref, release.location.file, release.location.line, ("spec", "chart", "spec", "version")
        )
        return where, release
    source = release.chart_source
    if source is None or source.kind not in ("OCIRepository", "HelmChart"):
        kind = source.kind if source is not None else "nothing"
        raise RollbackRefused(
            f"the chartRef of {ref.namespaced_name} names {kind}; tuiops sets back an "
            "OCIRepository tag or a HelmChart version only"
        )
    files = sorted({s.location.file for s in model.sources if s.ref == source})
    if not files:
        files = sorted(p.relative_to(root).as_posix() for p in _yaml_files(root))
    file, line, data = _find_document(root, files, source)
    if source.kind == "OCIRepository":
        pins = as_map(as_map(data.get("spec")).get("ref"))
        for other in ("digest", "semver"):
            if as_str(pins.get(other)):
                raise RollbackRefused(
                    f"{source} pins a {other} ({as_str(pins.get(other))}), which Flux prefers to "
                    "the tag; change it by hand"
                )
        path: tuple[str, ...] = ("spec", "ref", "tag")
    else:
        path = ("spec", "version")
    return _Where(source, file, line, path, _chart_ref_users(model, source, ref)), release


def _yaml_files(root: Path) -> Iterator[Path]:
    for suffix in ("*.yaml", "*.yml"):
        for path in root.rglob(suffix):
            if ".git" not in path.relative_to(root).parts:
                yield path


def _key_lines(
    lines: list[str], first: int, last: int
) -> Iterator[tuple[int, tuple[str, ...], str, str]]:
    """(index, key path, text before the value, the rest after `key:`) of every block-mapping
    key line in lines[first:last]; list items appear as `[]` in the path, block scalars'
    content is skipped."""
    stack: list[tuple[int, str]] = []
    skip_deeper_than: int | None = None
    for index in range(first, min(last, len(lines))):
        text = lines[index]
        stripped = text.strip()
        indent = len(text) - len(text.lstrip(" "))
        if skip_deeper_than is not None:
            if not stripped or indent > skip_deeper_than:
                continue
            skip_deeper_than = None
        if not stripped or stripped.startswith("#") or stripped in ("---", "..."):
            continue
        match = _KEY_LINE.match(text)
        if match is None:
            continue
        level = len(match["indent"])
        dashes = match["dash"]
        while stack and stack[-1][0] >= level:
            stack.pop()
        if dashes:
            stack.append((level, "[]"))
            level += len(dashes)
            while stack and stack[-1][0] >= level:
                stack.pop()
        key = match["key"]
        if key[:1] in "\"'":
            key = key[1:-1]
        stack.append((level, key))
        rest = match["rest"]
        if rest.strip()[:1] in ("|", ">"):
            skip_deeper_than = level
        yield index, tuple(k for _, k in stack), text[: match.start("rest")], rest


def _split_comment(rest: str) -> tuple[str, str]:
    """(value with its leading spaces, the spaces and comment after it) of a line's rest."""
    quote = ""
    for position, char in enumerate(rest):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'" and not rest[:position].strip():
            quote = char
        elif char == "#" and (position == 0 or rest[position - 1] in " \t"):
            value = rest[:position]
            trimmed = value.rstrip()
            return trimmed, rest[len(trimmed) :]
    trimmed = rest.rstrip()
    return trimmed, rest[len(trimmed) :]


def _scalar(value: str, shown: str) -> tuple[str, str]:
    """(style, text) of a one-line scalar: style `"`, `'` or `` (plain)."""
    text = value.strip()
    if not text:
        raise RollbackRefused(f"{shown}: the value is not on the key's line; edit it by hand")
    if text[0] in "|>":
        raise RollbackRefused(f"{shown}: the value is a block scalar; edit it by hand")
    if text[0] in "&*!{[":
        raise RollbackRefused(
            f"{shown}: the value is an anchor, alias, tag or flow collection; edit it by hand"
        )
    if text[0] in "\"'":
        if len(text) < 2 or text[-1] != text[0] or text[0] in text[1:-1]:
            raise RollbackRefused(
                f"{shown}: the quoted value does not end on its line; edit it by hand"
            )
        return text[0], text[1:-1]
    return "", text


def _variable_refusal(value: str, model: RepoModel, shown: str) -> RollbackRefused:
    names = sorted({r.name for r in find_references(value)})
    places: list[str] = []
    for cluster in model.clusters:
        for variable in cluster.variables.variables:
            if variable.name in names:
                places.extend(str(d.location) for d in variable.definitions)
    where = f" (defined in {', '.join(sorted(set(places)))})" if places else ""
    listed = ", ".join(f"${{{name}}}" for name in names)
    return RollbackRefused(
        f"{shown}: the chart version is {listed}{where}, which Flux substitutes; a rollback "
        "would have to change the variable, which other objects may use; set it there by hand"
    )


def _written(style: str, version: str) -> str:
    if style:
        return f"{style}{version}{style}"
    loaded = yaml.safe_load(f"v: {version}")
    if isinstance(loaded, dict) and loaded.get("v") == version:
        return version
    return f'"{version}"'


def plan_chart_rollback(root: Path, release: ObjectRef, version: str) -> RollbackPlan:
    """The one-line edit that sets `release`'s chart version in the repo to `version`.

    Args:
        root: The repo's top folder.
        release: The HelmRelease (as Flux names it).
        version: The chart version to go back to, as the History screen shows it (an OCI
            chart's `+<digest>` suffix is dropped).

    Returns:
        The plan; nothing is written.

    Raises:
        RollbackRefused: the release is not in the repo, the version is a `${VAR}` or not a
            plain scalar on one line, the version is already that, or `version` is not a
            chart version.
    """
    model = load_repo(root)
    where, declared = _locate(root, model, release)
    version = chart_version_for_repo(version.strip(), where.target.kind == "OCIRepository")
    if not _SAFE_VERSION.match(version):
        raise RollbackRefused(f"{version!r} is not a chart version")
    shown = f"{where.file}: {'.'.join(where.path)} of {where.target}"
    text, stamp = read_with_stamp(root / where.file)
    parsed = load_documents(text)
    document = next((d for d in parsed.documents if d.line == where.line), None)
    if document is None:
        raise RollbackRefused(
            f"{where.file}:{where.line}: the document moved since the repo was read; try again"
        )
    lines = text.split("\n")
    hits = [
        hit
        for hit in _key_lines(lines, document.line - 1, document.end_line)
        if hit[1] == where.path
    ]
    if not hits:
        if declared.version == "" and not declared.uses_chart_ref:
            raise RollbackRefused(
                f"{shown}: the HelmRelease pins no chart version (the chart floats); "
                "add one by hand"
            )
        raise RollbackRefused(
            f"{shown}: not found as a block key on its own line (flow style?); edit it by hand"
        )
    if len(hits) > 1:
        raise RollbackRefused(f"{shown}: set on more than one line; edit it by hand")
    index, _, before, rest = hits[0]
    value, after = _split_comment(rest.rstrip("\r"))
    style, old = _scalar(value, shown)
    if "${" in old:
        raise _variable_refusal(old, model, shown)
    data: Any = document.data
    for key in where.path:
        data = as_map(data).get(key)
    if str(data) != old:
        raise RollbackRefused(f"{shown}: the line does not read as the YAML does; edit it by hand")
    if old == version:
        raise RollbackRefused(f"{where.target} already pins {version}")
    leading = value[: len(value) - len(value.lstrip())]
    new_line = f"{before}{leading}{_written(style, version)}{after}"
    warnings = [ROLLBACK_WARNING]
    if where.others:
        users = ", ".join(r.namespaced_name for r in where.others)
        warnings.append(f"{where.target} is also the chart of {users}: they change too")
    return RollbackPlan(
        release=release,
        target=where.target,
        field=".".join(where.path),
        file=where.file,
        line=index + 1,
        old_line=lines[index].removesuffix("\r"),
        new_line=new_line,
        old_version=old,
        new_version=version,
        message=rollback_message(release, old, version),
        file_sha256=stamp.sha256,
        warnings=tuple(warnings),
    )


def edited_text(text: str, plan: RollbackPlan) -> str:
    """`text` with the plan's line replaced (its line ending kept).

    Raises:
        RollbackRefused: the file is not the one planned on.
    """
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != plan.file_sha256:
        raise RollbackRefused(f"{plan.file}: changed since the rollback was planned; plan it again")
    lines = text.split("\n")
    current = lines[plan.line - 1]
    carriage = "\r" if current.endswith("\r") else ""
    if current.removesuffix("\r") != plan.old_line:
        raise RollbackRefused(f"{plan.file}:{plan.line}: not the planned line; plan it again")
    lines[plan.line - 1] = plan.new_line + carriage
    return "\n".join(lines)


def write_rollback(root: Path, plan: RollbackPlan) -> str:
    """Apply `plan` to its file atomically.

    Returns:
        The file's text before the edit (to put back if the commit fails).

    Raises:
        RollbackRefused: the file changed since the plan was made.
        SopsError: the file cannot be read or written (one line).
    """
    path = root / plan.file
    text, stamp = read_with_stamp(path)
    write_atomic(path, edited_text(text, plan), stamp)
    return text


def restore(root: Path, plan: RollbackPlan, text: str) -> None:
    """Put the file back as it was before `write_rollback` (when the commit failed)."""
    path = root / plan.file
    _, stamp = read_with_stamp(path)
    write_atomic(path, text, stamp)
