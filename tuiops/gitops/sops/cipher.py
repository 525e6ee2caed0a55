"""AES-256-GCM as sops uses it: 32-byte IVs, the key path as AAD, `ENC[...]` tokens, the MAC."""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
else:
    try:
        # The public `ciphers.aead` module only re-exports this class, but importing it loads
        # every cipher, mode and padding module first (~8 ms of each `tuiops env get`).
        from cryptography.hazmat.bindings._rust import openssl as _rust_openssl

        AESGCM = _rust_openssl.aead.AESGCM
    except (ImportError, AttributeError):  # a cryptography that moved it: the public path
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tuiops.gitops.sops.errors import TamperedError

TOKEN = re.compile(r"^ENC\[AES256_GCM,data:(.*),iv:(.+),tag:(.+),type:(.+)\]$")
IV_BYTES = 32
TAG_BYTES = 16
MAC_ONLY_PREFIX = hashlib.sha256(b"sops").digest()
"""Fed first to the MAC hash of `mac_only_encrypted` files, so the two modes never collide."""


@dataclass(frozen=True, slots=True)
class Token:
    """The parts of an `ENC[AES256_GCM,...]` value."""

    data: bytes
    iv: bytes
    tag: bytes
    kind: str


def parse_token(text: str) -> Token | None:
    """The token in `text`, or None when `text` is not one."""
    match = TOKEN.match(text)
    if match is None:
        return None
    try:
        data, iv, tag = (binascii.a2b_base64(match.group(i), strict_mode=True) for i in (1, 2, 3))
    except (binascii.Error, ValueError):
        return None
    return Token(data, iv, tag, match.group(4))


def is_token(text: object) -> bool:
    return (
        isinstance(text, str)
        and text.startswith("ENC[AES256_GCM,")
        and TOKEN.match(text) is not None
    )


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


@functools.lru_cache(maxsize=4)
def _cipher(key: bytes) -> AESGCM:
    """One AES-GCM context per data key (a file has one; building it per value costs more than
    the decryption itself on a 500-key file)."""
    return AESGCM(key)


def encrypt(plaintext: str, kind: str, key: bytes, aad: str, iv: bytes | None = None) -> str:
    """An `ENC[...]` token for `plaintext` (already in sops' text form for `kind`)."""
    iv = iv if iv is not None else os.urandom(IV_BYTES)
    sealed = _cipher(key).encrypt(iv, plaintext.encode("utf-8"), aad.encode("utf-8"))
    data, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
    return f"ENC[AES256_GCM,data:{_b64(data)},iv:{_b64(iv)},tag:{_b64(tag)},type:{kind}]"


def decrypt(token: Token, key: bytes, aad: str, where: str) -> str:
    """The plaintext of `token`.

    Raises:
        TamperedError: when authentication fails (changed bytes, or moved to another key).
    """
    try:
        plain = _cipher(key).decrypt(token.iv, token.data + token.tag, aad.encode("utf-8"))
    except (InvalidTag, ValueError):
        raise TamperedError(
            f"{where}: value fails authentication (changed, or moved from another key)"
        ) from None
    try:
        return plain.decode("utf-8")
    except UnicodeDecodeError:
        raise TamperedError(f"{where}: decrypts to bytes that are not UTF-8 text") from None


def mac_hex(plaintexts: Iterable[str], mac_only_encrypted: bool) -> str:
    """sops' MAC: SHA-512 over the plaintext of the covered values, uppercase hex."""
    digest = hashlib.sha512()
    if mac_only_encrypted:
        digest.update(MAC_ONLY_PREFIX)
    for text in plaintexts:
        digest.update(text.encode("utf-8"))
    return digest.hexdigest().upper()
