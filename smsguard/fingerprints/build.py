"""Build an index from many texts at once, one template per cluster of near-duplicates.

Corpora repeat a scam many times over with a new name or number each time; stored as they
are, the copies would bloat the index and crowd the top of every match list with the same
scam. Building signs every text in NumPy batches, then walks the texts in their given order
and keeps a text only when no text already kept is at least ``dedup`` similar to it (greedy
"leader" clustering: the first copy of a scam stands for the rest). Near-duplicate pairs are
found with the same band table lookups use, so building stays fast at 100,000 texts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from smsguard.errors import InputError
from smsguard.fingerprints.bands import BandTable
from smsguard.fingerprints.index import DEFAULT_THRESHOLD, TemplateIndex
from smsguard.fingerprints.signature import (
    BANDS,
    WORDS,
    Signatures,
    agreement,
    signatures,
    similarity,
)

DEFAULT_DEDUP = 0.6
_BATCH = 2048


@dataclass
class BuildReport:
    """What became of the texts handed to :func:`build_index`."""

    read: int = 0
    kept: int = 0
    too_short: int = 0
    duplicate_of: dict[str, str] = field(default_factory=dict)  # dropped id -> kept id


def build_index(
    templates: Iterable[tuple[str, str, str]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    dedup: float | None = DEFAULT_DEDUP,
) -> tuple[TemplateIndex, BuildReport]:
    """Index ``(template_id, text, category)`` triples; ``dedup=None`` keeps every text."""
    if dedup is not None and not 0.0 < dedup <= 1.0:
        raise InputError(f"dedup must be in (0, 1], got {dedup!r}")
    ids: list[str] = []
    categories: list[str] = []
    texts: list[str] = []
    for template_id, text, category in templates:
        ids.append(template_id)
        texts.append(text)
        categories.append(category)
    if len(set(ids)) != len(ids):
        raise InputError("template ids must be unique within one build")
    signed = _sign(texts)
    report = BuildReport(read=len(ids), too_short=int((~signed.usable).sum()))
    rows = np.flatnonzero(signed.usable)
    usable = Signatures(signed.keys[rows], signed.bits[rows], signed.usable[rows])
    leaders = _leaders(usable, dedup) if dedup is not None else np.arange(len(rows))
    index = TemplateIndex(threshold=threshold)
    for position, row in enumerate(rows):
        leader = int(leaders[position])
        if leader == position:
            index.add_signature(ids[row], usable, position, category=categories[row])
        else:
            report.duplicate_of[ids[row]] = ids[int(rows[leader])]
    report.kept = len(index)
    index.optimize()
    return index, report


def _sign(texts: list[str]) -> Signatures:
    """Sign in batches: one batch of everything would hold large temporaries at once."""
    keys = np.zeros((len(texts), BANDS), dtype=np.uint32)
    bits = np.zeros((len(texts), WORDS), dtype=np.uint64)
    usable = np.zeros(len(texts), dtype=np.bool_)
    for start in range(0, len(texts), _BATCH):
        signed = signatures(texts[start : start + _BATCH])
        keys[start : start + _BATCH] = signed.keys
        bits[start : start + _BATCH] = signed.bits
        usable[start : start + _BATCH] = signed.usable
    return Signatures(keys, bits, usable)


def _leaders(signed: Signatures, dedup: float) -> NDArray[np.intp]:
    """For each row, the earliest kept row it duplicates, or itself when it is kept."""
    count = len(signed)
    table = BandTable(signed.keys)
    leaders = np.arange(count, dtype=np.intp)
    for start in range(0, count, _BATCH):
        found, row = table.candidates(signed.keys[start : start + _BATCH])
        query = found + start
        earlier = row < query
        pairs = np.unique(query[earlier].astype(np.int64) * count + row[earlier])
        later, sooner = np.divmod(pairs, count)
        close = similarity(agreement(signed.bits, sooner, signed.bits, later)) >= dedup
        _assign(leaders, later[close], sooner[close], start, min(start + _BATCH, count))
    return leaders


def _assign(
    leaders: NDArray[np.intp],
    query: NDArray[np.int64],
    row: NDArray[np.int64],
    start: int,
    stop: int,
) -> None:
    """Walk rows in order: a row follows its first near-duplicate that was itself kept."""
    bounds = np.searchsorted(query, np.arange(start, stop + 1))
    for position in range(start, stop):
        for other in row[bounds[position - start] : bounds[position - start + 1]]:
            if leaders[other] == other:
                leaders[position] = other
                break
