"""Merkle tree hashing and proofs as in RFC 6962 §2.1 / RFC 9162 §2.1 (pure, no database).

* leaf hash ``SHA-256(0x00 || data)``, interior node ``SHA-256(0x01 || left || right)``;
* the Merkle Tree Hash (MTH) of n leaves splits at k, the largest power of two < n;
* an inclusion proof (audit path, PATH) and a consistency proof (PROOF) are lists of
  32-byte hashes, bottom-up, exactly as the RFC defines them, and are verified with the
  algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2.

The proof builders take ``mth(start, end)``: the hash of the subtree over leaves
``[start, end)``. ``ListTree`` answers it from a list of leaf hashes; the sequencer's
store answers it from stored complete subtrees plus a few leaves (``sequencer.StoredTree``).
Changing this module changes every tree head: never, except with a new chain version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

Hash = bytes
MTH = Callable[[int, int], Hash]

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> Hash:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: Hash, right: Hash) -> Hash:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaf_hashes: Sequence[Hash]) -> Hash:
    """MTH over already hashed leaves (recursive definition, iterative evaluation)."""
    return Frontier.of(leaf_hashes).root()


def perfect_root(leaf_hashes: Sequence[Hash]) -> Hash:
    """MTH of a power-of-two number of leaves, level by level (no per-node Python call)."""
    level = list(leaf_hashes)
    sha256 = hashlib.sha256
    while len(level) > 1:
        level = [sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level), 2)]
    return level[0]


class Frontier:
    """The right edge of a growing tree: its complete subtrees, largest first.

    Appending a leaf merges equal-sized subtrees (each merge is an aligned complete
    subtree: ``on_complete(level, index, hash)`` is called for it); ``root()`` folds the
    edge from the right, which is the MTH of RFC 6962 for any size.
    """

    __slots__ = ("hashes", "levels", "size")

    def __init__(self, size: int = 0, subtrees: Sequence[tuple[int, Hash]] = ()):
        self.size = size
        self.levels = [level for level, _ in subtrees]
        self.hashes = [h for _, h in subtrees]

    @classmethod
    def of(cls, leaf_hashes: Sequence[Hash]) -> Frontier:
        frontier = cls()
        for h in leaf_hashes:
            frontier.append(h)
        return frontier

    @staticmethod
    def shape(size: int) -> list[tuple[int, int]]:
        """(level, start) of the complete subtrees on the right edge of a tree of ``size`` leaves."""
        out, start = [], 0
        for level in range(size.bit_length() - 1, -1, -1):
            if size >> level & 1:
                out.append((level, start))
                start += 1 << level
        return out

    def append(self, h: Hash, on_complete: Callable[[int, int, Hash], None] | None = None) -> None:
        self.push(0, h, on_complete)

    def push(self, level: int, h: Hash, on_complete: Callable[[int, int, Hash], None] | None = None) -> None:
        """Append a complete subtree of 2^level leaves (the tree's size must be a multiple of it)."""
        levels, hashes = self.levels, self.hashes
        if self.size % (1 << level):
            raise ValueError("subtree not aligned")
        self.size += 1 << level
        while levels and levels[-1] == level:
            levels.pop()
            h = node_hash(hashes.pop(), h)
            level += 1
            if on_complete is not None:
                on_complete(level, (self.size >> level) - 1, h)
        levels.append(level)
        hashes.append(h)

    def copy(self) -> Frontier:
        return Frontier(self.size, list(zip(self.levels, self.hashes, strict=True)))

    def root(self) -> Hash:
        if not self.hashes:
            return EMPTY_ROOT
        r = self.hashes[-1]
        for h in reversed(self.hashes[:-1]):
            r = node_hash(h, r)
        return r


class ListTree:
    """``mth`` over a list of leaf hashes (tests, the migration, small trees)."""

    def __init__(self, leaf_hashes: Sequence[Hash]):
        self.leaves = list(leaf_hashes)

    def mth(self, start: int, end: int) -> Hash:
        return root(self.leaves[start:end])


def inclusion_path(index: int, size: int, mth: MTH) -> list[Hash]:
    """PATH(index, D[0:size]) of RFC 6962 §2.1.1, bottom-up."""
    if not 0 <= index < size:
        raise ValueError("leaf index outside the tree")
    path, lo, hi = [], 0, size
    while hi - lo > 1:
        k = split(hi - lo)
        if index - lo < k:
            path.append(mth(lo + k, hi))
            hi = lo + k
        else:
            path.append(mth(lo, lo + k))
            lo += k
    return path[::-1]


def consistency_proof(old_size: int, size: int, mth: MTH) -> list[Hash]:
    """PROOF(old_size, D[0:size]) of RFC 6962 §2.1.2, bottom-up (empty for 0 or equal sizes)."""
    if not 0 <= old_size <= size:
        raise ValueError("old tree larger than new tree")
    if old_size in (0, size):
        return []
    proof, lo, hi, m, complete = [], 0, size, old_size, True
    while True:
        if m == hi - lo:
            if not complete:
                proof.append(mth(lo, hi))
            break
        k = split(hi - lo)
        if m <= k:
            proof.append(mth(lo + k, hi))
            hi = lo + k
        else:
            proof.append(mth(lo, lo + k))
            lo, m, complete = lo + k, m - k, False
    return proof[::-1]


def verify_inclusion(index: int, size: int, leaf: Hash, path: Sequence[Hash], root_hash: Hash) -> bool:
    """RFC 9162 §2.1.3.2."""
    if index >= size or index < 0:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root_hash


def verify_consistency(old_size: int, size: int, old_root: Hash, new_root: Hash, proof: Sequence[Hash]) -> bool:
    """RFC 9162 §2.1.4.2 (an empty old tree is consistent with every tree; equal sizes need equal roots)."""
    if old_size < 0 or old_size > size:
        return False
    if old_size == 0:
        return not proof
    if old_size == size:
        return not proof and old_root == new_root
    if not proof:
        return False
    proof = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node of the path
        proof.insert(0, old_root)
    fn, sn = old_size - 1, size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
