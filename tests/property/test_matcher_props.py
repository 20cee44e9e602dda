"""Both matcher backends equal plain ``re``, on generated patterns and texts."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from smsguard.errors import RulebookError
from smsguard.screening import _charsets
from smsguard.screening.matcher import (
    Backend,
    Hit,
    Matcher,
    PatternSpec,
    compile_matcher,
    hyperscan_available,
)

BACKENDS: list[Backend] = ["re", "hyperscan"] if hyperscan_available() else ["re"]

# Text is drawn mostly from the characters the patterns use, so that matches, near misses
# and overlaps are common; plus newlines (the batch separator), astral characters,
# digits and spaces from other scripts, and a lone surrogate.
PIECES = ["秒", "批", "贷", "代", "款", "a", "b", "x", "1", "9", " ", "\n", "😀", "，", "_"]
EXOTIC = ["٣", "𞥑", "\u3000", "\x1c", "ǅ", "\ud800", "A"]

ATOMS = st.sampled_from(
    [re.escape(piece) for piece in PIECES]
    + [r"[秒贷]", r"[^批]", r"[a-b]", r"[^\s，]", r"\d", r"\w", r"\s", r"\W", r"\D", "."]
)
ZERO_WIDTH = st.sampled_from([r"\b", r"\B", "^", "$", r"\A", r"\Z", "(?=秒)", "(?<!a)"])
QUANTIFIERS = st.sampled_from(
    ["?", "*", "+", "{1,3}", "{2}", "*?", "+?", "{0,2}?", "{2,17}", "{17}", "{3,}", "++"]
)


def _regexes() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.lists(inner, min_size=2, max_size=4).map("".join),
            st.lists(inner, min_size=2, max_size=3).map(lambda xs: "(?:" + "|".join(xs) + ")"),
            st.tuples(inner, QUANTIFIERS).map(lambda pair: f"(?:{pair[0]}){pair[1]}"),
            st.tuples(ZERO_WIDTH, inner).map("".join),
            st.tuples(inner, ZERO_WIDTH).map("".join),
        )

    return st.recursive(ATOMS, extend, max_leaves=8)


TEXTS = st.lists(
    st.text(alphabet=st.sampled_from(PIECES + EXOTIC) | st.characters(), max_size=24),
    max_size=8,
)


def expected(specs: Sequence[PatternSpec], text: str) -> list[Hit]:
    """The contract with plain ``re``: leftmost match per pattern, sorted by (start, id)."""
    hits = []
    for spec in specs:
        match = re.search(spec.regex, text)
        if match:
            hits.append(Hit(spec.id, match.start(), match.end()))
    return sorted(hits, key=lambda hit: (hit.start, hit.pattern_id))


def matchers(specs: Sequence[PatternSpec]) -> list[Matcher]:
    try:
        return [compile_matcher(specs, backend=backend) for backend in BACKENDS]
    except RulebookError:  # e.g. a generated pattern that can match the empty string
        assume(False)
        raise


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(regexes=st.lists(_regexes(), min_size=1, max_size=5), texts=TEXTS)
def test_backends_equal_re(regexes: list[str], texts: list[str]) -> None:
    specs = [PatternSpec(id=10 - i, regex=regex) for i, regex in enumerate(regexes)]
    want = [expected(specs, text) for text in texts]
    for matcher in matchers(specs):
        assert matcher.scan_batch(texts) == want, matcher.backend
        assert [matcher.scan(text) for text in texts] == want, matcher.backend


FIXED = [
    PatternSpec(0, r"\d+"),
    PatternSpec(1, r"\w{2}"),
    PatternSpec(2, r"\s"),
    PatternSpec(3, r"[^\W\d_]"),
    PatternSpec(4, r"\S\b"),
    PatternSpec(5, r"(?s).{3}$"),
    PatternSpec(6, r"秒批|贷款"),
]


@functools.cache
def fixed_matchers() -> list[Matcher]:
    return [compile_matcher(FIXED, backend=backend) for backend in BACKENDS]


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.text(max_size=40), max_size=10))
def test_any_unicode_text(texts: list[str]) -> None:
    want = [expected(FIXED, text) for text in texts]
    for matcher in fixed_matchers():
        assert matcher.scan_batch(texts) == want, matcher.backend


CODE_POINTS = st.integers(min_value=0, max_value=0x10FFFF)
PAIRS = st.lists(st.tuples(CODE_POINTS, CODE_POINTS), max_size=80)


def member(point: int, ranges: _charsets.Ranges) -> bool:
    return any(low <= point <= high for low, high in ranges)


@given(pairs=PAIRS, probes=st.lists(CODE_POINTS))
def test_charset_complement_and_widening(pairs: list[tuple[int, int]], probes: list[int]) -> None:
    """Complement splits valid code points exactly; widening only ever adds members."""
    ranges = _charsets.valid(_charsets.merge((min(pair), max(pair)) for pair in pairs))
    edges = [point + step for low, high in ranges for point in (low, high) for step in (-1, 0, 1)]
    outside, wide = _charsets.complement(ranges), _charsets.coarsen(ranges)
    for point in [*probes, *edges]:
        if 0xD800 <= point <= 0xDFFF or not 0 <= point <= 0x10FFFF:
            continue
        assert member(point, ranges) != member(point, outside)
        assert member(point, wide) or not member(point, ranges)
