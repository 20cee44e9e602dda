"""RFC 6962 / RFC 9162 Merkle tree hashing, proofs and their verification.

Hashes are SHA-256 with the RFC 6962 domain separation: a leaf is ``H(0x00 || data)``, an
interior node ``H(0x01 || left || right)``, so a leaf can never be passed off as a node.

Proofs are built from a :class:`HashReader`, which answers the hash of a *complete* subtree
at ``(level, index)`` (the ``2**level`` leaves starting at ``index * 2**level``): the
tlog-tiles "stored hash" view. Any incomplete subtree a proof needs is folded from complete
ones, so the same code serves an in-memory tree, tiles on disk or a database.

The verifiers follow RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency) and fail
closed: every hash must be exactly 32 bytes, indexes must be inside the tree, and a proof
must have exactly the length the sizes imply. Each failure is a :class:`LogError` whose
message says which check failed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol

from smsguard.errors import LogError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
_MAX_SIZE = 2**64 - 1
_sha256 = hashlib.sha256


def leaf_hash(data: bytes) -> bytes:
    """The RFC 6962 hash of one leaf entry."""
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The RFC 6962 hash of an interior node."""
    return _sha256(b"\x01" + left + right).digest()


class HashReader(Protocol):
    """Source of complete-subtree hashes: the ``2**level`` leaves from ``index << level``."""

    def node(self, level: int, index: int) -> bytes: ...


def root_of(hashes: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes (or of same-level subtree hashes), RFC 6962 §2.1."""
    if not hashes:
        return EMPTY_ROOT
    level = list(hashes)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def subtrees(start: int, end: int) -> list[tuple[int, int]]:
    """The complete subtrees ``(level, index)`` that make up leaves ``[start, end)``, left first.

    ``start`` must be aligned so the range is a subtree of an RFC 6962 tree; the pieces are
    then exactly the ones MTH splits the range into.
    """
    pieces: list[tuple[int, int]] = []
    while start < end:
        level = (end - start).bit_length() - 1
        if start:
            level = min(level, (start & -start).bit_length() - 1)
        pieces.append((level, start >> level))
        start += 1 << level
    return pieces


def range_hash(reader: HashReader, start: int, end: int) -> bytes:
    """MTH(D[start:end]) folded from complete subtrees, right to left as RFC 6962 nests them."""
    width = end - start
    if width > 0 and not width & (width - 1) and not start & (width - 1):
        level = width.bit_length() - 1  # one complete subtree: most of a proof's hashes
        return reader.node(level, start >> level)
    pieces = [reader.node(level, index) for level, index in subtrees(start, end)]
    if not pieces:
        return EMPTY_ROOT
    result = pieces[-1]
    for piece in reversed(pieces[:-1]):
        result = node_hash(piece, result)
    return result


def tree_root(reader: HashReader, size: int) -> bytes:
    """The root hash of the first ``size`` leaves."""
    return range_hash(reader, 0, size)


def _split(size: int) -> int:
    """The largest power of two strictly smaller than ``size`` (size >= 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def inclusion_proof(reader: HashReader, index: int, size: int) -> list[bytes]:
    """RFC 9162 §2.1.3.1 PATH(index, D[size]), bottom-up."""
    _check_index(index, size)
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            path.append(range_hash(reader, start + k, end))
            end = start + k
        else:
            path.append(range_hash(reader, start, start + k))
            start += k
    path.reverse()
    return path


def consistency_proof(reader: HashReader, old: int, new: int) -> list[bytes]:
    """RFC 9162 §2.1.4.1 PROOF(old, D[new]); empty when ``old == new``."""
    _check_sizes(old, new)
    path: list[bytes] = []
    start, end, complete = 0, new, True
    while old != end:
        k = _split(end - start)
        if old - start <= k:
            path.append(range_hash(reader, start + k, end))
            end = start + k
        else:
            path.append(range_hash(reader, start, start + k))
            start += k
            complete = False
    if not complete:
        path.append(range_hash(reader, start, end))
    path.reverse()
    return path


def _check_index(index: int, size: int) -> None:
    if not 0 <= size <= _MAX_SIZE:
        raise LogError(f"tree size {size} is out of range")
    if not 0 <= index < size:
        raise LogError(f"leaf index {index} is not inside a tree of size {size}")


def _check_sizes(old: int, new: int) -> None:
    if not 0 <= new <= _MAX_SIZE:
        raise LogError(f"tree size {new} is out of range")
    if old < 1:
        raise LogError(f"consistency from tree size {old} proves nothing; sizes start at 1")
    if old > new:
        raise LogError(f"old tree size {old} is larger than new tree size {new}")


def _check_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise LogError(f"{what} is {len(value)} bytes, not {HASH_SIZE}")


def inclusion_proof_length(index: int, size: int) -> int:
    """How many hashes PATH(index, D[size]) has: the levels where the path and the edge differ."""
    inner = (index ^ (size - 1)).bit_length()
    return inner + bin(index >> inner).count("1")


def consistency_proof_length(old: int, new: int) -> int:
    """How many hashes PROOF(old, D[new]) has (0 < old < new)."""
    shift = (old & -old).bit_length() - 1
    inner = ((old - 1) ^ (new - 1)).bit_length()
    border = bin((old - 1) >> inner).count("1")
    return inner - shift + border + (0 if old == 1 << shift else 1)


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """RFC 9162 §2.1.3.2: raise LogError unless ``leaf`` is at ``index`` in the tree ``root``."""
    _check_index(index, size)
    _check_hash(leaf, "leaf hash")
    _check_hash(root, "root hash")
    for position, item in enumerate(proof):
        _check_hash(item, f"proof hash {position}")
    expected = inclusion_proof_length(index, size)
    if len(proof) != expected:
        raise LogError(
            f"inclusion proof for leaf {index} of {size} has {len(proof)} hashes, not {expected}"
        )
    if root_from_inclusion(leaf, index, size, proof) != root:
        raise LogError(f"inclusion proof for leaf {index} does not lead to the root of {size}")


def root_from_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """The root implied by an inclusion proof (RFC 9162 §2.1.3.2 steps 2-4)."""
    fn, sn, result = index, size - 1, leaf
    for item in proof:
        if sn == 0:
            raise LogError("inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            result = node_hash(item, result)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            result = node_hash(result, item)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise LogError("inclusion proof is shorter than the tree is deep")
    return result


def verify_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 §2.1.4.2: raise LogError unless tree ``new_root`` extends tree ``old_root``."""
    _check_sizes(old, new)
    _check_hash(old_root, "old root hash")
    _check_hash(new_root, "new root hash")
    for position, item in enumerate(proof):
        _check_hash(item, f"proof hash {position}")
    if old == new:
        if proof:
            raise LogError(f"consistency proof between equal sizes {old} must be empty")
        if old_root != new_root:
            raise LogError(f"two different roots for the same tree size {old}")
        return
    expected = consistency_proof_length(old, new)
    if len(proof) != expected:
        raise LogError(f"consistency proof {old} -> {new} has {len(proof)} hashes, not {expected}")
    first, second = _roots_from_consistency(old, new, old_root, proof)
    if first != old_root:
        raise LogError(f"consistency proof {old} -> {new} does not lead to the old root")
    if second != new_root:
        raise LogError(f"consistency proof {old} -> {new} does not lead to the new root")


def _roots_from_consistency(
    old: int, new: int, old_root: bytes, proof: Sequence[bytes]
) -> tuple[bytes, bytes]:
    """RFC 9162 §2.1.4.2 steps 2-6: the old and new roots the proof implies."""
    path = list(proof)
    if old & (old - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    first = second = path[0]
    for item in path[1:]:
        if sn == 0:
            raise LogError("consistency proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            first, second = node_hash(item, first), node_hash(item, second)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            second = node_hash(second, item)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise LogError("consistency proof is shorter than the tree is deep")
    return first, second


class MemoryTree:
    """Every leaf hash in memory, with complete-subtree hashes on demand: tests and baselines."""

    def __init__(self, leaf_hashes: Sequence[bytes] = ()) -> None:
        self.levels: list[list[bytes]] = [list(leaf_hashes)]
        self._fill()

    def append(self, leaf: bytes) -> None:
        """Add one leaf hash and every subtree it completes."""
        self.levels[0].append(leaf)
        self._fill()

    def _fill(self) -> None:
        level = 0
        while len(self.levels[level]) >= 2:
            if len(self.levels) == level + 1:
                self.levels.append([])
            below, above = self.levels[level], self.levels[level + 1]
            for i in range(len(above), len(below) // 2):
                above.append(node_hash(below[2 * i], below[2 * i + 1]))
            level += 1

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def node(self, level: int, index: int) -> bytes:
        return self.levels[level][index]

    def root(self) -> bytes:
        return tree_root(self, self.size)
