"""The pure-Python prefilter: required literals ("factors") of each pattern.

For every pattern we derive from the ``re`` parse tree a small set of strings, its *factors*,
such that every match contains at least one of them (``(?:贷|代)款|包下款`` gives
{贷款, 代款, 包下款}). A message can only match a pattern whose factor occurs in it, and a
substring test (``in``) costs a fraction of ``re.search``. To avoid testing every pattern on
every message, each factor is filed under its rarest character, and a message first collects
the filed characters it contains with one set intersection.

A pattern with no usable factors (``\\d{11}``, or anything case-insensitive) is simply
proposed for every message: the prefilter may over-propose, never under-propose.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

Factors = frozenset[str]

# Factor sets and character classes larger than this are not worth listing.
_LIMIT = 256
_ZERO_WIDTH = frozenset({"AT", "ASSERT", "ASSERT_NOT"})
_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})
_NO_CASE_FOLDING = re.IGNORECASE | re.LOCALE  # under these flags literals stop being literal
# Latin letters from most to least frequent in English text.
_LETTER_ORDER = "etaoinsrhldcumfpgwybvkxjqz"
# Some of the most frequent Chinese characters in general text and in SMS: poor keys.
_COMMON_HANZI = frozenset(
    "的一是不了在人有我这个们中来上大为和到以说时要就出会可也你对生能年发后用您元号月日请回"
)


class TriggerIndex:
    """Pattern indexes filed under the rarest character of each of their factors."""

    def __init__(self, entries: Iterable[tuple[int, Factors | None]]) -> None:
        always: list[int] = []
        filed: dict[str, list[tuple[str, int]]] = {}
        for index, factors in entries:
            if factors is None:
                always.append(index)
                continue
            for factor in sorted(factors):
                filed.setdefault(min(factor, key=_char_cost), []).append((factor, index))
        self._always = tuple(always)
        self._filed = {char: tuple(pairs) for char, pairs in filed.items()}
        self._chars = frozenset(filed)

    def candidates(self, text: str) -> list[int]:
        """Indexes of the patterns that may match ``text``, in no particular order."""
        found = list(self._always)
        present = self._chars.intersection(text)
        if not present:
            return found
        seen: set[int] = set()
        filed = self._filed
        for char in present:
            for factor, index in filed[char]:
                if factor in text and index not in seen:
                    seen.add(index)
                    found.append(index)
        return found


def pattern_factors(parsed: Any) -> Factors | None:
    """Factors of a parsed pattern, or ``None`` when it has none worth using."""
    if parsed.state.flags & _NO_CASE_FOLDING:
        return None
    return _sequence_factors(parsed)


def _sequence_factors(nodes: Iterable[tuple[Any, Any]]) -> Factors | None:
    """Best factor set of a concatenation: any element's set, or a run of exact elements.

    Consecutive elements with a finite language (``秒``, ``[贷代]``, ``(?:批|pi)``) match
    adjacent text, so the product of their languages is a factor set of longer, rarer strings.
    """
    options: list[Factors] = []
    run: Factors = frozenset({""})
    for op, av in nodes:
        name = op.name
        if name in _ZERO_WIDTH:
            continue
        exact = _exact(name, av)
        if exact is not None and (longer := _product(run, exact)) is not None:
            run = longer
            continue
        options.append(run)
        run = exact if exact is not None else frozenset({""})
        if exact is None and (inner := _node_factors(name, av)) is not None:
            options.append(inner)
    options.append(run)
    usable = [option for option in options if "" not in option]
    return min(usable, key=_set_cost, default=None)


def _node_factors(name: str, av: Any) -> Factors | None:
    if name == "SUBPATTERN":
        return None if av[1] & _NO_CASE_FOLDING else _sequence_factors(av[3])
    if name == "ATOMIC_GROUP":
        return _sequence_factors(av)
    if name in _REPEATS and av[0] >= 1:
        return _sequence_factors(av[2])
    if name == "BRANCH":
        return _union(_sequence_factors(branch) for branch in av[1])
    return None


def _exact(name: str, av: Any) -> Factors | None:
    """The finite set of strings a node matches, if it is small; else ``None``."""
    if name == "LITERAL":
        return frozenset({chr(av)})
    if name == "IN":
        return _class_chars(av)
    if name == "BRANCH":
        return _union(_exact_sequence(branch) for branch in av[1])
    if name == "SUBPATTERN" and not av[1] & _NO_CASE_FOLDING:
        return _exact_sequence(av[3])
    return None


def _exact_sequence(nodes: Iterable[tuple[Any, Any]]) -> Factors | None:
    run: Factors | None = frozenset({""})
    for op, av in nodes:
        if op.name in _ZERO_WIDTH:
            continue
        exact = _exact(op.name, av)
        if exact is None or run is None:
            return None
        run = _product(run, exact)
    return run


def _class_chars(items: Iterable[tuple[Any, Any]]) -> Factors | None:
    chars: set[str] = set()
    for op, av in items:
        if op.name == "LITERAL":
            chars.add(chr(av))
        elif op.name == "RANGE" and av[1] - av[0] < _LIMIT:
            chars.update(map(chr, range(av[0], av[1] + 1)))
        else:  # NEGATE, a category or a wide range: too many characters to list
            return None
    return frozenset(chars) if len(chars) <= _LIMIT else None


def _union(sets: Iterable[Factors | None]) -> Factors | None:
    union: set[str] = set()
    for found in sets:
        if found is None:
            return None
        union |= found
    return frozenset(union) if len(union) <= _LIMIT else None


def _product(left: Factors, right: Factors) -> Factors | None:
    if len(left) * len(right) > _LIMIT:
        return None
    return frozenset(a + b for a in left for b in right)


def _char_cost(char: str) -> float:
    """Guess how often a character occurs in an SMS: Latin, digits and spaces are common."""
    if ord(char) > 0x7F:
        return 3.0 if char in _COMMON_HANZI else 1.0
    rank = _LETTER_ORDER.find(char)
    return 2.0 + 6.0 * (len(_LETTER_ORDER) - rank) / len(_LETTER_ORDER) if rank >= 0 else 8.0


def _set_cost(factors: Factors) -> float:
    """Expected work a factor set causes: longer strings are rarer."""
    return sum(min(map(_char_cost, factor)) * 0.25 ** (len(factor) - 1) for factor in factors)
