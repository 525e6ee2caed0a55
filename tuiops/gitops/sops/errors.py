"""What can go wrong with a SOPS file, each as one clear line (classes kept apart as sops
keeps them: no identity, wrong identity, tampered value or MAC, not a SOPS file)."""

from __future__ import annotations

from tuiops.errors import TuiopsError


class SopsError(TuiopsError):
    """Base of SOPS errors."""


class SopsFormatError(SopsError):
    """The file is not the YAML/JSON/dotenv it claims to be, or not shaped as sops writes it."""


class NotSopsFileError(SopsError):
    """The file has no `sops` metadata (sops: `sops metadata not found`)."""


class AlreadyEncryptedError(SopsError):
    """Encrypting a file that already has a top-level `sops` entry."""


class NoIdentityError(SopsError):
    """No age identity was found in any source."""


class WrongIdentityError(SopsError):
    """Identities were found, but none matches the file's recipients."""


class TamperedError(SopsError):
    """A value or the MAC fails authentication, or the MAC does not match the values."""


class FileChangedError(SopsError):
    """The file changed on disk since it was read; saving would lose that change."""


class UnsupportedError(SopsError):
    """A SOPS feature tuiops does not handle (e.g. several key groups, PGP or KMS only)."""


class SopsConfigError(SopsError):
    """A `.sops.yaml`, a file's `sops:` rules or a Go regular expression in them is invalid."""
