"""Complaint statistics as a pure function of case facts: volume, categories, speed, deadlines.

"Within deadline" compares each resolved case's resolution time with the deadline it had
when it was resolved (an approved extension counts as part of the deadline, which is what
regulations.md §D1 allows); open cases past their deadline are counted separately as
breaches in progress, so a desk cannot look better by leaving late cases unresolved.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from statistics import mean, median


@dataclass(frozen=True)
class CaseFacts:
    """What statistics need from one case."""

    category: str
    channel: str
    status: str
    received_at: datetime
    due_at: datetime
    resolved_at: datetime | None = None
    promise_due_at: datetime | None = None


@dataclass(frozen=True)
class ComplaintStats:
    """Figures over the complaints received in a period."""

    total: int
    by_category: Mapping[str, int]
    by_channel: Mapping[str, int]
    by_status: Mapping[str, int]
    resolved: int
    median_hours_to_resolve: float | None
    mean_hours_to_resolve: float | None
    within_deadline: int
    within_deadline_share: float | None
    within_promise_share: float | None
    open_overdue: int

    def to_dict(self) -> dict[str, object]:
        """JSON-ready figures (for the CLI now and the API later)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def summarise(cases: Iterable[CaseFacts], now: datetime) -> ComplaintStats:
    """The figures for ``cases`` as of ``now``."""
    facts = list(cases)
    done = [c for c in facts if c.resolved_at is not None]
    hours = [(c.resolved_at - c.received_at).total_seconds() / 3600 for c in done if c.resolved_at]
    on_time = sum(1 for c in done if c.resolved_at is not None and c.resolved_at <= c.due_at)
    promised = [c for c in done if c.promise_due_at is not None]
    kept = sum(
        1
        for c in promised
        if c.resolved_at and c.promise_due_at and c.resolved_at <= c.promise_due_at
    )
    overdue = sum(1 for c in facts if c.resolved_at is None and c.due_at <= now)
    return ComplaintStats(
        total=len(facts),
        by_category=dict(sorted(Counter(c.category for c in facts).items())),
        by_channel=dict(sorted(Counter(c.channel for c in facts).items())),
        by_status=dict(sorted(Counter(c.status for c in facts).items())),
        resolved=len(done),
        median_hours_to_resolve=round(median(hours), 2) if hours else None,
        mean_hours_to_resolve=round(mean(hours), 2) if hours else None,
        within_deadline=on_time,
        within_deadline_share=_share(on_time, len(done)),
        within_promise_share=_share(kept, len(promised)),
        open_overdue=overdue,
    )
