"""Tables of the complaints desk: one row per case and its append-only history.

A case links to what the complaint is about wherever that is known: the customer, the last
message handed over to them (and so its campaign, template version and transparency-log
entry) and their latest consent record. The complainant's own words and the resolution text
may carry personal data, so they are stored only encrypted under the institution's data key;
a complainant who is not a customer is reachable through an encrypted number and its blind
index, never a number in clear.

``complaint_events`` is the status history plus every reminder, escalation and notice; it is
append-only (database triggers, migration 0006), and a reminder's ``key`` is unique per case
so recording the same reminder twice is impossible even for two racing processes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from smsguard.store.models import Base, TenantOwned, utc_now

COMPLAINT_STATUSES = ("received", "acknowledged", "assigned", "extended", "resolved", "closed")
CHANNELS = ("sms", "web", "api")
CATEGORIES = (
    "sms_marketing",
    "harassment",
    "consent_privacy",
    "fees_rates",
    "product_service",
    "fraud_impersonation",
    "collection",
    "other",
)
EVENT_KINDS = ("status", "reminder", "escalation", "notice")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Complaint(TenantOwned, Base):
    """One complaint case with its links, deadlines and (encrypted) texts."""

    __tablename__ = "complaints"
    __table_args__ = (
        ForeignKeyConstraint(
            ["institution_id", "customer_id"],
            ["customers.institution_id", "customers.id"],
            ondelete="RESTRICT",
        ),
        ForeignKeyConstraint(
            ["institution_id", "campaign_id"],
            ["campaigns.institution_id", "campaigns.id"],
            ondelete="RESTRICT",
        ),
        ForeignKeyConstraint(
            ["institution_id", "template_version_id"],
            ["template_versions.institution_id", "template_versions.id"],
            ondelete="RESTRICT",
        ),
        UniqueConstraint("institution_id", "id"),  # target of complaint_events' composite key
        UniqueConstraint("audit_event_id"),  # one case per recorded SMS complaint
        CheckConstraint(_in("status", COMPLAINT_STATUSES), name="status"),
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
        CheckConstraint(_in("category", CATEGORIES), name="category"),
        CheckConstraint("extensions BETWEEN 0 AND 2", name="extensions"),
        Index("ix_complaints_open", "institution_id", "status", "due_at"),
        Index("ix_complaints_received", "institution_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    category: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    customer_id: Mapped[int | None] = mapped_column(Integer)
    contact_index: Mapped[str | None] = mapped_column(String(128))
    contact_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="RESTRICT"))
    campaign_id: Mapped[int | None] = mapped_column(Integer)
    template_version_id: Mapped[int | None] = mapped_column(Integer)
    log_index: Mapped[int | None] = mapped_column(Integer)
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("consents.id", ondelete="RESTRICT"))
    audit_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("audit_events.id", ondelete="RESTRICT")
    )
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    text_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    resolution_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    policy: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    round: Mapped[int] = mapped_column(Integer, default=1)
    extensions: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime]
    clock_started_at: Mapped[datetime]
    level_since: Mapped[datetime | None]
    due_at: Mapped[datetime]
    promise_due_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class ComplaintEvent(TenantOwned, Base):
    """One entry of a case's history: a status change, reminder, escalation or notice."""

    __tablename__ = "complaint_events"
    __table_args__ = (
        ForeignKeyConstraint(
            ["institution_id", "complaint_id"],
            ["complaints.institution_id", "complaints.id"],
            ondelete="RESTRICT",
        ),
        UniqueConstraint("complaint_id", "key"),
        CheckConstraint(_in("kind", EVENT_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(Integer, index=True)
    round: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime]
