"""Monitor alerts kept for people, and consumers' reports of suspected fraud SMS.

``alerts`` keeps what the worker's monitor raised (until now only in the worker's memory) so
the dashboard and the API can list it after the worker restarts; the action a monitor took
stays an ``audit_events`` row, which an alert row points to by id.

``fraud_reports`` holds what consumers report through the public page. It is deliberately
not tenant-owned: a report may name no institution (a consumer often cannot tell who the
SMS claims to be from). The reporter's phone is kept only encrypted, with its blind index,
under the keys of the institution the SMS claims to come from, and not at all otherwise.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from smsguard.store.models import Base, TenantOwned, utc_now


class MonitorAlert(TenantOwned, Base):
    """One alert of the monitor, with the audit row of the action it led to, if any."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_raised", "institution_id", "raised_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    raised_at: Mapped[datetime]
    detector: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(8))
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(64))
    explanation: Mapped[str] = mapped_column(Text)
    numbers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    action: Mapped[str] = mapped_column(String(32))
    action_audit_id: Mapped[int | None] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(default=utc_now)


class FraudReport(Base):
    """A consumer's report of an SMS they believe is fraud, and what analysts made of it."""

    __tablename__ = "fraud_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    receipt: Mapped[str] = mapped_column(String(32), unique=True)
    institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institutions.id", ondelete="RESTRICT"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    sender_number: Mapped[str | None] = mapped_column(String(32))
    reporter_index: Mapped[str | None] = mapped_column(String(64))
    reporter_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    verdict: Mapped[str] = mapped_column(String(8))
    fraud: Mapped[bool]
    rules: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="new")
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utc_now)
