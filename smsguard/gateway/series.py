"""A campaign minute by minute: what was handed over, delivered, failed, refused or complained.

The dashboard's live chart needs these counts for the last hour or so while a campaign runs.
They are read from the rows that already record each event (the outbox's timestamps, the
consent rows an opt-out reply appends, the complaint cases), so there is no second set of
counters that could drift from the record. Counting happens in the database, grouped by
minute, so a campaign of a million messages costs one row per minute, not per message.

An opt-out belongs to a campaign when the customer withdrew by reply after this campaign's
message was handed to them; a complaint when its case links to the campaign.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import QueryableAttribute, Session

from smsguard.customers.inbound import INBOUND_SOURCE
from smsguard.errors import InputError
from smsguard.store.complaint_models import Complaint
from smsguard.store.gateway_models import Message
from smsguard.store.models import Consent

MAX_MINUTES = 24 * 60
FAILED_STATES = ("failed", "undelivered")
_LABEL = "%Y-%m-%d %H:%M"
Timestamp = QueryableAttribute[datetime] | QueryableAttribute[datetime | None]


@dataclass(frozen=True)
class MinuteCounts:
    """What happened to one campaign's messages during one minute (UTC)."""

    minute: datetime
    sent: int = 0
    delivered: int = 0
    failed: int = 0
    opt_outs: int = 0
    complaints: int = 0


def campaign_series(
    session: Session, campaign_id: int, *, now: datetime, minutes: int = 60
) -> list[MinuteCounts]:
    """Per-minute counts for the ``minutes`` minutes up to ``now``, oldest first, every
    minute present (zeros included) so a chart needs no gap filling."""
    if not 1 <= minutes <= MAX_MINUTES:
        raise InputError(f"a series covers 1-{MAX_MINUTES} minutes")
    end = now.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    start = end - timedelta(minutes=minutes)
    window = _Window(start, end, session.get_bind().dialect.name)
    counted = {
        kind: _grouped(session, query) for kind, query in _queries(campaign_id, window).items()
    }
    minutes_shown = (start + timedelta(minutes=i) for i in range(minutes))
    return [
        MinuteCounts(
            at, **{kind: found.get(at.strftime(_LABEL), 0) for kind, found in counted.items()}
        )
        for at in minutes_shown
    ]


def _minute(column: Timestamp, dialect: str) -> ColumnElement[str]:
    """The minute of a UTC timestamp as ``YYYY-MM-DD HH:MM`` text, on either backend."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24:MI")
    return func.strftime(_LABEL, column)


@dataclass(frozen=True)
class _Window:
    start: datetime
    end: datetime
    dialect: str

    def per_minute(
        self,
        column: Timestamp,
        *where: ColumnElement[bool],
        distinct: QueryableAttribute[int] | None = None,
    ) -> Select[str, int]:
        """Rows (or distinct values) counted by the minute of ``column`` in the window."""
        minute = _minute(column, self.dialect).label("minute")
        counted = func.count() if distinct is None else func.count(func.distinct(distinct))
        in_window = (column >= self.start, column < self.end)
        return select(minute, counted).where(*in_window, *where).group_by(minute)


def _queries(campaign_id: int, window: _Window) -> dict[str, Select[str, int]]:
    own = Message.campaign_id == campaign_id
    return {
        "sent": window.per_minute(Message.sent_at, own),
        "delivered": window.per_minute(Message.finished_at, own, Message.state == "delivered"),
        "failed": window.per_minute(Message.finished_at, own, Message.state.in_(FAILED_STATES)),
        "opt_outs": window.per_minute(
            Consent.recorded_at, *_opt_out_conditions(campaign_id), distinct=Consent.customer_id
        ),
        "complaints": window.per_minute(
            Complaint.received_at, Complaint.campaign_id == campaign_id
        ),
    }


def _opt_out_conditions(campaign_id: int) -> Iterable[ColumnElement[bool]]:
    received = (
        select(Message.id)
        .where(
            Message.campaign_id == campaign_id,
            Message.customer_id == Consent.customer_id,
            Message.sent_at.is_not(None),
            Message.sent_at <= Consent.recorded_at,
        )
        .exists()
    )
    return (and_(Consent.status == "withdrawn", Consent.source == INBOUND_SOURCE), received)


def _grouped(session: Session, query: Select[str, int]) -> dict[str, int]:
    return {str(minute): int(count) for minute, count in session.execute(query) if minute}
