""".sops.yaml: finding it, reading its creation rules and stores, and picking the rule for a file.

This copies sops 3.11 (`config/config.go`): the search starts in the current directory (not the
file's), `.sops.yml` is ignored, `path_regex` is a Go regex searched in the path relative to the
config's folder, and the first matching rule wins. `.sops.yaml` only matters when a file is
created; an existing file's own `sops:` block decides how it is encrypted.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tuiops.gitops.sops.errors import SopsConfigError
from tuiops.gitops.sops.goregex import compile_go_regex
from tuiops.gitops.sops.rules import EncryptionRule, rule_from_metadata, set_rule_fields

CONFIG_NAME = ".sops.yaml"
_MAX_DEPTH = 100  # sops looks in the start folder and its parents, 100 folders in all
_DEFAULT_YAML_INDENT = 4


@dataclass(frozen=True, slots=True)
class GroupSpec:
    """The keys of one key group a rule names: age recipients, and the others by name."""

    age: tuple[str, ...]
    others: tuple[str, ...] = ()
    """Non-age keys as `type:identifier` (`pgp:FINGERPRINT`, `kms:ARN`, ...); tuiops cannot
    seal for them, so a rule that needs a new such stanza is refused."""


@dataclass(frozen=True, slots=True)
class CreationRule:
    """One entry of `creation_rules`, with the keys and rule a new file gets from it."""

    path_regex: str
    """Go regex searched in the file's path; "" matches every path."""
    age: tuple[str, ...]
    """The flat `age` recipients (sops ignores them when `key_groups` is set)."""
    rule: EncryptionRule
    mac_only_encrypted: bool
    shamir_threshold: int | None
    key_groups: tuple[GroupSpec, ...]
    """The groups of `key_groups` when it is used; empty otherwise."""
    others: tuple[str, ...] = ()
    """The flat non-age keys (pgp, kms, gcp_kms, azure_keyvault, hc_vault_transit_uri)."""

    @property
    def groups(self) -> tuple[GroupSpec, ...]:
        """The key groups a file made by this rule gets (one group without key_groups)."""
        if self.key_groups:
            return self.key_groups
        return (GroupSpec(self.age, self.others),) if self.age or self.others else ()

    @property
    def all_age(self) -> tuple[str, ...]:
        """Every age recipient of every group."""
        return tuple(r for group in self.groups for r in group.age)


@dataclass(frozen=True, slots=True)
class SopsConfig:
    """A loaded `.sops.yaml`."""

    path: Path
    """The config file, as an absolute path."""
    rules: tuple[CreationRule, ...]
    yaml_indent: int = _DEFAULT_YAML_INDENT
    json_indent: str = "\t"

    def rule_for(self, file: Path) -> CreationRule:
        """The creation rule sops would use to create `file`.

        Args:
            file: The file to create; a relative path is taken from the current directory.

        Returns:
            The first rule whose `path_regex` matches (a rule without one matches anything).

        Raises:
            SopsConfigError: The config has no creation rules, or none matches the file.
        """
        if not self.rules:
            raise SopsConfigError(f"{self.path} has no creation rules")
        absolute = os.path.abspath(file)
        # Same string surgery as sops: strip "<config folder>/" if the file lies under it.
        prefix = os.path.abspath(self.path.parent) + os.sep
        target = absolute
        if absolute.startswith(prefix):
            target = absolute[len(prefix) :].replace(os.sep, "/")
        for rule in self.rules:
            if not rule.path_regex or compile_go_regex(rule.path_regex).search(target):
                return rule
        raise SopsConfigError(f"no matching creation rules found for {target} in {self.path}")


def find_config(start: Path, env: Mapping[str, str]) -> Path | None:
    """Find the `.sops.yaml` sops would use when run in `start`.

    Args:
        start: The folder sops would run in (its current directory).
        env: The environment; a non-empty `SOPS_CONFIG` names the config file directly
            (a relative value is taken from `start`).

    Returns:
        The config path, or None when there is none (`.sops.yml` files are ignored, as in sops).
    """
    override = env.get("SOPS_CONFIG", "")
    if override:
        return Path(os.path.abspath(start / override))
    folder = Path(os.path.abspath(start))
    for _ in range(_MAX_DEPTH):
        candidate = folder / CONFIG_NAME
        if candidate.exists():
            return candidate
        if folder.parent == folder:
            break
        folder = folder.parent
    return None


def load_config(path: Path) -> SopsConfig:
    """Read and check a `.sops.yaml`.

    Args:
        path: The config file.

    Returns:
        Its creation rules (in order) and store settings.

    Raises:
        SopsConfigError: The file cannot be read, is not valid YAML, or has a malformed entry
            (bad type, more than one rule field in a rule, invalid Go regex, bad indent).
    """
    path = Path(os.path.abspath(path))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise SopsConfigError(f"cannot read sops config {path}: {reason}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise SopsConfigError(f"sops config {path} is not valid YAML{where}: {problem}") from None
    try:
        return _parse(path, {} if data is None else data)
    except SopsConfigError as exc:
        raise SopsConfigError(f"sops config {path}: {exc}") from None


def _parse(path: Path, data: object) -> SopsConfig:
    top = _mapping(data, "the file")
    yaml_indent, json_indent = _stores(top.get("stores"))
    raw_rules = _list(top.get("creation_rules"), "creation_rules")
    rules = tuple(_creation_rule(raw, index) for index, raw in enumerate(raw_rules))
    return SopsConfig(path, rules, yaml_indent, json_indent)


def _creation_rule(raw: object, index: int) -> CreationRule:
    where = f"creation rule {index + 1}"
    rule = _mapping(raw, where)
    try:
        if len(set_rule_fields(rule)) > 1:
            # sops' wording for a creation rule (its file-level message says "in the same file").
            raise SopsConfigError(
                "cannot use more than one of encrypted_suffix, unencrypted_suffix, "
                "encrypted_regex, unencrypted_regex, encrypted_comment_regex, or "
                "unencrypted_comment_regex for the same rule"
            )
        path_regex = _string(rule.get("path_regex"), "path_regex")
        if path_regex:
            compile_go_regex(path_regex)
        groups = tuple(
            _group_spec(group, f"key group {n + 1}")
            for n, group in enumerate(_list(rule.get("key_groups"), "key_groups"))
        )
        return CreationRule(
            path_regex=path_regex,
            age=_flat_recipients(rule.get("age")),
            rule=rule_from_metadata(rule),
            mac_only_encrypted=_bool(rule.get("mac_only_encrypted"), "mac_only_encrypted"),
            shamir_threshold=_optional_int(rule.get("shamir_threshold"), "shamir_threshold"),
            key_groups=groups,
            others=_flat_others(rule),
        )
    except SopsConfigError as exc:
        raise SopsConfigError(f"{where}: {exc}") from None


def _flat_recipients(value: object) -> tuple[str, ...]:
    """`age:` of a rule: "a, b," (trimmed, empties dropped) or a list, each split at commas."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, list):
        return tuple(_split_each(value, "age"))
    raise SopsConfigError(f"age must be a string or a list, not {type(value).__name__}")


_FLAT_OTHERS = (
    ("pgp", "pgp"),
    ("kms", "kms"),
    ("gcp_kms", "gcp_kms"),
    ("azure_keyvault", "azure_kv"),
    ("hc_vault_transit_uri", "hc_vault"),
)
"""Flat rule fields for non-age keys (comma-separated strings) and the type they make."""
_GROUP_OTHERS = (
    ("pgp", "pgp", ""),
    ("kms", "kms", "arn"),
    ("gcp_kms", "gcp_kms", "resource_id"),
    ("azure_keyvault", "azure_kv", "vaultUrl"),
    ("hc_vault", "hc_vault", ""),
)
"""Non-age fields of a key group: (field, type, the identifying field of a map entry)."""


def _flat_others(rule: dict[str, Any]) -> tuple[str, ...]:
    names: list[str] = []
    for field, kind in _FLAT_OTHERS:
        value = rule.get(field)
        if value is None:
            continue
        items = value.split(",") if isinstance(value, str) else _list(value, field)
        names += [f"{kind}:{str(item).strip()}" for item in items if str(item).strip()]
    return tuple(names)


def _group_others(group: dict[str, Any], where: str) -> list[str]:
    names: list[str] = []
    for field, kind, ident in _GROUP_OTHERS:
        for entry in _list(group.get(field), f"{where} {field}"):
            value = entry.get(ident) if isinstance(entry, dict) and ident else entry
            names.append(f"{kind}:{value}")
    return names


def _group_spec(raw: object, where: str) -> GroupSpec:
    group = _mapping(raw, where)
    recipients = _split_each(_list(group.get("age"), f"{where} age"), f"{where} age")
    others = _group_others(group, where)
    for merged in _list(group.get("merge"), f"{where} merge"):
        inner = _group_spec(merged, f"{where} merge")
        recipients += inner.age
        others += inner.others
    # sops drops repeated keys inside a group, keeping the first.
    return GroupSpec(tuple(dict.fromkeys(recipients)), tuple(dict.fromkeys(others)))


def _split_each(items: list[Any], what: str) -> list[str]:
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise SopsConfigError(f"{what} must list strings, not {type(item).__name__}")
        # sops joins list items with "," and splits again, so an item may hold several keys.
        parts = [part.strip() for part in item.split(",")]
        if not all(parts):
            raise SopsConfigError(f"{what} holds an empty recipient")
        out += parts
    return out


def _stores(value: object) -> tuple[int, str]:
    stores = _mapping(value, "stores") if value is not None else {}
    yaml_store = _mapping(stores.get("yaml") or {}, "stores.yaml")
    json_store = _mapping(stores.get("json") or {}, "stores.json")
    yaml_indent = _optional_int(yaml_store.get("indent"), "stores.yaml.indent", minimum=0) or 0
    json_indent = _optional_int(json_store.get("indent"), "stores.json.indent", minimum=-1)
    # As in sops: YAML indent 0 means the default 4; JSON -1 (or unset) means a tab.
    json_text = "\t" if json_indent is None or json_indent < 0 else " " * json_indent
    return yaml_indent or _DEFAULT_YAML_INDENT, json_text


def _mapping(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SopsConfigError(f"{what} must be a mapping, not {type(value).__name__}")
    return value


def _list(value: object, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise SopsConfigError(f"{what} must be a list, not {type(value).__name__}")
    return value


def _string(value: object, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise SopsConfigError(f"{what} must be a string, not {type(value).__name__}")
    return value


def _bool(value: object, what: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise SopsConfigError(f"{what} must be true or false, not {value!r}")
    return value


def _optional_int(value: object, what: str, minimum: int = 0) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise SopsConfigError(f"{what} must be a whole number of at least {minimum}: {value!r}")
    return value
