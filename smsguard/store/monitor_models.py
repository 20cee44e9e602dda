"""Monitoring: each institution's saved window snapshot and the screening summaries.

The sliding windows live in memory for speed; a worker writes their snapshot here every so
often and when it stops, and reads it back when it starts, so a restart loses no history
(docs/monitoring.md). ``audit_cursor`` is the last audit row the staff detectors have read,
``screening_cursor`` the last screening summary the fraud detector has read.

Screening happens when a campaign is expanded, in whichever process started it; the worker
owns the monitor. ``screening_summaries`` is the hand-over between the two: one compact row
per expanded chunk (counts and a fraud-score histogram, never a text or a customer), which
the worker's watch reads like it reads the audit trail.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKeyConstraint, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smsguard.store.models import Base, TenantOwned, utc_now


class MonitorState(TenantOwned, Base):
    """The last saved monitor snapshot of one institution."""

    __tablename__ = "monitor_state"
    __table_args__ = (UniqueConstraint("institution_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    audit_cursor: Mapped[int] = mapped_column(Integer, default=0)
    screening_cursor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    saved_at: Mapped[datetime] = mapped_column(default=utc_now)


class ScreeningSummary(TenantOwned, Base):
    """What re-screening found in one expanded chunk (or one service message).

    ``fraud`` maps a fraud score in whole percent, rounded down, to how many messages scored
    it; messages with no score (risk scoring off) are counted in ``screened`` only.
    """

    __tablename__ = "screening_summaries"
    __table_args__ = (
        ForeignKeyConstraint(
            ["institution_id", "campaign_id"],
            ["campaigns.institution_id", "campaigns.id"],
            ondelete="RESTRICT",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(Integer)
    template_version_id: Mapped[int] = mapped_column(Integer)
    screened: Mapped[int] = mapped_column(Integer)
    blocked: Mapped[int] = mapped_column(Integer)
    fraud: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime]


class MonitorInbox(TenantOwned, Base):
    """A batch of monitor events forwarded by a process that does not run the detectors.

    Only one process per institution runs the monitor (the lease holder); API processes and
    the other sending workers write what they saw here and the holder reads and deletes it.
    ``events`` never holds a rendered text: a forwarder checks the text against the approved
    wording itself and forwards only whether it matched (docs/monitoring.md).
    """

    __tablename__ = "monitor_inbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    events: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(default=utc_now)
