"""The repo's SOPS files as the Env screen lists them: clusterenv first, each with the age
recipients it is encrypted to and whether they (and its rule) match what `.sops.yaml`'s creation
rule for it names. Reads ciphertext and metadata only: no key is needed to list."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tuiops.gitops.sops.config import SopsConfig

PRIMARY_NAMES = ("clusterenv.yaml", "cluster-settings.sops.yaml", "talenv.yaml")
"""Files listed first: the cluster settings the Env screen is mostly for."""


@dataclass(frozen=True, slots=True)
class EnvFileInfo:
    """One SOPS file of the repo, without decrypting it."""

    rel: str
    """POSIX path relative to the repo root."""
    recipients: tuple[str, ...]
    """The age recipients its data key is encrypted to."""
    policy: str
    """`ok`, or what differs from `.sops.yaml` (one short line)."""
    policy_ok: bool

    @property
    def recipients_text(self) -> str:
        """The recipients, each shortened to `age1abcd…wxyz`."""
        if not self.recipients:
            return "no age recipients"
        return ", ".join(short_recipient(r) for r in self.recipients)


def short_recipient(recipient: str) -> str:
    return recipient if len(recipient) <= 16 else f"{recipient[:9]}…{recipient[-4:]}"


def _order(rel: str) -> tuple[int, str]:
    name = rel.rsplit("/", 1)[-1]
    return (0 if name in PRIMARY_NAMES else 1, rel)


def list_env_files(root: Path, environ: Mapping[str, str]) -> tuple[EnvFileInfo, ...]:
    """Every SOPS file under `root` (clusterenv first, then by path), with its policy status.

    Blocking: walks the repo and reads each candidate file.
    """
    from tuiops.gitops.sops.config import find_config, load_config
    from tuiops.gitops.sops.errors import SopsError
    from tuiops.gitops.sops.policy import candidate_files, is_sops_text
    from tuiops.gitops.sops.storage import read_with_stamp

    config: SopsConfig | None = None
    problem = "no .sops.yaml"
    found = find_config(root, {k: v for k, v in environ.items() if k == "SOPS_CONFIG"})
    if found is not None:
        try:
            config = load_config(found)
        except SopsError as error:
            problem = f".sops.yaml unreadable: {error}"
    infos = []
    for path in candidate_files(root):
        try:
            text, _stamp = read_with_stamp(path)
        except SopsError:
            continue
        if not is_sops_text(text):
            continue
        rel = path.relative_to(root).as_posix()
        infos.append(_info(path, rel, text, config, problem))
    return tuple(sorted(infos, key=lambda info: _order(info.rel)))


def _info(path: Path, rel: str, text: str, config: SopsConfig | None, problem: str) -> EnvFileInfo:
    from tuiops.gitops.sops.errors import SopsError
    from tuiops.gitops.sops.metadata import metadata_node, to_plain
    from tuiops.gitops.sops.rules import rule_from_metadata
    from tuiops.gitops.sops.stores import format_of, parse_encrypted

    try:
        documents = parse_encrypted(text, format_of(path))
        node = metadata_node(documents[0]) if documents else None
        raw = to_plain(node) if node is not None else {}
        rule = rule_from_metadata(raw) if node is not None else None
    except SopsError:
        return EnvFileInfo(rel, (), "unreadable SOPS metadata", False)
    stanzas = raw.get("age") or [
        s for group in raw.get("key_groups") or [] for s in (group.get("age") or [])
    ]
    have = tuple(str(s.get("recipient")) for s in stanzas if isinstance(s, dict))
    if config is None:
        return EnvFileInfo(rel, have, problem, False)
    try:
        creation = config.rule_for(Path(os.path.abspath(path)))
    except SopsError:
        return EnvFileInfo(rel, have, "no creation rule matches", False)
    want = set(creation.all_age)
    missing, extra = sorted(want - set(have)), sorted(set(have) - want)
    notes = []
    if missing:
        notes.append("missing " + ", ".join(short_recipient(r) for r in missing))
    if extra:
        notes.append("extra " + ", ".join(short_recipient(r) for r in extra))
    if rule is not None and rule != creation.rule:
        notes.append(f"encrypted with another {creation.rule.field}")
    return EnvFileInfo(rel, have, "; ".join(notes) or "ok", not notes)
