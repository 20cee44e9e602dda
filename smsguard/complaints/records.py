"""Between the pure core and the tables: case rows ⇄ :class:`Case`, history rows, links.

The deadline policy in force when a complaint arrived is stored on the case and used for
every later calculation, so changing ``complaints.yaml`` never moves an existing case's due
date after the complainant was told it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from smsguard.complaints.deadlines import DeadlinePolicy, Timeline
from smsguard.complaints.lifecycle import Case, Change, Status
from smsguard.errors import InputError, NotFound
from smsguard.store.complaint_models import CATEGORIES, CHANNELS, Complaint, ComplaintEvent
from smsguard.store.gateway_models import Message
from smsguard.store.models import Consent

DESK_ACTOR = "complaints-desk"
MAX_TEXT = 5000


def aware(value: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; they were stored in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def utc(value: datetime) -> datetime:
    """Store every instant in UTC so rows written from different zones compare correctly."""
    return value.astimezone(UTC)


@dataclass(frozen=True)
class Links:
    """What a complaint is about, as far as the records tell."""

    message_id: int | None = None
    campaign_id: int | None = None
    template_version_id: int | None = None
    log_index: int | None = None
    consent_id: int | None = None


def links_for(session: Session, customer_id: int, message_id: int | None = None) -> Links:
    """The given message (or the customer's last handed-over one) and latest consent record."""
    query = select(Message).where(Message.customer_id == customer_id)
    if message_id is not None:
        query = query.where(Message.id == message_id)
    else:
        query = query.where(Message.sent_at.is_not(None))
    message = session.scalars(query.order_by(Message.sent_at.desc(), Message.id.desc())).first()
    if message_id is not None and message is None:
        raise InputError(f"no message {message_id} to this customer in this institution")
    consent_id = session.scalar(
        select(Consent.id).where(Consent.customer_id == customer_id).order_by(Consent.id.desc())
    )
    if message is None:
        return Links(consent_id=consent_id)
    return Links(
        message.id, message.campaign_id, message.template_version_id, message.log_index, consent_id
    )


def load(session: Session, complaint_id: int) -> Complaint:
    """The case row of this institution; another institution's case does not exist here."""
    row = session.get(Complaint, complaint_id)
    if row is None:
        raise NotFound(f"no complaint {complaint_id} in this institution")
    return row


def policy_of(row: Complaint) -> DeadlinePolicy:
    """The policy stored on the case when it arrived."""
    return DeadlinePolicy.from_mapping(row.policy)


def case_of(row: Complaint) -> Case:
    """The pure view of a stored case."""
    timeline = Timeline(
        aware(row.clock_started_at),
        row.extensions,
        aware(row.level_since) if row.level_since is not None else None,
    )
    return Case(cast(Status, row.status), timeline, row.assignee_id, row.round)


def store_case(row: Complaint, case: Case, policy: DeadlinePolicy) -> None:
    """Copy the pure case back onto its row, deadlines recomputed from its timeline."""
    timeline = case.timeline
    row.status, row.assignee_id, row.round = case.status, case.assignee, case.round
    row.clock_started_at = utc(timeline.started_at)
    row.extensions = timeline.extensions
    row.level_since = utc(timeline.level_since) if timeline.level_since is not None else None
    row.due_at = utc(policy.due_at(timeline.started_at, timeline.extensions))
    promise = policy.promise_due(timeline.started_at)
    row.promise_due_at = utc(promise) if promise is not None else None


def status_event(row: Complaint, change: Change, actor: str) -> ComplaintEvent:
    """The history row of one status change."""
    return ComplaintEvent(
        institution_id=row.institution_id,
        complaint_id=row.id,
        round=row.round,
        kind="status",
        action=change.action,
        from_status=change.from_status or None,
        to_status=change.to_status,
        actor=actor,
        detail=dict(change.detail),
        at=utc(change.at),
    )


def history(session: Session, complaint_id: int) -> list[ComplaintEvent]:
    """Every history row of the case, oldest first."""
    query = (
        select(ComplaintEvent)
        .where(ComplaintEvent.complaint_id == complaint_id)
        .order_by(ComplaintEvent.at, ComplaintEvent.id)
    )
    return list(session.scalars(query))


def check_intake(channel: str, category: str, text: str) -> None:
    """InputError naming the first bad field of a web or API complaint."""
    if channel not in CHANNELS:
        raise InputError(f"channel must be one of {', '.join(CHANNELS)}, not {channel!r}")
    check_category(category)
    if not text.strip() or len(text) > MAX_TEXT:
        raise InputError(f"a complaint needs a text of 1-{MAX_TEXT} characters")


def check_category(category: str) -> None:
    """InputError unless ``category`` is one the desk's statistics know."""
    if category not in CATEGORIES:
        raise InputError(f"category must be one of {', '.join(CATEGORIES)}, not {category!r}")


def notice_event(
    row: Complaint, what: str, sent: bool, reason: str, version_id: int | None, at: datetime
) -> ComplaintEvent:
    """The history row of a notice: queued, or why nothing could be sent."""
    return ComplaintEvent(
        institution_id=row.institution_id,
        complaint_id=row.id,
        round=row.round,
        kind="notice",
        action=f"{what}_{'queued' if sent else 'not_sent'}",
        actor=DESK_ACTOR,
        at=utc(at),
        detail={"reason": reason, "template_version_id": version_id},
    )
