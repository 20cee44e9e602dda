"""Screening results for the monitor, across the process boundary between expansion and worker.

Rendered texts are screened when a campaign is expanded, in the process that started it
(``smsguard campaigns start``); the monitor lives in the worker. Rather than give expansion a
monitor of its own (whose windows nobody would see), expansion writes one compact
``screening_summaries`` row per chunk in the same transaction as the chunk's outbox rows: how
many texts were screened, how many re-screening refused, and a histogram of fraud scores in
whole percent. No text and no customer is in it. The worker's watch reads the rows added
since its last poll, like it reads the audit trail, and feeds ``screened`` events (the score
as ``value``, rounded down to the hundredth) and ``screening_block`` events to the monitor,
so the fraud-burst detector fires in the process that can act on it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smsguard.gateway.plan import RenderedTextCheck
from smsguard.monitor.events import Event, EventKind
from smsguard.store.monitor_models import ScreeningSummary

_BATCH = 1000
_FRESH = timedelta(hours=23)  # the monitor refuses events older than its 24-hour window


def summary_row(
    check: RenderedTextCheck,
    texts: Sequence[str],
    *,
    institution_id: int,
    campaign_id: int | None,
    version_id: int,
    at: datetime,
) -> dict[str, Any] | None:
    """The summary of one chunk's rendered texts (one per recipient), None when there are
    none. Counted per recipient: ten thousand copies of a fraud text are ten thousand
    messages, even though screening saw the text once."""
    if not texts:
        return None
    histogram: Counter[str] = Counter()
    blocked = 0
    for text in texts:
        score = check.score(text)
        if score is not None:
            histogram[str(min(100, math.floor(score * 100 + 1e-9)))] += 1
        if check.problem(text) is not None:
            blocked += 1
    return {
        "institution_id": institution_id,
        "campaign_id": campaign_id,
        "template_version_id": version_id,
        "screened": len(texts),
        "blocked": blocked,
        "fraud": dict(histogram),
        "at": at,
    }


def start_cursor(session: Session, now: datetime) -> int:
    """The id after which summaries are still young enough for the monitor (under 23 h)."""
    older = session.scalar(
        select(ScreeningSummary.id)
        .where(ScreeningSummary.at <= now - _FRESH)
        .order_by(ScreeningSummary.id.desc())
        .limit(1)
    )
    return older or 0


def screening_events(
    session: Session, after: int, institution: str, now: datetime
) -> tuple[list[Event], int]:
    """Monitor events for the summaries after id ``after``, and the new cursor. A summary
    stamped a little ahead of ``now`` (another host's clock) counts at ``now``; one older
    than the monitor's windows is passed over."""
    rows = session.scalars(
        select(ScreeningSummary)
        .where(ScreeningSummary.id > after)
        .order_by(ScreeningSummary.id)
        .limit(_BATCH)
    ).all()
    if not rows:
        return [], after
    events: list[Event] = []
    for row in rows:
        at = min(_aware(row.at), now)
        if at > now - _FRESH:
            events += _events(row, at, institution)
    return events, rows[-1].id


def _events(row: ScreeningSummary, at: datetime, institution: str) -> list[Event]:
    """The unscored ``screened`` messages, then one ``screened`` event per score bucket in
    rising order (so the fraud alert's "n of m screened" sees the whole chunk), then one
    ``screening_block``."""
    campaign = None if row.campaign_id is None else str(row.campaign_id)
    template = str(row.template_version_id)

    def event(kind: EventKind, count: int, value: float | None = None) -> Event:
        return Event(kind, at, institution, campaign=campaign, template=template,
                     count=count, value=value)  # fmt: skip

    scored = {int(bucket): int(count) for bucket, count in row.fraud.items()}
    unscored = row.screened - sum(scored.values())
    found = [event(EventKind.SCREENED, unscored)] if unscored > 0 else []
    found += [event(EventKind.SCREENED, n, b / 100) for b, n in sorted(scored.items()) if n > 0]
    if row.blocked > 0:
        found.append(event(EventKind.SCREENING_BLOCK, row.blocked))
    return found


def _aware(value: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; they were stored in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
