"""A :class:`~smsguard.targeting.ports.Scorer` turned into SQL for ranking and segments.

The model answers in Python (``probability``, ``segment``) but selection runs in the
database, so the two Python functions are read off once as thresholds on the log-odds: the
smallest log-odds whose probability reaches a minimum (found by bisection; the probability must
rise with the log-odds), and the log-odds at which the segment changes (found on a grid and
refined by bisection). The result is plain SQL: ``logit >= :t`` and a ``CASE``.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import case, false, literal, true
from sqlalchemy.sql.elements import ColumnElement

from smsguard.targeting.ports import Scorer

LOW, HIGH = -40.0, 40.0  # log-odds outside this range are probability 0 or 1 in practice
_GRID = 1600  # steps of 0.05 across the range
_ROUNDS = 60


def logit_threshold(scorer: Scorer, min_probability: float) -> float | None:
    """The smallest log-odds (to bisection precision, rounded up) with a probability of at
    least ``min_probability``; None when no log-odds in range reaches it."""
    if scorer.probability(HIGH) < min_probability:
        return None
    low, high = LOW, HIGH
    if scorer.probability(low) >= min_probability:
        return low
    for _ in range(_ROUNDS):
        middle = (low + high) / 2
        if scorer.probability(middle) >= min_probability:
            high = middle
        else:
            low = middle
    return high


def logit_at_least(scorer: Scorer, min_probability: float) -> ColumnElement[bool]:
    """SQL true for a customer whose probability reaches ``min_probability``."""
    threshold = logit_threshold(scorer, min_probability)
    if threshold is None:
        return false()
    if threshold <= LOW:
        return true()
    return scorer.logit() >= threshold


def segment_bounds(scorer: Scorer) -> tuple[str, list[tuple[float, str]]]:
    """The segment below every boundary, then (boundary, segment from there on) in order."""

    def label(logit: float) -> str:
        return scorer.segment(scorer.probability(logit))

    first = label(LOW)
    changes: list[tuple[float, str]] = []
    previous, current = LOW, first
    for step in range(1, _GRID + 1):
        point = LOW + (HIGH - LOW) * step / _GRID
        found = label(point)
        if found != current:
            changes.append((_boundary(label, previous, point, current), found))
            current = found
        previous = point
    return first, changes


def _boundary(label: Callable[[float], str], low: float, high: float, below: str) -> float:
    for _ in range(_ROUNDS):
        middle = (low + high) / 2
        if label(middle) == below:
            low = middle
        else:
            high = middle
    return high


def segment_case(scorer: Scorer, logit: ColumnElement[float]) -> ColumnElement[str]:
    """The scorer's segment as an SQL ``CASE`` over the log-odds."""
    first, changes = segment_bounds(scorer)
    if not changes:
        return literal(first)
    labels = [first] + [segment for _, segment in changes]
    whens = [(logit < bound, labels[i]) for i, (bound, _) in enumerate(changes)]
    return case(*whens, else_=labels[-1])
