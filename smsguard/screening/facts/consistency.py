"""Does the small print agree with the headline? Annual versus daily/monthly rate checks.

PBoC 〔2021〕 No. 3 lets an advert show a daily or monthly rate only beside the annualised one,
and the two must describe the same price: 日利率0.05% goes with 年化18.25%, not 年化10%. A
mismatch is either an arithmetic slip or a low headline that hides the real cost.
"""

from __future__ import annotations

from collections.abc import Sequence

from smsguard.screening.facts.model import ANNUAL_KINDS, Rate, RateInconsistency


def _annual_bands(rates: Sequence[Rate]) -> list[tuple[float, float, Rate]]:
    """Exact annual figures and paired ranges as (low, high, the rate that closes them)."""
    bands: list[tuple[float, float, Rate]] = []
    pending_low: Rate | None = None
    for rate in rates:
        if rate.kind not in ANNUAL_KINDS:
            continue
        if rate.bound == "exact":
            bands.append((rate.value, rate.value, rate))
        elif rate.bound == "range_low":
            pending_low = rate
        elif rate.bound == "range_high" and pending_low is not None:
            bands.append((pending_low.value, rate.value, rate))
            pending_low = None
    return bands


def find_inconsistencies(rates: Sequence[Rate]) -> tuple[RateInconsistency, ...]:
    """Pairs of (annual, daily/monthly) exact figures that disagree beyond tolerance.

    Tolerance is 5 % relative or 0.5 percentage points, whichever is larger, so rounding in
    "日利率0.05%，年化18.25%" style adverts never trips it.
    """
    others = [
        r
        for r in rates
        if r.kind in ("daily", "monthly", "per_10k_daily", "per_day_amount")
        and r.bound == "exact"
        and r.annual_percent is not None
    ]
    if not others:
        return ()
    found: list[RateInconsistency] = []
    for low, high, annual in _annual_bands(rates):
        floor, ceiling = low - max(0.05 * low, 0.5), high + max(0.05 * high, 0.5)
        for other in others:
            converted = other.annual_percent or 0.0
            if not floor <= converted <= ceiling:
                found.append(
                    RateInconsistency(low, high, annual.span, other.kind, converted, other.span)
                )
    return tuple(found)
