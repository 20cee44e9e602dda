"""The pure-Python prefilter: literals a pattern's matches must contain.

From the ``re`` parse tree we derive, for every pattern, a few *requirements*: sets of
strings ("factors") such that every match contains at least one string of EACH set. For
``日[ ._*-]?(?:息|xi)`` that is {日} and {息, xi}; for ``(?:贷|代)款`` it is {贷款, 代款}.
A message can only match a pattern whose requirements it meets, and substring tests (``in``)
cost a fraction of ``re.search``. To avoid testing every pattern on every message, the factors
of each pattern's best requirement are filed under their rarest character, and a message
first collects the filed characters it contains with one set intersection; the pattern's
other requirements are checked only then.

A pattern with no usable factors (``\\d{11}``, or anything case-insensitive) is simply
proposed for every message: the prefilter may over-propose, never under-propose.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

Factors = frozenset[str]
# Requirements of one pattern, best (most selective) first; every match meets all of them.
Requirements = tuple[Factors, ...]

# Factor sets and character classes larger than this are not worth listing.
_LIMIT = 256
# Requirements kept per pattern: the filed one plus this many checked afterwards.
_EXTRA_CHECKS = 2
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
    """Pattern indexes filed under the rarest character of each factor they require."""

    def __init__(self, entries: Iterable[tuple[int, Requirements | None]]) -> None:
        always: list[int] = []
        filed: dict[str, list[tuple[str, int, Requirements]]] = {}
        for index, requirements in entries:
            if not requirements:
                always.append(index)
                continue
            first, extras = requirements[0], requirements[1 : 1 + _EXTRA_CHECKS]
            for factor in sorted(first):
                key = min(factor, key=_char_cost)
                filed.setdefault(key, []).append((factor, index, extras))
        self._always = tuple(always)
        self._filed = {char: tuple(entries) for char, entries in filed.items()}
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
            for factor, index, extras in filed[char]:
                if factor in text and index not in seen and (not extras or _meets(text, extras)):
                    seen.add(index)
                    found.append(index)
        return found


def _meets(text: str, requirements: Requirements) -> bool:
    """Does ``text`` contain a factor of every requirement? (Plain loops: this is hot.)"""
    for factors in requirements:
        for factor in factors:
            if factor in text:
                break
        else:
            return False
    return True


def pattern_requirements(parsed: Any) -> Requirements | None:
    """Requirements of a parsed pattern, or ``None`` when it has none worth using."""
    if parsed.state.flags & _NO_CASE_FOLDING:
        return None
    return tuple(_sequence_requirements(parsed)) or None


def _sequence_requirements(nodes: Iterable[tuple[Any, Any]]) -> list[Factors]:
    """Requirements of a concatenation: those of every element, and of runs of exact ones.

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
        if exact is None:
            options.extend(_node_requirements(name, av))
    options.append(run)
    usable = {option for option in options if "" not in option}
    ranked = sorted(usable, key=lambda option: (_set_cost(option), sorted(option)))
    return ranked[: 1 + _EXTRA_CHECKS]


def _node_requirements(name: str, av: Any) -> list[Factors]:
    if name == "SUBPATTERN":
        return [] if av[1] & _NO_CASE_FOLDING else _sequence_requirements(av[3])
    if name == "ATOMIC_GROUP":
        return _sequence_requirements(av)
    if name in _REPEATS and av[0] >= 1:
        return _sequence_requirements(av[2])
    if name == "BRANCH":
        return _branch_requirements(av[1])
    return []


def _branch_requirements(branches: Iterable[Any]) -> list[Factors]:
    """Each alternative's k-th requirement, united over the alternatives, is required."""
    per_branch = [_sequence_requirements(branch) for branch in branches]
    united = (_union(ranked) for ranked in zip(*per_branch, strict=False))
    return [factors for factors in united if factors is not None]


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
