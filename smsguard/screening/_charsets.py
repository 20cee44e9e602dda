"""Sets of Unicode code points as sorted, disjoint, inclusive ranges.

The Hyperscan translation spells every character class out as ranges (see
:mod:`smsguard.screening._hs`); this module holds the set algebra it needs and the one
source of truth for what ``\\d``, ``\\w`` and ``\\s`` mean: Python's own regex engine.
Surrogates are never part of a set: they cannot be UTF-8 encoded, so they never reach
Hyperscan.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

Ranges = tuple[tuple[int, int], ...]

_SURROGATES = (0xD800, 0xDFFF)
_LAST_CODE_POINT = 0x10FFFF
_CATEGORY_ESCAPES = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}
# Character sets are widened to about this many ranges, except inside these zones (ASCII,
# CJK punctuation and ideographs, full-width forms; surrogates can never be spanned).
_MAX_RANGES = 24
_EXACT_ZONES = ((0, 0x7F), (0x3000, 0x303F), (0x4E00, 0x9FFF), (0xD800, 0xDFFF), (0xFF00, 0xFFEF))


def merge(ranges: Iterable[tuple[int, int]]) -> Ranges:
    """Sort, and join overlapping or touching ranges: the canonical form the rest expects."""
    out: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if out and low <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(high, out[-1][1]))
        else:
            out.append((low, high))
    return tuple(out)


def complement(ranges: Ranges) -> Ranges:
    """Valid (non-surrogate) code points NOT in ``ranges``."""
    out: list[tuple[int, int]] = []
    nxt = 0
    for low, high in merge(ranges):
        if low > nxt:
            out.append((nxt, low - 1))
        nxt = max(nxt, high + 1)
    if nxt <= _LAST_CODE_POINT:
        out.append((nxt, _LAST_CODE_POINT))
    return valid(tuple(out))


def valid(ranges: Ranges) -> Ranges:
    """Drop surrogates: they cannot be UTF-8 encoded, so they never reach Hyperscan."""
    out: list[tuple[int, int]] = []
    for low, high in ranges:
        if low < _SURROGATES[0]:
            out.append((low, min(high, _SURROGATES[0] - 1)))
        if high > _SURROGATES[1]:
            out.append((max(low, _SURROGATES[1] + 1), high))
    return tuple(out)


ALL: Ranges = valid(((0, _LAST_CODE_POINT),))


@functools.cache
def category(name: str, ascii_only: bool) -> Ranges:
    """Ask Python's own engine which code points ``\\d``/``\\w``/``\\s``… accept."""
    runs = re.compile(_CATEGORY_ESCAPES[name] + "+", re.ASCII if ascii_only else 0)
    out: list[tuple[int, int]] = []
    for base, block in _blocks():
        out.extend((base + m.start(), base + m.end() - 1) for m in runs.finditer(block))
    return tuple(out)


@functools.cache
def _blocks() -> tuple[tuple[int, str], ...]:
    """Every valid code point, in order, in two strings split around the surrogates."""
    low, high = _SURROGATES
    return (
        (0, "".join(map(chr, range(low)))),
        (high + 1, "".join(map(chr, range(high + 1, _LAST_CODE_POINT + 1)))),
    )


def coarsen(ranges: Ranges) -> Ranges:
    """Widen a set of many ranges (``\\w`` has ~700) to about ``_MAX_RANGES`` of them.

    Hyperscan limits pattern length and compiles huge classes slowly; a superset is all the
    prefilter needs. The narrowest gaps are filled first, except where SMS text lives
    (ASCII, CJK, full-width forms), which stays exact so that extra candidates stay rare.
    """
    if len(ranges) <= _MAX_RANGES:
        return ranges
    gaps = sorted(
        (ranges[i + 1][0] - ranges[i][1], i)
        for i in range(len(ranges) - 1)
        if not _keeps_exact(ranges[i][1], ranges[i + 1][0])
    )
    fill = {i for _, i in gaps[: len(ranges) - _MAX_RANGES]}
    out = [ranges[0]]
    for i in range(1, len(ranges)):
        if i - 1 in fill:  # the gap before range i is filled: extend the previous range
            out[-1] = (out[-1][0], ranges[i][1])
        else:
            out.append(ranges[i])
    return tuple(out)


def _keeps_exact(gap_low: int, gap_high: int) -> bool:
    return any(gap_low <= high and low <= gap_high for low, high in _EXACT_ZONES)
