"""Compact signatures of fingerprint texts: shingles, then a MinHash sketch, in NumPy.

**Shingles.** A Chinese character carries about as much as a short English word, so the
shingle length follows the script: two characters from an ideograph (or a placeholder), three
from a Latin letter. Two-letter English shingles are so common that unrelated messages
share many of them; three-ideograph shingles break too easily under edits.

**Sketch.** Classic MinHash hashes every shingle once per slot: ``n × K`` work, too slow for
tens of thousands of lookups a second. Here every shingle is thrown into one of ``K`` slots
in each of ``ROUNDS`` rounds, with a fresh hash per round, and a slot keeps the smallest
``(round, hash)`` it receives (one-permutation hashing repeated in rounds, the idea behind
the "fast similarity sketching" of Dahlgaard, Knudsen and Thorup, 2017). The shingle that
wins a slot is equally likely to be any member of the union of two sets, so two sketches
agree in a slot with probability equal to the sets' Jaccard similarity, and because a slot
never gets the same shingle twice in one round the estimate is a little sharper than with
``K`` independent hashes. The work is ``ROUNDS × n`` throws plus one pass over the slots.
Slots still empty after the rounds (about one in twelve for a typical SMS) borrow the value
of the next filled slot, which keeps that agreement probability (:func:`_densify`).

**What is kept.** Two things, neither of which gives the text back (docs/fingerprints.md):

* one 32-bit *band key* per band of ``ROWS`` slots, a digest of the four full slot values.
  Two texts share a key when they agree in all four slots, which is what the banded index
  (:mod:`~smsguard.fingerprints.bands`) needs; checking a guess against a key needs the
  winners of all four slots at once;
* the low ``BITS`` (2) bits of every slot, packed (b-bit MinHash, Li and König 2010). Two
  different values agree by chance one time in four, a bias :func:`similarity` removes;
  256 two-bit slots estimate Jaccard similarity within about ±0.035, and a guessed shingle
  agrees with them hardly more often than a wrong one does.

Everything is computed for a whole batch of texts in a few NumPy passes; the hashes are
seeded constants, so a signature is the same on every machine and in every release that
keeps :data:`SCHEME`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from smsguard.fingerprints.text import TEXT_VERSION, fingerprint_text

SLOTS = 256
BITS = 2
ROUNDS = 12
ROWS = 4  # slots per band
BANDS = SLOTS // ROWS
WORDS = SLOTS * BITS // 64  # uint64 words holding the packed low bits
MIN_CONTENT = 8.0  # ideographs, or pairs of Latin letters, a text needs to be fingerprinted
# Names everything a stored signature depends on; change it whenever any of that changes.
SCHEME = (
    f"rounds-minhash-v1-k{SLOTS}-r{ROUNDS}-b{BITS}-bands{BANDS}x{ROWS}-cjk2-latin3-{TEXT_VERSION}"
)

_SEED = 0x5EED_F1A9_E27C_0DE5
_BROADCAST_LIMIT = 4096  # shingles; below this, all rounds are thrown in one NumPy pass
_U32 = np.uint64(0xFFFFFFFF)
_EMPTY = np.uint64(0xFFFFFFFFFFFFFFFF)


def _splitmix(values: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """The SplitMix64 finaliser: every input bit affects every output bit."""
    x = values ^ (values >> np.uint64(30))
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


def _constants() -> tuple[NDArray[np.uint64], NDArray[np.uint64]]:
    """Per-round multipliers and offsets, from a seeded stream."""
    stream = _splitmix(np.arange(2 * ROUNDS, dtype=np.uint64) + np.uint64(_SEED))
    multipliers = stream[:ROUNDS] | np.uint64(1)
    offsets = stream[ROUNDS:]
    return multipliers, offsets


_MULTIPLIERS, _OFFSETS = _constants()
_BAND_TAGS = _splitmix(np.arange(BANDS, dtype=np.uint64) + np.uint64(_SEED ^ 0xBA4D))
_ROW_FACTORS = (
    _splitmix(np.arange(ROWS, dtype=np.uint64) + np.uint64(_SEED ^ 0x0DD5)) | np.uint64(1)
)[:, None]
_LOW_BITS = np.uint64((1 << BITS) - 1)
_SLOT_SHIFT = np.uint64(64 - SLOTS.bit_length() + 1)
if 1 << (64 - int(_SLOT_SHIFT)) != SLOTS:
    raise AssertionError("SLOTS must be a power of two")
if BITS != 2:
    raise AssertionError("agreement() counts two-bit groups")
_PACK_SHIFTS = np.arange(64 // BITS, dtype=np.uint64) * np.uint64(BITS)
_EVEN_BITS = np.uint64(0x5555555555555555)
_ROUND_BITS = np.arange(ROUNDS, dtype=np.uint64) << np.uint64(32)


@dataclass(frozen=True, slots=True)
class Signatures:
    """Signatures of a batch of texts; rows of unusable (too short) texts are all zero."""

    keys: NDArray[np.uint32]  # (texts, BANDS): band keys
    bits: NDArray[np.uint64]  # (texts, WORDS): low BITS bits of every slot, packed
    usable: NDArray[np.bool_]  # (texts,)

    def __len__(self) -> int:
        return len(self.usable)


def signatures(texts: Sequence[str]) -> Signatures:
    """Sign a batch of texts at once; batching is what makes NumPy pay off."""
    return signatures_of_fingerprints([fingerprint_text(text) for text in texts])


def signatures_of_fingerprints(fingerprints: Sequence[str]) -> Signatures:
    """Sign texts that already went through :func:`fingerprint_text`."""
    count = len(fingerprints)
    keys = np.zeros((count, BANDS), dtype=np.uint32)
    bits = np.zeros((count, WORDS), dtype=np.uint64)
    if count == 0:
        return Signatures(keys, bits, np.zeros(0, dtype=np.bool_))
    codes, owner = _code_points(fingerprints)
    usable = _content(codes, owner, count) >= 2 * MIN_CONTENT
    hashes, text_of = _shingle_hashes(codes, owner, usable)
    if hashes.size:
        sketch = _sketch(hashes, text_of, count)
        keys[usable] = _band_keys(sketch[usable])
        bits[usable] = _low_bits(sketch[usable])
    return Signatures(keys, bits, usable)


def _band_keys(sketch: NDArray[np.uint64]) -> NDArray[np.uint32]:
    """Digest band ``b``'s slots ``b, b + BANDS, …`` into one 32-bit key.

    Slots far apart: an empty slot borrows from the next filled one (:func:`_densify`), and
    a band made of neighbours would often hold one value twice. Each slot is multiplied by
    an odd constant of its row before the four are combined, so that swapping two slots'
    values changes the key; only the top half of the final mix is kept.
    """
    columns = sketch.reshape(len(sketch), ROWS, BANDS) * _ROW_FACTORS
    digest = _splitmix(np.bitwise_xor.reduce(columns, axis=1) ^ _BAND_TAGS)
    return (digest >> np.uint64(32)).astype(np.uint32)


def _low_bits(sketch: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """The low ``BITS`` bits of every slot, ``64 // BITS`` slots to a word."""
    low = (sketch & _LOW_BITS).reshape(len(sketch), WORDS, 64 // BITS)
    packed: NDArray[np.uint64] = np.bitwise_or.reduce(low << _PACK_SHIFTS, axis=2)
    return packed


def _code_points(fingerprints: Sequence[str]) -> tuple[NDArray[np.uint32], NDArray[np.intp]]:
    """All texts as one code-point array, NUL-separated, and the text each position is in."""
    joined = "\x00".join(fingerprints) + "\x00\x00"
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    is_separator = codes == 0
    owner = np.cumsum(is_separator) - is_separator
    return codes, owner.astype(np.intp)


def _content(codes: NDArray[np.uint32], owner: NDArray[np.intp], count: int) -> NDArray[np.float64]:
    """Twice the content length: two per ideograph, one per Latin letter, none for 0 ↗ Ⓝ."""
    ideograph = ((codes >= 0x3400) & (codes <= 0x9FFF)) | ((codes >= 0xF900) & (codes <= 0xFAFF))
    letter = (codes >= 0x61) & (codes <= 0x7A)
    weight = 2.0 * ideograph + letter
    return np.bincount(owner, weights=weight, minlength=count)[:count].astype(np.float64)


def _shingle_hashes(
    codes: NDArray[np.uint32], owner: NDArray[np.intp], usable: NDArray[np.bool_]
) -> tuple[NDArray[np.uint64], NDArray[np.intp]]:
    """One 64-bit hash per shingle start, with the text it belongs to.

    A shingle is packed losslessly from its code points (21 bits each) before hashing, so two
    different shingles never share a key; a trigram at the end of a text includes the NUL
    separator, which simply makes it a distinct, shorter shingle.
    """
    first, second, third = codes[:-2], codes[1:-1], codes[2:]
    starts = (first != 0) & (second != 0) & usable[owner[:-2]]
    first64 = first[starts].astype(np.uint64)
    second64 = second[starts].astype(np.uint64)
    third64 = third[starts].astype(np.uint64)
    latin = (first64 >= np.uint64(0x61)) & (first64 <= np.uint64(0x7A))
    pair = (first64 << np.uint64(21)) | second64
    triple = (pair << np.uint64(21)) | third64 | np.uint64(1 << 63)
    keys = np.where(latin, triple, pair)
    return _splitmix(keys ^ np.uint64(_SEED)), owner[:-2][starts]


def _sketch(
    hashes: NDArray[np.uint64], text_of: NDArray[np.intp], count: int
) -> NDArray[np.uint64]:
    """Throw every shingle into ``ROUNDS`` slots, then densify the slots left empty."""
    sketch = np.full(count * SLOTS, _EMPTY, dtype=np.uint64)
    _throw(sketch, hashes, text_of)
    table = sketch.reshape(count, SLOTS)
    _densify(table)
    return table


def _throw(
    sketch: NDArray[np.uint64], hashes: NDArray[np.uint64], text_of: NDArray[np.intp]
) -> None:
    """Throw every shingle once per round; a slot keeps the smallest (round, hash).

    The round number sits above the 32 hash bits, so an earlier round always wins a slot.
    For a big batch one round at a time is about three times faster than one broadcast over
    all rounds (the scattered minimum walks the sketch in order, temporaries stay in cache);
    for a few texts the broadcast wins by making fewer NumPy calls. Both give the same sketch.
    """
    base = (text_of * SLOTS).astype(np.uint64)
    if hashes.size <= _BROADCAST_LIMIT:
        _throw_rounds(sketch, hashes[:, None], base[:, None], _MULTIPLIERS, _OFFSETS, _ROUND_BITS)
        return
    for number in range(ROUNDS):
        bits = _ROUND_BITS[number : number + 1]
        _throw_rounds(sketch, hashes, base, _MULTIPLIERS[number], _OFFSETS[number], bits)


def _throw_rounds(
    sketch: NDArray[np.uint64],
    hashes: NDArray[np.uint64],
    base: NDArray[np.uint64],
    multipliers: NDArray[np.uint64] | np.uint64,
    offsets: NDArray[np.uint64] | np.uint64,
    round_bits: NDArray[np.uint64],
) -> None:
    """One scattered minimum for the given rounds (broadcast when they are arrays)."""
    mixed = hashes * multipliers + offsets
    mixed ^= mixed >> np.uint64(29)
    slot = mixed >> _SLOT_SHIFT  # the top bits: multiply-shift hashing
    value = (mixed & _U32) | round_bits
    where = (base + slot).astype(np.intp)
    np.minimum.at(sketch, where.reshape(-1), value.reshape(-1))


def _densify(table: NDArray[np.uint64]) -> None:
    """Give every empty slot the value of the next filled slot to its right (wrapping).

    Consistency is what matters: two similar texts have similar empty slots, so they borrow
    from the same slot, and a borrowed slot agrees with probability equal to the Jaccard
    similarity, as a filled one does ("densified one-permutation hashing", Shrivastava and Li
    2014). Bands take every ``BANDS``-th slot (see :mod:`~smsguard.fingerprints.bands`), so a
    slot seldom borrows from its own band; the borrowed value is re-mixed with the distance
    so that a copy never agrees with its source by construction.
    """
    empty = table == _EMPTY
    holes = np.flatnonzero(empty)
    if holes.size == 0:
        return
    positions = np.arange(SLOTS, dtype=np.int32)
    marks = np.where(empty, np.int32(2 * SLOTS), positions)
    following = np.minimum.accumulate(marks[:, ::-1], axis=1)[:, ::-1].reshape(-1)
    first = np.repeat(following[::SLOTS], SLOTS)
    wrapped = following >= SLOTS
    following[wrapped] = first[wrapped] + SLOTS
    slot = holes % SLOTS
    ahead = following[holes]
    source = holes - slot + ahead % SLOTS
    flat = table.reshape(-1)
    distance = (ahead - slot).astype(np.uint64)
    flat[holes] = _splitmix(flat[source] ^ (distance << np.uint64(48)))
    flat[holes[ahead >= 2 * SLOTS]] = 0  # no slot filled at all: only unusable texts


def agreement(
    stored: NDArray[np.uint64],
    rows: NDArray[np.intp],
    queries: NDArray[np.uint64],
    query_of: NDArray[np.intp],
) -> NDArray[np.float64]:
    """Share of equal slots between ``stored[rows[i]]`` and ``queries[query_of[i]]``.

    Works on the packed bits: XOR leaves a two-bit group zero where the slots agree, and
    the zero groups are counted with one popcount per word.
    """
    if rows.size == 0:
        return np.zeros(0, dtype=np.float64)
    differ = stored[rows] ^ queries[query_of]
    same = ~(differ | (differ >> np.uint64(1))) & _EVEN_BITS
    counts: NDArray[np.int64] = _popcount(same).sum(axis=1, dtype=np.int64)
    return counts.astype(np.float64) / SLOTS


def _popcount(words: NDArray[np.uint64]) -> NDArray[np.uint8]:
    """Set bits per word; ``np.bitwise_count`` where NumPy has it (2.0+), else by bytes."""
    if hasattr(np, "bitwise_count"):
        counted: NDArray[np.uint8] = np.bitwise_count(words)
        return counted
    as_bytes = words.view(np.uint8).reshape(*words.shape, 8)
    by_bytes: NDArray[np.uint8] = _BYTE_COUNTS[as_bytes].sum(axis=-1, dtype=np.uint8)
    return by_bytes


_BYTE_COUNTS = np.array([bin(value).count("1") for value in range(256)], dtype=np.uint8)


def similarity(shared: NDArray[np.float64]) -> NDArray[np.float64]:
    """Turn the share of agreeing b-bit slots into an estimate of Jaccard similarity."""
    chance = 1.0 / (1 << BITS)
    estimate: NDArray[np.float64] = np.clip((shared - chance) / (1.0 - chance), 0.0, 1.0)
    return estimate
