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

from tuiops.gitops.sops.errors import NoIdentityError, WrongIdentityError

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
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return IdentitySource(name, (), f"{path}: no such file")
    except OSError as error:
        return IdentitySource(name, (), f"{path}: {error.strerror}")
    return parse_identities(text, name)


def default_keys_file(env: Mapping[str, str], home: Path) -> Path:
    """`$XDG_CONFIG_HOME/sops/age/keys.txt`, else `~/.config/sops/age/keys.txt` (Linux)."""
    config = env.get("XDG_CONFIG_HOME") or str(home / ".config")
    return Path(config) / "sops" / "age" / "keys.txt"


def identity_sources(
    env: Mapping[str, str],
    home: Path,
    repo_root: Path | None,
    key_cmd_output: str | None = None,
) -> list[IdentitySource]:
    """Every source sops would read, plus clustertool's `age.agekey`, in sops' order.

    Args:
        env: the environment (SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, XDG_CONFIG_HOME).
        home: the user's home folder.
        repo_root: the GitOps repo, for `age.agekey`; None outside a repo.
        key_cmd_output: stdout of SOPS_AGE_KEY_CMD when the caller ran it.
    """
    sources = []
    if env.get("SOPS_AGE_KEY"):
        sources.append(parse_identities(env["SOPS_AGE_KEY"], "SOPS_AGE_KEY"))
    if env.get("SOPS_AGE_KEY_FILE"):
        sources.append(_read_source(Path(env["SOPS_AGE_KEY_FILE"]), "SOPS_AGE_KEY_FILE"))
    if key_cmd_output is not None:
        sources.append(parse_identities(key_cmd_output, "SOPS_AGE_KEY_CMD"))
    default = default_keys_file(env, home)
    if default.exists():
        sources.append(_read_source(default, str(default)))
    if repo_root is not None and (repo_root / "age.agekey").exists():
        sources.append(_read_source(repo_root / "age.agekey", "age.agekey"))
    return sources


def unlock_data_key(
    stanzas: Sequence[AgeStanza], sources: Sequence[IdentitySource], file: str
) -> bytes:
    """The 32-byte data key, from the first stanza one of the identities opens.

    Raises:
        NoIdentityError: no source gave any identity.
        WrongIdentityError: identities exist but none matches (lists recipients and sources).
    """
    identities = [i for source in sources for i in source.identities]
    tried = ", ".join(s.describe() for s in sources) or "none found"
    if not identities:
        raise NoIdentityError(
            f"{file}: no age identity found (tried SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, "
            f"SOPS_AGE_KEY_CMD, ~/.config/sops/age/keys.txt, age.agekey: {tried})"
        )
    for stanza in stanzas:
        try:
            key = pyrage.decrypt(stanza.enc.encode("ascii"), identities)
        except Exception:  # pyrage.DecryptError: not for these identities
            continue
        if len(key) == 32:
            return bytes(key)
    recipients = ", ".join(s.recipient for s in stanzas) or "no age recipients"
    raise WrongIdentityError(
        f"{file}: none of your age identities matches its recipients ({recipients}); "
        f"identities tried from: {tried}"
    )


def seal_data_key(key: bytes, recipients: Sequence[str]) -> tuple[AgeStanza, ...]:
    """One armored age file per recipient, each holding the data key (as sops writes them)."""
    stanzas = []
    for recipient in recipients:
        parsed = pyrage.x25519.Recipient.from_str(recipient)
        armored = pyrage.encrypt(key, [parsed], armored=True)
        text = armored.decode("ascii") if isinstance(armored, bytes) else str(armored)
        stanzas.append(AgeStanza(recipient, text if text.endswith("\n") else text + "\n"))
    return tuple(stanzas)
