"""The template index: add, remove and match known fraud templates by fingerprint.

A lookup signs the text (:mod:`~smsguard.fingerprints.signature`), asks the band table for
templates that share a band (:mod:`~smsguard.fingerprints.bands`), then checks each
candidate against its full stored signature. The reported similarity is that full-signature
estimate of Jaccard similarity, so a candidate found by a lucky band is still dropped when
the texts are not alike, and the threshold means the same thing whatever the banding.

The band table is a sorted array, rebuilt rather than updated. New templates wait in a small
"pending" area that lookups compare directly, and the table is rebuilt once that area (or the
share of removed rows) grows past a limit, so adding one template never costs a full sort.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from smsguard.errors import InputError
from smsguard.fingerprints import store
from smsguard.fingerprints.bands import BandTable, pending_candidates
from smsguard.fingerprints.signature import (
    BANDS,
    MIN_CONTENT,
    WORDS,
    Signatures,
    agreement,
    signatures,
    similarity,
)

DEFAULT_THRESHOLD = 0.35
_PENDING_LIMIT = 1024
_BATCH = 1024


@dataclass(frozen=True, slots=True)
class TemplateMatch:
    """A stored template that an SMS resembles."""

    template_id: str
    similarity: float  # estimated Jaccard similarity of the two fingerprints, in [0, 1]
    category: str  # e.g. "smishing", "card-transfer", "user"


class TemplateIndex:
    """Known fraud templates, kept as signatures only; see docs/fingerprints.md."""

    def __init__(self, *, threshold: float = DEFAULT_THRESHOLD) -> None:
        if not 0.0 < threshold <= 1.0:
            raise InputError(f"threshold must be in (0, 1], got {threshold!r}")
        self._threshold = float(threshold)
        self._keys = np.zeros((0, BANDS), dtype=np.uint32)
        self._bits = np.zeros((0, WORDS), dtype=np.uint64)
        self._alive = np.zeros(0, dtype=np.bool_)
        self._size = 0
        self._ids: list[str] = []
        self._categories: list[str] = []
        self._row_of: dict[str, int] = {}
        self._table: BandTable | None = None
        self._indexed = 0

    # --- contents ------------------------------------------------------------------------

    @property
    def threshold(self) -> float:
        """The least similarity :meth:`match` reports."""
        return self._threshold

    def __len__(self) -> int:
        return len(self._row_of)

    def __contains__(self, template_id: object) -> bool:
        return template_id in self._row_of

    def templates(self) -> Iterator[tuple[str, str]]:
        """``(template_id, category)`` of every template, oldest first."""
        for row in range(self._size):
            if self._alive[row]:
                yield self._ids[row], self._categories[row]

    @property
    def nbytes(self) -> int:
        """Memory held by signatures and the band table, for size reports."""
        table = self._table.nbytes if self._table is not None else 0
        return int(self._keys.nbytes + self._bits.nbytes + self._alive.nbytes + table)

    def add(self, template_id: str, text: str, *, category: str = "user") -> None:
        """Fingerprint ``text`` and store it under ``template_id``; the text is not kept.

        Raises :class:`InputError` for an empty, duplicate or malformed id, a malformed
        category, or a text with too little content left to fingerprint.
        """
        self._check_new(template_id, category)
        signed = signatures([text])
        if not signed.usable[0]:
            raise InputError(
                f"template {template_id!r} is too short to fingerprint: it needs at least "
                f"{MIN_CONTENT:g} Chinese characters (or twice as many letters) once numbers, "
                "links, names and punctuation are set aside"
            )
        self.add_signature(template_id, signed, 0, category=category)

    def add_signature(
        self, template_id: str, signed: Signatures, position: int, *, category: str
    ) -> None:
        """Store row ``position`` of already computed signatures (bulk builds, sharing)."""
        self._check_new(template_id, category)
        if not signed.usable[position]:
            raise InputError(f"template {template_id!r} has no usable signature")
        if self._size == len(self._keys):
            self._grow()
        self._keys[self._size] = signed.keys[position]
        self._bits[self._size] = signed.bits[position]
        self._alive[self._size] = True
        self._ids.append(template_id)
        self._categories.append(category)
        self._row_of[template_id] = self._size
        self._size += 1

    def remove(self, template_id: str) -> bool:
        """Forget a template; ``False`` when there was none by that id."""
        row = self._row_of.pop(template_id, None)
        if row is None:
            return False
        self._alive[row] = False
        return True

    # --- lookup --------------------------------------------------------------------------

    def match(self, text: str, *, limit: int = 5) -> list[TemplateMatch]:
        """Templates ``text`` resembles, best first, at least :attr:`threshold` similar."""
        return self.match_many([text], limit=limit)[0]

    def match_many(self, texts: Sequence[str], *, limit: int = 5) -> list[list[TemplateMatch]]:
        """:meth:`match` for many texts at once: the fast path.

        Texts are signed and looked up a batch at a time: batches amortise NumPy's per-call
        cost, and a bounded batch keeps the temporaries in cache whatever ``len(texts)``.
        """
        results: list[list[TemplateMatch]] = []
        for start in range(0, len(texts), _BATCH):
            batch = signatures(texts[start : start + _BATCH])
            results.extend(self.match_signatures(batch, limit=limit))
        return results

    def match_signatures(self, signed: Signatures, *, limit: int = 5) -> list[list[TemplateMatch]]:
        """Match already computed signatures; texts too short to sign match nothing."""
        if limit < 1:
            raise InputError(f"limit must be at least 1, got {limit}")
        results: list[list[TemplateMatch]] = [[] for _ in range(len(signed.usable))]
        queries = np.flatnonzero(signed.usable)
        if not self._row_of or queries.size == 0:
            return results
        self._refresh()
        query, row = self._candidates(signed.keys[queries])
        scores = similarity(agreement(self._bits, row, signed.bits[queries], query))
        query, row, scores = _best_per_query(query, row, scores, self._threshold, limit)
        for position in range(query.size):
            found = results[int(queries[query[position]])]
            found.append(self._match(int(row[position]), float(scores[position])))
        return results

    def _candidates(self, keys: NDArray[np.uint32]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        """Distinct (query, live row) pairs that share at least one band, sorted."""
        parts = []
        if self._size > self._indexed:
            pending = self._keys[self._indexed : self._size]
            parts.append(pending_candidates(keys, pending, self._indexed))
        if self._table is not None:
            parts.append(self._table.candidates(keys))
        query = np.concatenate([part[0] for part in parts]).astype(np.int64)
        row = np.concatenate([part[1] for part in parts]).astype(np.int64)
        pairs = query * self._size + row
        pairs.sort()
        distinct = np.ones(pairs.size, dtype=np.bool_)
        distinct[1:] = pairs[1:] != pairs[:-1]
        query, row = np.divmod(pairs[distinct], self._size)
        alive = self._alive[row]
        return query[alive].astype(np.intp), row[alive].astype(np.intp)

    def _match(self, row: int, score: float) -> TemplateMatch:
        return TemplateMatch(self._ids[row], round(score, 4), self._categories[row])

    # --- upkeep --------------------------------------------------------------------------

    def _check_new(self, template_id: str, category: str) -> None:
        problem = store.id_problem(template_id) or store.category_problem(category)
        if problem is not None:
            raise InputError(problem)
        if template_id in self._row_of:
            raise InputError(f"duplicate template id {template_id!r}; remove it first")

    def _grow(self) -> None:
        capacity = max(64, 2 * len(self._keys))
        self._keys = _resized(self._keys, capacity)
        self._bits = _resized(self._bits, capacity)
        self._alive = _resized(self._alive, capacity)

    def _refresh(self) -> None:
        """Rebuild the band table when the pending area or the removed share grew too big."""
        removed = self._size - len(self._row_of)
        if self._size - self._indexed > _PENDING_LIMIT or removed > max(_PENDING_LIMIT, len(self)):
            self.optimize()

    def optimize(self) -> None:
        """Drop removed rows and index every row now (done on its own when needed)."""
        keep = np.flatnonzero(self._alive[: self._size])
        self._keys = np.ascontiguousarray(self._keys[keep])
        self._bits = np.ascontiguousarray(self._bits[keep])
        self._alive = np.ones(len(keep), dtype=np.bool_)
        self._ids = [self._ids[row] for row in keep]
        self._categories = [self._categories[row] for row in keep]
        self._row_of = {template_id: row for row, template_id in enumerate(self._ids)}
        self._size = self._indexed = len(keep)
        self._table = BandTable(self._keys) if len(keep) else None

    # --- persistence ---------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write ids, categories and signatures (never texts) atomically to ``path``."""
        live = np.flatnonzero(self._alive[: self._size])
        store.write_index(
            path,
            store.StoredIndex(
                threshold=self._threshold,
                ids=[self._ids[row] for row in live],
                categories=[self._categories[row] for row in live],
                keys=self._keys[live],
                bits=self._bits[live],
            ),
        )

    @classmethod
    def load(cls, path: Path) -> TemplateIndex:
        """Read an index written by :meth:`save`; :class:`ModelError` if it does not load."""
        return cls.from_stored(store.read_index(path))

    @classmethod
    def from_stored(cls, stored: store.StoredIndex) -> TemplateIndex:
        """Build an index, fully indexed, from what :mod:`store` read."""
        index = cls(threshold=stored.threshold)
        index._keys = np.ascontiguousarray(stored.keys, dtype=np.uint32)
        index._bits = np.ascontiguousarray(stored.bits, dtype=np.uint64)
        index._alive = np.ones(len(stored.ids), dtype=np.bool_)
        index._ids = list(stored.ids)
        index._categories = list(stored.categories)
        index._row_of = {template_id: row for row, template_id in enumerate(stored.ids)}
        index._size = len(stored.ids)
        index.optimize()
        return index


ArrayT = TypeVar("ArrayT", bound=np.generic)


def _resized(array: NDArray[ArrayT], capacity: int) -> NDArray[ArrayT]:
    """``array`` with room for ``capacity`` rows, zero-filled beyond the old ones."""
    grown = np.zeros((capacity, *array.shape[1:]), dtype=array.dtype)
    grown[: len(array)] = array
    return grown


def _best_per_query(
    query: NDArray[np.intp],
    row: NDArray[np.intp],
    scores: NDArray[np.float64],
    threshold: float,
    limit: int,
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]:
    """Keep pairs at or above ``threshold``, the ``limit`` best per query, in order.

    Sorted by query, then by falling score (ties by row, so results are reproducible).
    """
    keep = scores >= threshold
    if not keep.any():
        return query[:0], row[:0], scores[:0]
    query, row, scores = query[keep], row[keep], scores[keep]
    order = np.lexsort((row, -scores, query))
    query, row, scores = query[order], row[order], scores[order]
    first = np.ones(query.size, dtype=np.bool_)
    first[1:] = query[1:] != query[:-1]
    starts = np.flatnonzero(first)
    rank = np.arange(query.size) - np.repeat(starts, np.diff(starts, append=query.size))
    top = rank < limit
    return query[top], row[top], scores[top]


def load_seed_index() -> TemplateIndex:
    """The index shipped with smsguard, built from public fraud corpora by
    ``scripts/build_seed_fingerprints.py`` (signatures only, see docs/fingerprints.md)."""
    return TemplateIndex.from_stored(store.read_seed())
