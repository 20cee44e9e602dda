"""The banded LSH table: which stored templates share at least one band key with a query.

A signature's ``SLOTS`` slots form ``BANDS`` bands of ``ROWS`` slots, each band digested into
one 32-bit key (:mod:`~smsguard.fingerprints.signature`). Two texts of Jaccard similarity
``s`` share a given band with probability about ``s ** ROWS``, and at least one of the
``BANDS`` bands with ``1 - (1 - s ** ROWS) ** BANDS``: the "S-curve". With 64 bands of 4
rows it is 0.62 at s = 0.35, 0.81 at 0.4, 0.98 at 0.5, 0.9999 at 0.6, and 0.10 at 0.2,
0.006 at 0.1. Copies of a scam mostly sit at 0.5 and above, while unrelated messages, even
from the same kind of scam, mostly sit below 0.2; only candidates found this way are checked
against the low bits of the full signature. Three rows per band would catch a little more
at 0.35 but, measured on 100,000 templates, hand over about seven times as many candidates.

All keys live in one sorted array; a bucket table indexed by a key's top bits gives its run
of the array directly, so a lookup is two gathers and a short scan at any index size.

A key shared by very many templates (``crowded``: over 0.05% of them, and over 64) is
skipped at lookup. Such keys come from shingles that half the index shares (``0元``,
``the``); they would hand every query hundreds of candidates, nearly all of them wrong,
while a real copy still shares its other bands with its template. Recently added rows that
wait outside the table (see :mod:`~smsguard.fingerprints.index`) are compared directly and
never skipped.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from smsguard.fingerprints.signature import BANDS

_MAX_BUCKET_BITS = 22
_CROWDED_MIN = 64
_CROWDED_SHARE = 0.0005


class BandTable:
    """Sorted band keys of a fixed set of rows, with a bucket table for direct lookup."""

    def __init__(self, keys: NDArray[np.uint32]) -> None:
        if keys.size >= 2**31:
            raise ValueError("too many templates for one band table")
        flat = keys.reshape(-1)
        rows = len(keys)
        order = np.argsort(flat, kind="stable")
        self._keys = flat[order]
        self._rows = (order // BANDS).astype(np.int32)
        bucket_bits = min(_MAX_BUCKET_BITS, max(4, int(flat.size).bit_length()))
        self._shift = np.uint32(32 - bucket_bits)
        buckets = np.arange((1 << bucket_bits) + 1, dtype=np.uint64)
        bucket_of_key = (self._keys >> self._shift).astype(np.uint64)
        self._starts = np.searchsorted(bucket_of_key, buckets).astype(np.int32)
        self.crowded = max(_CROWDED_MIN, int(_CROWDED_SHARE * rows))

    @property
    def nbytes(self) -> int:
        """Memory held by the table, for size reports."""
        return int(self._keys.nbytes + self._rows.nbytes + self._starts.nbytes)

    def candidates(self, keys: NDArray[np.uint32]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        """Pairs (query number, stored row) sharing a band; a pair may repeat."""
        flat = keys.reshape(-1)
        bucket = (flat >> self._shift).astype(np.intp)
        low = self._starts[bucket].astype(np.int64)
        high = self._starts[bucket + 1].astype(np.int64)
        lengths = high - low
        lengths[lengths > self.crowded] = 0
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
        owner = np.repeat(np.arange(flat.size, dtype=np.intp), lengths)
        offset = low - np.cumsum(lengths) + lengths
        position = np.arange(total, dtype=np.int64) + np.repeat(offset, lengths)
        same = self._keys[position] == flat[owner]
        return owner[same] // BANDS, self._rows[position[same]].astype(np.intp)


def pending_candidates(
    keys: NDArray[np.uint32], pending: NDArray[np.uint32], first_row: int
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """The same as :meth:`BandTable.candidates` for a few recent rows, by direct comparison."""
    if len(pending) == 0 or len(keys) == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    shared = (keys[:, None, :] == pending[None, :, :]).any(axis=2)
    queries, rows = np.nonzero(shared)
    return queries.astype(np.intp), (rows + first_row).astype(np.intp)
