"""The repo's SOPS policy, checked without any key: every file a creation rule matches is
encrypted as that rule says (clustertool's checkcrypt), and no secret sits in plaintext."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from tuiops.domain.findings import Finding, Severity
from tuiops.gitops.sops.config import CreationRule, SopsConfig
from tuiops.gitops.sops.errors import SopsError
from tuiops.gitops.sops.metadata import METADATA_KEY, metadata_node, to_plain
from tuiops.gitops.sops.rules import rule_from_metadata
from tuiops.gitops.sops.stores import format_of, parse_encrypted
from tuiops.gitops.sops.tree import Comment, Mapping, Node, Scalar, Sequence

_SKIPPED_DIRS = frozenset({".git", ".venv", "node_modules"})
_SUFFIXES = (".yaml", ".yml", ".json", ".env", ".ini")
_BINARY_LIMIT = 16 * 1024 * 1024
"""Larger files of other names are not read to see whether they are SOPS binary files."""


def candidate_files(root: Path) -> Iterator[Path]:
    """Files of the repo that could be SOPS files: by name for YAML, JSON, dotenv and INI, by
    content (a JSON envelope) for sops' binary format, which any other name gets."""
    for current, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIPPED_DIRS)
        for name in sorted(filenames):
            path = Path(current) / name
            if name == ".sops.yaml" or path.is_symlink():
                continue
            if name.endswith(_SUFFIXES) or _looks_like_binary_envelope(path):
                yield path


def _looks_like_binary_envelope(path: Path) -> bool:
    try:
        if path.stat().st_size > _BINARY_LIMIT:
            return False
        with path.open("rb") as handle:
            return handle.read(1) == b"{"
    except OSError:
        return False


def is_sops_text(text: str) -> bool:
    """Cheap test: does the text carry SOPS metadata at all?"""
    markers = ("sops:" in text, '"sops"' in text, "sops_mac=" in text, "[sops]" in text)
    return any(markers) and "mac" in text


def _plaintext_leaves(
    node: Node, path: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], Scalar]]:
    if isinstance(node, Mapping):
        for item in node.items:
            if isinstance(item, tuple) and item[0] != METADATA_KEY:
                yield from _plaintext_leaves(item[1], (*path, item[0]))
    elif isinstance(node, Sequence):
        for child in node.items:
            if not isinstance(child, Comment):
                yield from _plaintext_leaves(child, path)
    elif isinstance(node, Scalar):
        yield path, node


def _check_file(path: Path, rel: str, creation: CreationRule, index: int) -> list[Finding]:
    try:
        text = path.read_text(encoding="utf-8")
        documents = parse_encrypted(text, format_of(path))
    except (OSError, UnicodeDecodeError, SopsError) as error:
        return [Finding(Severity.WARNING, "sops-unreadable", rel, None, f"cannot check: {error}")]
    node = metadata_node(documents[0]) if documents else None
    rule_text = f"creation rule #{index + 1} ({creation.path_regex or 'catch-all'})"
    if node is None:
        return [
            Finding(
                Severity.ERROR,
                "sops-plaintext",
                rel,
                1,
                f"not encrypted, but {rule_text} says it must be",
            )
        ]
    findings = []
    raw = to_plain(node)
    try:
        rule = rule_from_metadata(raw)
    except SopsError as error:
        return [Finding(Severity.ERROR, "sops-metadata", rel, None, str(error))]
    if rule != creation.rule:
        findings.append(
            Finding(
                Severity.WARNING,
                "sops-rule-differs",
                rel,
                None,
                f"encrypted with {rule.field}={rule.value!r}, {rule_text} says "
                f"{creation.rule.field}={creation.rule.value!r}",
            )
        )
    if (raw.get("mac_only_encrypted") is True) != creation.mac_only_encrypted:
        findings.append(
            Finding(
                Severity.INFO,
                "sops-mac-mode-differs",
                rel,
                None,
                f"mac_only_encrypted differs from {rule_text}",
            )
        )
    have = {str(s.get("recipient")) for s in raw.get("age") or [] if isinstance(s, dict)}
    missing = sorted(set(creation.all_age) - have)
    if missing:
        findings.append(
            Finding(
                Severity.WARNING,
                "sops-recipient-missing",
                rel,
                None,
                f"not encrypted to {', '.join(missing)} ({rule_text}); run `tuiops env updatekeys`",
            )
        )
    for document in documents:
        for key_path, scalar in _plaintext_leaves(document.root, ()):
            text_value = scalar.value
            if scalar.kind in ("null",) or text_value == "":
                continue
            if rule.encrypts(key_path) and not str(text_value).startswith("ENC[AES256_GCM,"):
                line = scalar.span.line if scalar.span else None
                findings.append(
                    Finding(
                        Severity.ERROR,
                        "sops-plaintext-value",
                        rel,
                        line,
                        f"{'.'.join(key_path)} is in plaintext in an encrypted file",
                    )
                )
    return findings


def check_policy(root: Path, config: SopsConfig) -> list[Finding]:
    """Findings for every file a creation rule (with a path_regex) matches."""
    findings: list[Finding] = []
    for path in candidate_files(root):
        rel = path.relative_to(root).as_posix()
        try:
            creation = config.rule_for(path)
        except SopsError:
            continue
        if not creation.path_regex:
            continue  # a catch-all rule says nothing about which files must be encrypted
        index = config.rules.index(creation)
        findings.extend(_check_file(path, rel, creation, index))
    return findings
