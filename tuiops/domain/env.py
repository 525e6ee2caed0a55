"""Decrypted settings (clusterenv.yaml and other SOPS files) as the console shows them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EnvEntry:
    """One value of a SOPS file, decrypted (held in memory only)."""

    key: str
    """Dotted address: `PLEX_IP`, `stringData.password`, `hosts[0]`."""
    value: str
    """The value as text (numbers and booleans as YAML writes them)."""
    secret: bool
    """True when the file keeps it encrypted."""
    kind: str
    """sops type: str, int, float, bool, time or null."""

    def masked(self) -> str:
        """The value as shown without --reveal: secrets hidden, cleartext as is."""
        return "••••••••" if self.secret and self.value else self.value
