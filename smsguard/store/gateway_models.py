"""Tables of the sending gateway: the outbox of messages and the inbound replies kept for review.

A message row is written (state ``queued`` or ``refused``) before anything is handed to a
provider, so a crash can lose no message: the outbox *is* the record of what was decided. Its
state only moves forward along

    queued → sending → sent → delivered | undelivered
       ↑        ↓ (transient error: back to queued with a later ``not_before``)
       refused, failed (permanent error), uncertain (crash after hand-off, provider cannot dedupe)

The recipient is the customer row, whose number is stored only encrypted; the outbox keeps
no copy of it, so an erasure has one place to act. The rendered text is stored encrypted
under the institution's data key (it may carry the customer's name), bound to the message key.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from smsguard.store.models import Base, TenantOwned, utc_now

MESSAGE_STATES = (
    "queued", "sending", "sent", "delivered", "undelivered", "failed", "refused", "uncertain",
)  # fmt: skip
FINAL_STATES = ("delivered", "undelivered", "failed", "refused", "uncertain")
INBOUND_KINDS = ("opt_out", "complaint", "other")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Message(TenantOwned, Base):
    """One SMS to one recipient: decided, queued, handed over and reported on."""

    __tablename__ = "messages"
    __table_args__ = (
        ForeignKeyConstraint(
            ["institution_id", "campaign_id"],
            ["campaigns.institution_id", "campaigns.id"],
            ondelete="RESTRICT",
        ),
        ForeignKeyConstraint(
            ["institution_id", "customer_id"],
            ["customers.institution_id", "customers.id"],
            ondelete="RESTRICT",
        ),
        ForeignKeyConstraint(
            ["institution_id", "template_version_id"],
            ["template_versions.institution_id", "template_versions.id"],
            ondelete="RESTRICT",
        ),
        # A campaign reaches each customer at most once, even if expansion is run again.
        UniqueConstraint("campaign_id", "customer_id"),
        UniqueConstraint("message_key"),
        CheckConstraint(_in("state", MESSAGE_STATES), name="state"),
        CheckConstraint("attempts >= 0", name="attempts"),
        Index("ix_messages_due", "state", "not_before"),
        Index("ix_messages_campaign_state", "campaign_id", "state"),
        Index("ix_messages_customer", "institution_id", "customer_id", "sent_at"),
        Index("ix_messages_provider_id", "provider", "provider_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_key: Mapped[str] = mapped_column(String(64))
    campaign_id: Mapped[int | None] = mapped_column(Integer)
    template_version_id: Mapped[int] = mapped_column(Integer)
    customer_id: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(64))
    body_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    segments: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    not_before: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    provider: Mapped[str | None] = mapped_column(String(32))
    provider_id: Mapped[str | None] = mapped_column(String(128))
    log_index: Mapped[int | None] = mapped_column(Integer)
    # The secret salt of the log entry's commitment, encrypted; destroying it is erasure.
    log_salt_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    sent_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class InboundMessage(TenantOwned, Base):
    """A reply that was neither an opt-out nor handled elsewhere, kept encrypted for review."""

    __tablename__ = "inbound_messages"
    __table_args__ = (CheckConstraint(_in("kind", INBOUND_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(Integer)
    sender_index: Mapped[str] = mapped_column(String(128))
    text_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    kind: Mapped[str] = mapped_column(String(16))
    provider: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime]
    reviewed_at: Mapped[datetime | None]
