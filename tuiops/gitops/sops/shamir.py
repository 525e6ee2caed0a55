"""Shamir secret sharing over GF(2^8), share for share what sops' `shamir` package writes.

With several key groups sops splits the 32-byte data key into one share per group; each key of
group i encrypts share i, and any `shamir_threshold` shares give the key back. A share is the
polynomials' values at x, one byte per secret byte, followed by x itself (sops uses x = i + 1).
The field is AES' (x^8 + x^4 + x^3 + x + 1), as in HashiCorp Vault's implementation that sops
copied. Written here because no maintained Python package speaks this exact share layout.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from tuiops.gitops.sops.errors import SopsFormatError


def _multiply(a: int, b: int) -> int:
    """Product in GF(2^8) reduced by the AES polynomial."""
    product = 0
    while b:
        if b & 1:
            product ^= a
        a = ((a << 1) ^ 0x11B) if a & 0x80 else a << 1
        b >>= 1
    return product


_EXP = [0] * 510
_LOG = [0] * 256
_value = 1
for _power in range(255):
    _EXP[_power] = _EXP[_power + 255] = _value
    _LOG[_value] = _power
    _value = _multiply(_value, 3)  # 3 generates the multiplicative group of this field


def _mul(a: int, b: int) -> int:
    if a == 0 or b == 0:
        return 0
    return _EXP[_LOG[a] + _LOG[b]]


def _div(a: int, b: int) -> int:
    if a == 0:
        return 0
    return _EXP[_LOG[a] - _LOG[b] + 255]


def _evaluate(coefficients: Sequence[int], x: int) -> int:
    """Horner's rule, highest coefficient first."""
    result = 0
    for coefficient in reversed(coefficients):
        result = _mul(result, x) ^ coefficient
    return result


def split(secret: bytes, parts: int, threshold: int) -> list[bytes]:
    """`parts` shares of `secret`, any `threshold` of which give it back.

    Raises:
        ValueError: impossible parameters (as sops' own checks).
    """
    if not 2 <= threshold <= parts <= 255 or not secret:
        raise ValueError(f"cannot split into {parts} parts with threshold {threshold}")
    shares = [bytearray(len(secret) + 1) for _ in range(parts)]
    for index, share in enumerate(shares):
        share[-1] = index + 1
    for position, byte in enumerate(secret):
        coefficients = [byte, *os.urandom(threshold - 1)]
        for share in shares:
            share[position] = _evaluate(coefficients, share[-1])
    return [bytes(share) for share in shares]


def combine(shares: Sequence[bytes]) -> bytes:
    """The secret from shares made by `split` (Lagrange interpolation at x = 0).

    Raises:
        SopsFormatError: fewer than two shares, shares of different lengths, or repeated x.
    """
    if len(shares) < 2:
        raise SopsFormatError("Shamir: fewer than two key groups could be decrypted")
    length = len(shares[0])
    xs = [share[-1] for share in shares]
    if length < 2 or any(len(share) != length for share in shares) or len(set(xs)) != len(xs):
        raise SopsFormatError("Shamir: the key groups' shares do not fit together")
    secret = bytearray(length - 1)
    for position in range(length - 1):
        value = 0
        for i, share in enumerate(shares):
            basis = 1
            for j, other in enumerate(xs):
                if i != j:
                    basis = _mul(basis, _div(other, xs[i] ^ other))
            value ^= _mul(share[position], basis)
        secret[position] = value
    return bytes(secret)
