"""Robust statistics for "unusual compared with its own history".

A fixed threshold cannot suit both a campaign whose opt-out rate is normally 0.1% and one
whose rate is normally 0.8%, nor a clerk who decrypts 20 records a day and a collections
agent who decrypts 2,000. The detectors therefore compare a value with the subject's own
recent history using the median and the median absolute deviation (MAD): unlike the mean
and standard deviation, one earlier spike (or the attack in progress, once it enters the
history) cannot drag them far. The modified z-score of Iglewicz and Hoaglin,
``0.6745 * (x - median) / MAD``, scales the MAD so that it matches the standard deviation for
normal data; values above 3.5 are their recommended outlier threshold.
"""

from __future__ import annotations

from collections.abc import Sequence

MAD_SCALE = 0.6745


def median(values: Sequence[float]) -> float:
    """The middle value (mean of the two middle values for an even count)."""
    if not values:
        raise ValueError("median of no values")
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def mad(values: Sequence[float], centre: float | None = None) -> float:
    """Median absolute deviation from ``centre`` (the median by default)."""
    centre = median(values) if centre is None else centre
    return median([abs(v - centre) for v in values])


def modified_z(
    value: float, history: Sequence[float], mad_floor: float
) -> tuple[float, float, float]:
    """``(z, median, mad)`` of ``value`` against ``history``; MAD is at least ``mad_floor``.

    The floor matters: a history of identical values (zero opt-outs minute after minute) has
    MAD 0, and any change at all would be an infinite z-score.
    """
    centre = median(history)
    spread = max(mad(history, centre), mad_floor)
    return MAD_SCALE * (value - centre) / spread, centre, spread
