"""Train/test splits that cannot leak a message, or a near copy of it, across the line.

SMS corpora are full of templates: one operator campaign appears hundreds of times with a
different name or amount, and the two English sets share 4,886 texts outright. A plain random
split puts copies of the same template on both sides, so the test set measures memory, not
generalisation. Here every split is a *group* split: texts are first grouped, and a group
lands on one side as a whole.

* ``random`` scheme: groups are exact duplicates after :func:`canonical` (digits, links and
  punctuation folded). This is the usual "deduplicate, then split at random" baseline.
* ``cluster`` scheme: groups are near-duplicate clusters, found by MinHash over character
  shingles with banded LSH and merged transitively (connected components), so a whole
  template family stays on one side.

Groups are always computed over the *union* of all corpora, so a text that is in UCI and in
Mishra-Soni (or a near copy of it) is train for both or test for both, never one of each.
The MinHash is written here in NumPy rather than taken from a library so that it is seeded,
vectorised over the whole corpus at once and has no optional dependency.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from smsguard.risk.canonical import canonical
from smsguard.training.corpora import Example

U64 = NDArray[np.uint64]
I64 = NDArray[np.int64]

_MASK32 = np.uint64(0xFFFFFFFF)
_SHINGLE_MULT = np.uint64(0x100000001B3)
_BAND_MULT = np.uint64(0x9E3779B97F4A7C15)
_SHINGLE_CHUNK = 120_000


@dataclass(frozen=True, slots=True)
class ClusterParams:
    """How near is "near-duplicate".

    With 16 bands of 4 rows, two texts whose shingle sets have Jaccard similarity 0.7 become
    candidates 99 % of the time and pairs at 0.3 about 12 % of the time; the ``threshold``
    check on the full signature then drops candidates below 0.5. Four-character shingles
    are long enough that unrelated English texts share few of them and short enough that a
    Chinese template with a changed name keeps most of its shingles.
    """

    shingle: int = 4
    bands: int = 16
    rows: int = 4
    threshold: float = 0.5
    seed: int = 13

    @property
    def perms(self) -> int:
        return self.bands * self.rows


@dataclass(frozen=True, slots=True)
class Split:
    """One train/test partition: the training examples and the test examples per corpus.

    ``dropped`` counts examples that are on neither side: training-only material (mudou's
    train file) that shares a group with a test example, or, in leave-one-out, examples of
    the other corpora that share a group with the held-out corpus.
    """

    scheme: str
    train: tuple[Example, ...]
    test: Mapping[str, tuple[Example, ...]]
    dropped: int = 0


# --- MinHash ---------------------------------------------------------------------------


def _mix64(values: U64) -> U64:
    """splitmix64 finaliser: spreads the bits of a weak polynomial hash over all 64."""
    z = values ^ (values >> np.uint64(30))
    z = z * np.uint64(0xBF58476D1CE4E5B9)
    z = z ^ (z >> np.uint64(27))
    z = z * np.uint64(0x94D049BB133111EB)
    mixed: U64 = z ^ (z >> np.uint64(31))
    return mixed


def shingle_hashes(keys: Sequence[str], size: int) -> tuple[U64, I64]:
    """32-bit hashes of every ``size``-character shingle, and how many each key has.

    Keys shorter than a shingle are padded with NUL, so every key has at least one shingle
    and an empty key still gets a (shared) signature. All keys are hashed in one pass over a
    single code-point array; windows that would cross from one key into the next are dropped.
    """
    padded = [key.ljust(size, "\0") for key in keys]
    lengths = np.fromiter((len(key) for key in padded), dtype=np.int64, count=len(padded))
    points = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32)
    points = points.astype(np.uint64)
    windows = points.size - size + 1
    hashes = np.zeros(max(windows, 0), dtype=np.uint64)
    for offset in range(size):
        hashes = hashes * _SHINGLE_MULT + points[offset : offset + windows] + np.uint64(1)
    ends = np.cumsum(lengths)
    owner = np.repeat(np.arange(len(padded), dtype=np.int64), lengths)[: hashes.size]
    valid = np.arange(hashes.size, dtype=np.int64) + size <= ends[owner]
    counts = lengths - size + 1
    return (_mix64(hashes[valid]) >> np.uint64(32)).astype(np.uint64), counts


def minhash_signatures(keys: Sequence[str], params: ClusterParams) -> U64:
    """One row of ``params.perms`` minimum hash values per key.

    Each permutation is a multiply-add-shift hash of the 32-bit shingle hash (universal for
    32-bit inputs with 64-bit arithmetic, which NumPy wraps for free). Rows are reduced per
    key with ``minimum.reduceat`` in chunks so memory stays bounded.
    """
    if not keys:
        return np.zeros((0, params.perms), dtype=np.uint64)
    rng = np.random.default_rng(params.seed)
    mul = rng.integers(1, 2**63, size=params.perms, dtype=np.uint64) | np.uint64(1)
    add = rng.integers(0, 2**63, size=params.perms, dtype=np.uint64)
    hashes, counts = shingle_hashes(keys, params.shingle)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    signatures = np.empty((len(keys), params.perms), dtype=np.uint64)
    first = 0
    while first < len(keys):
        last = int(np.searchsorted(starts, starts[first] + _SHINGLE_CHUNK, side="left"))
        last = max(last, first + 1)
        stop = int(starts[last]) if last < len(keys) else hashes.size
        chunk = hashes[int(starts[first]) : stop]
        permuted = (chunk[:, None] * mul[None, :] + add[None, :]) >> np.uint64(32)
        local = starts[first:last] - starts[first]
        signatures[first:last] = np.minimum.reduceat(permuted, local, axis=0)
        first = last
    return signatures


def similar_pairs(signatures: U64, params: ClusterParams) -> tuple[I64, I64]:
    """Pairs of rows that share an LSH band and agree on >= ``threshold`` of the signature.

    Within a bucket each member is compared with the bucket's first row only, which keeps the
    work linear; members similar to each other but not to the first are still usually joined
    through another band.
    """
    left: list[I64] = []
    right: list[I64] = []
    for band in range(params.bands):
        cols = signatures[:, band * params.rows : (band + 1) * params.rows]
        key = np.zeros(signatures.shape[0], dtype=np.uint64)
        for col in range(params.rows):
            key = _mix64(key * _BAND_MULT + cols[:, col])
        order = np.argsort(key, kind="stable")
        ordered = key[order]
        starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
        sizes = np.diff(np.append(starts, ordered.size))
        heads = np.repeat(order[starts], sizes)
        keep = heads != order
        heads, members = heads[keep], order[keep]
        agree = (signatures[heads] == signatures[members]).mean(axis=1)
        near = agree >= params.threshold
        left.append(heads[near].astype(np.int64))
        right.append(members[near].astype(np.int64))
    return np.concatenate(left), np.concatenate(right)


def connected_components(count: int, left: I64, right: I64) -> I64:
    """Label of each node = the smallest node of its component (union-find, vectorised).

    Each round hooks the larger root of every edge under the smaller one, then flattens the
    forest by pointer jumping. Parents only ever decrease, so it terminates; on near-duplicate
    graphs it takes a handful of rounds.
    """
    parent = np.arange(count, dtype=np.int64)
    if left.size == 0:
        return parent
    while True:
        root_l, root_r = parent[left], parent[right]
        if np.array_equal(root_l, root_r):
            return parent
        low, high = np.minimum(root_l, root_r), np.maximum(root_l, root_r)
        np.minimum.at(parent, high, low)
        while True:
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped


def near_duplicate_groups(texts: Sequence[str], params: ClusterParams | None = None) -> I64:
    """Cluster id per text: texts whose canonical forms are near-duplicates share an id."""
    params = params or ClusterParams()
    keys = [" ".join(canonical(text).split()) for text in texts]
    signatures = minhash_signatures(keys, params)
    left, right = similar_pairs(signatures, params)
    return connected_components(len(keys), left, right)


def exact_groups(texts: Sequence[str]) -> I64:
    """Group id per text: texts with the same canonical form share an id."""
    keys = [canonical(text) for text in texts]
    _, inverse = np.unique(np.array(keys, dtype=object), return_inverse=True)
    return inverse.astype(np.int64).reshape(-1)


# --- splitting --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pool:
    """Every example of every corpus in one order, with the corpus name of each.

    The corpus name is the key of the corpora mapping, not ``Example.source``, so a caller may
    pool or rename corpora without touching the examples.
    """

    examples: tuple[Example, ...]
    corpus: tuple[str, ...]

    @classmethod
    def of(cls, corpora: Mapping[str, Sequence[Example]]) -> Pool:
        examples = tuple(example for items in corpora.values() for example in items)
        names = tuple(name for name, items in corpora.items() for _ in items)
        return cls(examples, names)

    @property
    def texts(self) -> list[str]:
        return [example.text for example in self.examples]


def group_split(
    pool: Pool,
    groups: I64,
    *,
    scheme: str,
    test_fraction: float = 0.2,
    seed: int = 13,
    test_only: Collection[str] = (),
    train_only: Collection[str] = (),
) -> Split:
    """Split whole groups, stratified by (corpus, label), about ``test_fraction`` to test.

    ``test_only`` corpora (a published test file) pull every group they touch to the test
    side; ``train_only`` corpora pull their groups to the train side, and their examples that
    share a group with a test example are dropped, because training on them would leak.
    """
    corpus = np.array(pool.corpus, dtype=object)
    in_test_only = np.isin(corpus, list(test_only))
    in_train_only = np.isin(corpus, list(train_only))
    forced_test = _touched(groups, in_test_only)
    forced_train = _touched(groups, in_train_only) & ~forced_test
    free = ~forced_test[groups] & ~forced_train[groups]
    chosen = _choose_groups(pool, groups, free, test_fraction, seed)
    on_test = forced_test[groups] | chosen[groups]
    test_mask = on_test & ~in_train_only
    train_mask = ~on_test
    dropped = int(np.count_nonzero(on_test & in_train_only))
    return Split(scheme, _pick(pool, train_mask), _by_corpus(pool, test_mask), dropped)


def leave_out(pool: Pool, groups: I64, held_out: Collection[str], *, scheme: str) -> Split:
    """Test on the held-out corpora; train on the rest minus every group that touches them.

    Dropping the touching groups is what keeps leave-one-dataset-out honest for UCI and
    Mishra-Soni: without it, the 4,886 shared texts would be trained on and tested on.
    """
    held = np.isin(np.array(pool.corpus, dtype=object), list(held_out))
    touched = _touched(groups, held)[groups]
    train_mask = ~held & ~touched
    dropped = int(np.count_nonzero(~held & touched))
    return Split(scheme, _pick(pool, train_mask), _by_corpus(pool, held), dropped)


def _touched(groups: I64, mask: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Boolean per group id: does any masked example belong to the group?"""
    size = int(groups.max()) + 1 if groups.size else 0
    flags = np.zeros(size, dtype=bool)
    flags[groups[mask]] = True
    return flags


def _choose_groups(
    pool: Pool, groups: I64, free: NDArray[np.bool_], fraction: float, seed: int
) -> NDArray[np.bool_]:
    """Pick test groups among the free ones so each stratum gets close to ``fraction``.

    A group's stratum is the (corpus, label) of its first example. Groups are visited in a
    seeded random order and taken when that brings their stratum's test count closer to its
    target, so a giant template cluster is only taken if the stratum can afford it.
    """
    size = int(groups.max()) + 1 if groups.size else 0
    chosen = np.zeros(size, dtype=bool)
    members = np.flatnonzero(free)
    ids, first = np.unique(groups[members], return_index=True)
    sizes = np.bincount(groups[members], minlength=size)[ids]
    strata = [_stratum(pool, int(members[index])) for index in first]
    totals: dict[str, int] = {}
    for stratum, count in zip(strata, sizes, strict=True):
        totals[stratum] = totals.get(stratum, 0) + int(count)
    taken = dict.fromkeys(totals, 0)
    for position in np.random.default_rng(seed).permutation(ids.size):
        stratum, count = strata[position], int(sizes[position])
        target = fraction * totals[stratum]
        if abs(taken[stratum] + count - target) < abs(taken[stratum] - target):
            chosen[ids[position]] = True
            taken[stratum] += count
    return chosen


def _stratum(pool: Pool, index: int) -> str:
    return f"{pool.corpus[index]}:{pool.examples[index].label}"


def _pick(pool: Pool, mask: NDArray[np.bool_]) -> tuple[Example, ...]:
    return tuple(pool.examples[int(i)] for i in np.flatnonzero(mask))


def _by_corpus(pool: Pool, mask: NDArray[np.bool_]) -> dict[str, tuple[Example, ...]]:
    found: dict[str, list[Example]] = {}
    for index in np.flatnonzero(mask):
        found.setdefault(pool.corpus[int(index)], []).append(pool.examples[int(index)])
    return {name: tuple(items) for name, items in found.items()}


def cluster_summary(pool: Pool, groups: I64, params: ClusterParams) -> dict[str, object]:
    """How the grouping came out: counts, the largest cluster, clusters spanning corpora.

    A giant cluster would make the cluster split lopsided, and clusters spanning corpora are
    exactly the cross-corpus overlap that a per-corpus split would leak; both are reported.
    """
    sizes = np.bincount(groups) if groups.size else np.zeros(0, dtype=np.int64)
    sizes = sizes[sizes > 0]
    names, codes = np.unique(np.array(pool.corpus, dtype=object), return_inverse=True)
    pairs = np.unique(np.stack([groups, codes.reshape(-1)], axis=1), axis=0)
    spanning = int(np.count_nonzero(np.bincount(pairs[:, 0]) > 1)) if pairs.size else 0
    return {
        "examples": len(pool.examples),
        "clusters": int(sizes.size),
        "largest": int(sizes.max()) if sizes.size else 0,
        "in_clusters_of_2_plus": int(sizes[sizes > 1].sum()),
        "spanning_corpora": spanning,
        "per_corpus": {
            str(n): int(np.count_nonzero(pairs[:, 1] == i)) for i, n in enumerate(names)
        },
        "params": {
            "shingle": params.shingle,
            "bands": params.bands,
            "rows": params.rows,
            "threshold": params.threshold,
        },
    }
