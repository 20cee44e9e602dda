"""The outbox's state changes, each one a short transaction on one institution's rows.

Claiming moves due ``queued`` rows of running campaigns (and service messages) to ``sending``
with a lease. The UPDATE names the rows *and* requires them still to be ``queued``, and
returns the ids it actually changed, so two workers can never both own a row: on PostgreSQL
the candidate SELECT also skips rows another worker has locked (``FOR UPDATE SKIP LOCKED``);
on SQLite the single writer lock serialises claims and the state condition does the rest.

A lease that runs out means the worker died between claiming and recording the outcome. If
the provider deduplicates by message key the row simply goes back to ``queued``; otherwise
nobody knows whether the carrier has it, and resending could reach the customer twice, so
the row ends ``uncertain`` with that reason and waits for a delivery report to settle it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Table, and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from smsguard.gateway.providers.base import DeliveryReport
from smsguard.store.gateway_models import Message
from smsguard.store.models import Customer
from smsguard.store.workflow_models import Campaign

ACTIVE_CAMPAIGN = "running"
_REPORT_STATES = ("sending", "sent", "uncertain")
_RESENT = "worker stopped during hand-off; resent under the same key, which the provider dedupes"
_NOT_RESENT = (
    "worker stopped during hand-off; the provider cannot deduplicate, so the message was not "
    "resent (a delivery report settles it)"
)
_FINAL_BY_REPORT = {"delivered": "delivered", "undelivered": "undelivered",
                    "expired": "undelivered", "rejected": "undelivered"}  # fmt: skip


# Core statements run with executemany; they name the institution themselves because the
# tenant session's automatic filter applies to ORM statements only.
_TABLE: Table = Message.__table__  # type: ignore[assignment]
_RECORD_SENT = (
    update(_TABLE)
    .where(
        _TABLE.c.id == bindparam("b_id"),
        _TABLE.c.institution_id == bindparam("b_inst"),
        _TABLE.c.state == "sending",
    )
    .values(state="sent", reason=None, lease_until=None, sent_at=bindparam("b_at"),
            provider_id=bindparam("b_pid"))
)  # fmt: skip
_NOTE_LOGGED = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("b_id"), _TABLE.c.institution_id == bindparam("b_inst"))
    .values(log_index=bindparam("b_index"), log_salt_ciphertext=bindparam("b_salt"))
)
_SETTLE_BY_KEY = (
    update(_TABLE)
    .where(
        _TABLE.c.message_key == bindparam("b_key"),
        _TABLE.c.institution_id == bindparam("b_inst"),
        or_(*(_TABLE.c.state == state for state in _REPORT_STATES)),  # no IN in executemany
    )
    .values(state=bindparam("b_state"), finished_at=bindparam("b_at"),
            reason=bindparam("b_reason"),
            provider_id=func.coalesce(bindparam("b_pid"), _TABLE.c.provider_id),
            sent_at=func.coalesce(_TABLE.c.sent_at, bindparam("b_at")))
)  # fmt: skip


@dataclass(frozen=True)
class Claimed:
    """A claimed message with the ciphertexts the worker decrypts just before the hand-off."""

    id: int
    message_key: str
    customer_id: int
    campaign_id: int | None
    template_version_id: int
    attempts: int
    log_index: int | None
    phone_ciphertext: bytes
    body_ciphertext: bytes


@dataclass(frozen=True)
class Outcome:
    """What happened to one claimed message at the provider."""

    id: int
    state: str  # sent, queued (retry) or failed
    reason: str = ""
    provider_id: str | None = None
    not_before: datetime | None = None
    untried: bool = False  # held back unsubmitted (provider failing): the claim's try is undone


def claim(session: Session, *, now: datetime, limit: int, lease: timedelta,
          provider: str) -> list[Claimed]:  # fmt: skip
    """Take up to ``limit`` due messages for sending, oldest first, within campaign rates."""
    ids = _due_ids(session, None, now, limit)
    for campaign_id, budget in campaign_budgets(session, now).items():
        if len(ids) >= limit:
            break
        ids += _due_ids(session, campaign_id, now, min(budget, limit - len(ids)))
    if not ids:
        return []
    taken = session.scalars(
        update(Message)
        .where(Message.id.in_(ids), Message.state == "queued")
        .values(
            state="sending",
            lease_until=now + lease,
            attempts=Message.attempts + 1,
            provider=provider,
        )
        .returning(Message.id),
        execution_options={"synchronize_session": False},
    ).all()
    return _load_claimed(session, sorted(taken))


def campaign_budgets(session: Session, now: datetime) -> dict[int, int]:
    """Running campaigns and how many more messages each may hand over in this minute.

    The rate limit counts messages handed over in the last 60 s plus those in flight, so a
    restart or a second worker cannot push a campaign past its approved rate.
    """
    recent = or_(Message.state == "sending", Message.sent_at > now - timedelta(minutes=1))
    used: dict[int | None, int] = {
        campaign_id: count
        for campaign_id, count in session.execute(
            select(Message.campaign_id, func.count())
            .where(Message.campaign_id.is_not(None), recent)
            .group_by(Message.campaign_id)
        )
    }
    running = session.execute(
        select(Campaign.id, Campaign.rate_limit_per_minute).where(Campaign.state == ACTIVE_CAMPAIGN)
    )
    budgets = {cid: rate - used.get(cid, 0) for cid, rate in running}
    return {cid: budget for cid, budget in budgets.items() if budget > 0}


def _due_ids(session: Session, campaign_id: int | None, now: datetime, limit: int) -> list[int]:
    if limit <= 0:
        return []
    owner = (
        Message.campaign_id.is_(None) if campaign_id is None else Message.campaign_id == campaign_id
    )
    query = (
        select(Message.id)
        .where(Message.state == "queued", Message.not_before <= now, owner)
        .order_by(Message.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def _load_claimed(session: Session, ids: Sequence[int]) -> list[Claimed]:
    rows = session.execute(
        select(
            Message.id,
            Message.message_key,
            Message.customer_id,
            Message.campaign_id,
            Message.template_version_id,
            Message.attempts,
            Message.log_index,
            Customer.phone_ciphertext,
            Message.body_ciphertext,
        )
        .join(
            Customer,
            and_(
                Customer.id == Message.customer_id,
                Customer.institution_id == Message.institution_id,
            ),
        )
        .where(Message.id.in_(ids))
        .order_by(Message.id)
    )
    return [
        Claimed(mid, key, customer, campaign, version, attempts, index, phone, body or b"")
        for mid, key, customer, campaign, version, attempts, index, phone, body in rows
    ]


def note_logged(
    session: Session, logged: Sequence[tuple[int, int, bytes]], institution_id: int
) -> None:
    """Store (message id, log index, encrypted salt) for messages just written to the log."""
    if logged:
        session.execute(
            _NOTE_LOGGED,
            [{"b_id": mid, "b_inst": institution_id, "b_index": index, "b_salt": salt}
             for mid, index, salt in logged],
        )  # fmt: skip


def record(
    session: Session, outcomes: Sequence[Outcome], now: datetime, institution_id: int
) -> None:
    """Write each claimed message's outcome; only rows still ``sending`` change.

    Hand-offs, the common case, are written with one executemany; retries and failures,
    which carry their own reasons and times, one by one.
    """
    sent = [o for o in outcomes if o.state == "sent"]
    if sent:
        session.execute(
            _RECORD_SENT,
            [{"b_id": o.id, "b_inst": institution_id, "b_at": now, "b_pid": o.provider_id}
             for o in sent],
        )  # fmt: skip
    for outcome in outcomes:
        if outcome.state != "sent":
            _record_one(session, outcome, now)


def _record_one(session: Session, outcome: Outcome, now: datetime) -> None:
    values: dict[str, object] = {"state": outcome.state, "reason": outcome.reason or None,
                                 "lease_until": None}  # fmt: skip
    if outcome.state == "queued":
        values.update(not_before=outcome.not_before or now)
        if outcome.untried:
            values.update(attempts=Message.attempts - 1)
    else:
        values.update(finished_at=now)
    session.execute(
        update(Message)
        .where(Message.id == outcome.id, Message.state == "sending")
        .values(**values),
        execution_options={"synchronize_session": False},
    )


def recover_expired(session: Session, *, now: datetime, provider_idempotent: bool) -> int:
    """Settle messages whose worker died mid-hand-off; returns how many were settled."""
    expired = and_(Message.state == "sending", Message.lease_until < now)
    values: dict[str, object] = {"lease_until": None}
    if provider_idempotent:
        values.update(state="queued", reason=_RESENT)
    else:
        values.update(state="uncertain", reason=_NOT_RESENT, finished_at=now)
    result = session.execute(
        update(Message).where(expired).values(**values),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(result, "rowcount", 0) or 0)


def apply_reports(
    session: Session, reports: Sequence[DeliveryReport], provider: str, institution_id: int
) -> None:
    """Settle messages from delivery reports.

    Reports are matched by our message key when the provider echoes it (one executemany for
    all of them), else by the provider's id. A repeated report changes nothing; an
    intermediate one (``unknown``) is ignored; a report never reopens a final state other
    than ``uncertain``. A report for a row whose hand-off was never recorded (still
    ``sending``: the report beat the worker's record, or the record was lost; or
    ``uncertain``) also gives it a ``sent_at``, the report's time, so rate limits, reply
    attribution and consumer verification see the message.
    """
    keyed = [r for r in reports if r.message_id and r.status in _FINAL_BY_REPORT]
    if keyed:
        session.execute(_SETTLE_BY_KEY, [_report_params(r, institution_id) for r in keyed])
    for report in reports:
        if not report.message_id and report.provider_id and report.status in _FINAL_BY_REPORT:
            _settle_by_provider_id(session, report, provider)


def _report_params(report: DeliveryReport, institution_id: int) -> dict[str, object]:
    return {
        "b_key": report.message_id,
        "b_inst": institution_id,
        "b_state": _FINAL_BY_REPORT[report.status],
        "b_at": _utc(report.at),
        "b_reason": report.reason or None,
        "b_pid": report.provider_id,
    }


def _settle_by_provider_id(session: Session, report: DeliveryReport, provider: str) -> None:
    match = and_(Message.provider == provider, Message.provider_id == report.provider_id)
    session.execute(
        update(Message)
        .where(match, Message.state.in_(_REPORT_STATES))
        .values(
            state=_FINAL_BY_REPORT[report.status],
            finished_at=_utc(report.at),
            reason=report.reason or None,
            sent_at=func.coalesce(Message.sent_at, _utc(report.at)),
        ),
        execution_options={"synchronize_session": False},
    )


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def counts(session: Session, campaign_id: int) -> dict[str, int]:
    """Messages of a campaign by state."""
    rows = session.execute(
        select(Message.state, func.count())
        .where(Message.campaign_id == campaign_id)
        .group_by(Message.state)
    )
    return {state: int(n) for state, n in rows}


def campaigns_of(session: Session, message_keys: Sequence[str]) -> dict[str, int | None]:
    """The campaign of each message key (for counting reports per campaign)."""
    if not message_keys:
        return {}
    rows = session.execute(
        select(Message.message_key, Message.campaign_id).where(
            Message.message_key.in_(message_keys)
        )
    )
    return {key: campaign for key, campaign in rows}


def latest_campaign(session: Session, customer_id: int) -> int | None:
    """The campaign of the last message handed over to this customer, if any."""
    return session.scalar(
        select(Message.campaign_id)
        .where(Message.customer_id == customer_id, Message.sent_at.is_not(None))
        .order_by(Message.sent_at.desc(), Message.id.desc())
        .limit(1)
    )
