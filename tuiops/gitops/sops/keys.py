"""age identities, found where sops finds them, and the data key they unlock.

sops combines every identity source it finds (it does not stop at the first): SOPS_AGE_KEY,
SOPS_AGE_KEY_FILE, SOPS_AGE_KEY_CMD and the default keys file, which it reads even when the
variables are set. clustertool repos also keep `age.agekey` at the repo root. One malformed line
spoils its whole source, as in sops. Running SOPS_AGE_KEY_CMD is a process, so the caller (an
adapter) runs it and passes its output in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyrage

from tuiops.gitops.sops.errors import NoIdentityError, SopsConfigError, WrongIdentityError

SECRET_KEY_PREFIX = "AGE-SECRET-KEY-1"


@dataclass(frozen=True, slots=True)
class AgeStanza:
    """One `age:` entry of a SOPS file: a recipient and the data key encrypted to it."""

    recipient: str
    enc: str


@dataclass(frozen=True, slots=True)
class IdentitySource:
    """Identities read from one place, or why that place gave none."""

    name: str
    identities: tuple[Any, ...]
    problem: str = ""

    def describe(self) -> str:
        if self.problem:
            return f"{self.name} ({self.problem})"
        return f"{self.name} ({len(self.identities)} key{'s' if len(self.identities) != 1 else ''})"


def parse_identities(text: str, name: str) -> IdentitySource:
    """Identities of a keys file: one per line, `#` comments and blank lines ignored."""
    identities = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not line.startswith(SECRET_KEY_PREFIX):
            return IdentitySource(name, (), "unknown identity type")
        try:
            identities.append(pyrage.x25519.Identity.from_str(line))
        except Exception:  # pyrage raises its own IdentityError or ValueError
            return IdentitySource(name, (), "malformed age identity")
    return IdentitySource(name, tuple(identities), "" if identities else "no keys in it")


def _read_source(path: Path, name: str) -> IdentitySource:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return IdentitySource(name, (), f"{path}: no such file")
    except OSError as error:
        return IdentitySource(name, (), f"{path}: {error.strerror}")
    return parse_identity_bytes(data, name)


def parse_identity_bytes(data: bytes, name: str) -> IdentitySource:
    """Identities of a keys file given as bytes (a file, or a key command's output).

    A passphrase-encrypted keys file (binary or armored age) would need an interactive prompt;
    it is reported as a problem of that source and the other sources are still tried.
    """
    if data.startswith(b"age-encryption.org/") or data.lstrip().startswith(b"-----BEGIN AGE"):
        return IdentitySource(name, (), "an encrypted keys file (not supported: decrypt it first)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return IdentitySource(name, (), "not a text keys file")
    return parse_identities(text, name)


def default_keys_file(env: Mapping[str, str], home: Path) -> Path:
    """`$XDG_CONFIG_HOME/sops/age/keys.txt`, else `~/.config/sops/age/keys.txt` (Linux)."""
    config = env.get("XDG_CONFIG_HOME") or str(home / ".config")
    return Path(config) / "sops" / "age" / "keys.txt"


def identity_sources(
    env: Mapping[str, str],
    home: Path,
    repo_root: Path | None,
    key_cmd: tuple[bytes | None, str] = (None, ""),
) -> list[IdentitySource]:
    """Every source sops would read, plus clustertool's `age.agekey`, in sops' order.

    Args:
        env: the environment (SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, XDG_CONFIG_HOME).
        home: the user's home folder.
        repo_root: the GitOps repo, for `age.agekey`; None outside a repo.
        key_cmd: (stdout, problem) of SOPS_AGE_KEY_CMD when the caller ran it; a problem
            spoils that source only, as in sops.
    """
    sources = []
    if env.get("SOPS_AGE_KEY"):
        sources.append(parse_identities(env["SOPS_AGE_KEY"], "SOPS_AGE_KEY"))
    if env.get("SOPS_AGE_KEY_FILE"):
        sources.append(_read_source(Path(env["SOPS_AGE_KEY_FILE"]), "SOPS_AGE_KEY_FILE"))
    output, problem = key_cmd
    if problem:
        sources.append(IdentitySource("SOPS_AGE_KEY_CMD", (), problem))
    elif output is not None:
        sources.append(parse_identity_bytes(output, "SOPS_AGE_KEY_CMD"))
    default = default_keys_file(env, home)
    if default.exists():
        sources.append(_read_source(default, str(default)))
    if repo_root is not None and (repo_root / "age.agekey").exists():
        sources.append(_read_source(repo_root / "age.agekey", "age.agekey"))
    return sources


def _open_group(stanzas: Sequence[AgeStanza], identities: list[Any]) -> bytes | None:
    """What the first stanza these identities open holds (the data key, or a Shamir share)."""
    for stanza in stanzas:
        try:
            return bytes(pyrage.decrypt(stanza.enc.encode("ascii"), identities))
        except Exception:  # pyrage.DecryptError, or an armor that is not ASCII: not ours
            continue
    return None


def unlock_data_key(
    groups: Sequence[Sequence[AgeStanza]],
    threshold: int,
    sources: Sequence[IdentitySource],
    file: str,
) -> bytes:
    """The 32-byte data key: from the one group, or combined from `threshold` groups' shares.

    Raises:
        NoIdentityError: no source gave any identity.
        WrongIdentityError: identities exist but too few groups open (lists recipients and
            the sources tried).
    """
    identities = [i for source in sources for i in source.identities]
    tried = ", ".join(s.describe() for s in sources) or "none found"
    if not identities:
        raise NoIdentityError(
            f"{file}: no age identity found (tried SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, "
            f"SOPS_AGE_KEY_CMD, ~/.config/sops/age/keys.txt, age.agekey: {tried})"
        )
    opened = [part for group in groups if (part := _open_group(group, identities)) is not None]
    recipients = ", ".join(s.recipient for group in groups for s in group) or "no age recipients"
    if len(groups) > 1 and len(opened) >= max(threshold, 2):
        from tuiops.gitops.sops.shamir import combine  # only key-group files need it

        key = combine(opened)
    elif len(groups) == 1 and opened:
        key = opened[0]
    else:
        need = f"{threshold} of {len(groups)} key groups; opened {len(opened)}: "
        raise WrongIdentityError(
            f"{file}: {need if len(groups) > 1 else ''}none of your age identities matches "
            f"its recipients ({recipients}); identities tried from: {tried}"
            if not opened
            else f"{file}: {need}too few of your identities match ({recipients}); tried: {tried}"
        )
    if len(key) != 32:
        raise WrongIdentityError(f"{file}: the data key has {len(key)} bytes, not 32")
    return key


def parse_recipient(recipient: str) -> Any:
    """An age X25519 recipient.

    Raises:
        SopsConfigError: not a valid `age1...` recipient (one line, naming it).
    """
    try:
        return pyrage.x25519.Recipient.from_str(recipient)
    except Exception:  # pyrage raises its own RecipientError
        shown = recipient if len(recipient) <= 80 else recipient[:77] + "..."
        raise SopsConfigError(f"not a valid age recipient: {shown!r}") from None


def seal_data_key(key: bytes, recipients: Sequence[str]) -> tuple[AgeStanza, ...]:
    """One armored age file per recipient, each holding `key` (as sops writes them).

    Raises:
        SopsConfigError: a recipient is not a valid age recipient.
    """
    parsed = [(recipient, parse_recipient(recipient)) for recipient in recipients]
    stanzas = []
    for recipient, age_recipient in parsed:
        armored = pyrage.encrypt(key, [age_recipient], armored=True)
        text = armored.decode("ascii") if isinstance(armored, bytes) else str(armored)
        stanzas.append(AgeStanza(recipient, text if text.endswith("\n") else text + "\n"))
    return tuple(stanzas)
