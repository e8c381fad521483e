"""Counter-based randomness: every random number is a hash of (key, index).

Because nothing is drawn sequentially, a candle's value never depends on which window it was fetched
in, and any slice of a path can be generated alone, vectorised with numpy.
"""

from __future__ import annotations

import hashlib

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_TWO_POW_53 = float(2**53)


def stable_key(*parts: object) -> int:
    """A 64-bit key from any printable parts, stable across processes (unlike hash())."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def splitmix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser over a uint64 array (wrapping arithmetic is intended)."""
    with np.errstate(over="ignore"):
        z = x + _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
        return z ^ (z >> np.uint64(31))


def uniform(key: int, index: np.ndarray) -> np.ndarray:
    """Floats in the open interval (0, 1), one per index."""
    idx = np.asarray(index, dtype=np.int64).astype(np.uint64)
    with np.errstate(over="ignore"):
        h = splitmix64(idx * _GOLDEN ^ np.uint64(key & 0xFFFFFFFFFFFFFFFF))
    return ((h >> np.uint64(11)).astype(np.float64) + 0.5) / _TWO_POW_53


def normal(key: int, index: np.ndarray) -> np.ndarray:
    """Standard normals by Box-Muller over two independent uniform streams."""
    u1 = uniform(key, index)
    u2 = uniform(key ^ 0x5DEECE66D, index)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)
