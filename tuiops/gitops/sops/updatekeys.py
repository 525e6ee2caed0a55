"""`updatekeys` across a repo, shared by `tuiops env updatekeys` and the console's recipient
rotation: the repo's SOPS files, which of them are sealed for other keys than the creation rule
for each names now, the re-sealed text (same data key: values, MAC and lastmodified stay), and
the check that a written file holds exactly the wanted recipients, each stanza we can open
holding its data key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tuiops.errors import UsageError
from tuiops.gitops.sops.config import GroupSpec, SopsConfig
from tuiops.gitops.sops.errors import SopsError
from tuiops.gitops.sops.files import OpenSopsFile
from tuiops.gitops.sops.keys import IdentitySource
from tuiops.gitops.sops.metadata import KeyGroup
from tuiops.gitops.sops.policy import candidate_files, is_sops_text
from tuiops.gitops.sops.rekey import update_keys
from tuiops.gitops.sops.storage import read_with_stamp


def repo_sops_files(root: Path) -> list[Path]:
    """Every SOPS file of the repo, in any format sops reads (path order)."""
    found = []
    for path in candidate_files(root):
        try:
            text, _stamp = read_with_stamp(path)
        except SopsError:
            continue  # not UTF-8 text: not a SOPS file
        if is_sops_text(text):
            found.append(path)
    return found


def groups_text(groups: Sequence[KeyGroup]) -> str:
    """A file's keys as `updatekeys` prints them: `age1…, age1… | pgp:…` (groups by `|`)."""
    return " | ".join(", ".join((*g.recipients, *g.other_names())) for g in groups)


def specs_text(specs: Sequence[GroupSpec]) -> str:
    """A rule's keys, as `groups_text`."""
    return " | ".join(", ".join((*g.age, *g.others)) for g in specs)


@dataclass(frozen=True, slots=True)
class KeysUpdate:
    """One file's keys now and as its creation rule wants them."""

    opened: OpenSopsFile = field(repr=False)
    """The file, decrypted (its data key in memory only)."""
    current: tuple[KeyGroup, ...] = field(repr=False)
    wanted: tuple[GroupSpec, ...]
    text: str | None = field(repr=False)
    """The re-sealed text; None when the file already has exactly these keys."""

    @property
    def path(self) -> Path:
        return self.opened.path

    @property
    def current_recipients(self) -> tuple[str, ...]:
        return tuple(r for group in self.current for r in group.recipients)

    @property
    def wanted_recipients(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r for spec in self.wanted for r in spec.age))


def plan_keys_update(opened: OpenSopsFile, config: SopsConfig) -> KeysUpdate:
    """What `updatekeys` would write for `opened`, following the creation rule for its path.

    Raises:
        UsageError: the rule names no keys.
        SopsError: no rule matches, or the keys cannot be sealed (one line naming the file).
    """
    creation = config.rule_for(opened.path.resolve())
    specs = creation.groups
    if not any(spec.age for spec in specs) and not any(spec.others for spec in specs):
        raise UsageError(f"{opened.path}: its creation rule names no keys")
    text = update_keys(opened.decrypted, specs, creation.shamir_threshold)
    return KeysUpdate(opened, opened.decrypted.metadata.key_groups, tuple(specs), text)


def verify_sealed(
    path: Path, update: KeysUpdate, sources: Sequence[IdentitySource]
) -> tuple[str, ...]:
    """Check a file written from `update`: it decrypts with its data key (MAC checked), its key
    groups hold exactly the wanted age recipients, and every stanza one of `sources`' identities
    opens holds the data key (with one group; a Shamir share otherwise opens, unchecked).

    Returns:
        The recipients whose stanza was opened and checked here.

    Raises:
        SopsError: any of that does not hold (one line naming the file).
    """
    import pyrage

    from tuiops.gitops.sops.decrypt import open_with_key

    text, _stamp = read_with_stamp(path)
    key = update.opened.decrypted.data_key
    result = open_with_key(text, str(path), key, fmt=update.opened.format)
    groups = result.metadata.key_groups
    if len(groups) != len(update.wanted) or any(
        set(group.recipients) != set(spec.age)
        for group, spec in zip(groups, update.wanted, strict=True)
    ):
        raise SopsError(f"{path}: written, but its recipients are not the ones the rule names")
    identities = {
        str(identity.to_public()): identity for source in sources for identity in source.identities
    }
    opened = []
    for group in groups:
        for stanza in group.age:
            identity = identities.get(stanza.recipient)
            if identity is None:
                continue
            try:
                held = bytes(pyrage.decrypt(stanza.enc.encode("ascii"), [identity]))
            except Exception:  # pyrage.DecryptError: the stanza is not sealed for this key
                raise SopsError(
                    f"{path}: written, but the stanza for a recipient does not open"
                ) from None
            if len(groups) == 1 and held != key:
                raise SopsError(f"{path}: written, but a stanza holds another data key")
            opened.append(stanza.recipient)
    return tuple(opened)
