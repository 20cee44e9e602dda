"""The monitor's saved state: one row per institution with its window snapshot.

The sliding windows live in memory for speed; a worker writes their snapshot here every so
often and when it stops, and reads it back when it starts, so a restart loses no history
(docs/monitoring.md). ``audit_cursor`` is the last audit row the staff detectors have read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smsguard.store.models import Base, TenantOwned, utc_now


class MonitorState(TenantOwned, Base):
    """The last saved monitor snapshot of one institution."""

    __tablename__ = "monitor_state"
    __table_args__ = (UniqueConstraint("institution_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    audit_cursor: Mapped[int] = mapped_column(Integer, default=0)
    saved_at: Mapped[datetime] = mapped_column(default=utc_now)
