"""Complaint cases for the monthly report, from the complaints desk's ``complaints`` table.

The one piece of report SQL outside :mod:`smsguard.reports.data`, kept apart because the
table belongs to a newer part of smsguard: data.py imports this module only when
``smsguard.store.complaint_models`` exists.

Handling time is ``resolved_at - received_at`` in whole seconds, computed by the database
from each timestamp truncated to the second, so SQLite and PostgreSQL give the same integer
(no float ever reaches the signed report). The median is the lower middle value, fetched with
ORDER BY … OFFSET rather than by loading every duration.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, and_, cast, extract, func, or_, select
from sqlalchemy.orm import Session

from smsguard.reports.model import ComplaintCases, Tally
from smsguard.reports.period import Period
from smsguard.store.complaint_models import Complaint


def case_figures(session: Session, period: Period) -> ComplaintCases:
    """Received, resolved (with handling times) and overdue cases of ``period``."""
    received = and_(Complaint.received_at >= period.start, Complaint.received_at < period.end)
    resolved = and_(Complaint.resolved_at >= period.start, Complaint.resolved_at < period.end)
    seconds = _seconds(session, Complaint.received_at, Complaint.resolved_at)
    n_resolved = _count(session, resolved)
    return ComplaintCases(
        received=_count(session, received),
        by_category=_by(session, Complaint.category, received),
        by_status=_by(session, Complaint.status, received),
        resolved=n_resolved,
        resolved_within_deadline=_count(
            session, resolved, Complaint.resolved_at <= Complaint.due_at
        ),
        median_handling_seconds=_median(session, seconds, resolved, n_resolved),
        max_handling_seconds=_int(session.scalar(select(func.max(seconds)).where(resolved))),
        overdue_at_end=_count(
            session,
            Complaint.received_at < period.end,
            Complaint.due_at < period.end,
            or_(Complaint.resolved_at.is_(None), Complaint.resolved_at >= period.end),
        ),
    )


def _seconds(session: Session, start: Any, end: Any) -> Any:
    """``end - start`` in whole seconds, the same integer on both backends."""
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.strftime("%s", end), Integer) - cast(func.strftime("%s", start), Integer)
    whole = [cast(extract("epoch", func.date_trunc("second", t)), Integer) for t in (end, start)]
    return whole[0] - whole[1]


def _count(session: Session, *where: Any) -> int:
    return int(session.scalar(select(func.count(Complaint.id)).where(*where)) or 0)


def _by(session: Session, column: Any, *where: Any) -> tuple[Tally, ...]:
    rows = session.execute(
        select(column, func.count()).where(*where).group_by(column).order_by(column)
    )
    return tuple(Tally(str(label), int(count)) for label, count in rows)


def _median(session: Session, seconds: Any, resolved: Any, count: int) -> int | None:
    if count == 0:
        return None
    query = select(seconds).where(resolved).order_by(seconds).limit(1).offset((count - 1) // 2)
    return _int(session.scalar(query))


def _int(value: object) -> int | None:
    return None if value is None else int(str(value))
