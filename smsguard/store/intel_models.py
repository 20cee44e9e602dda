"""Shared fraud indicators an institution holds: its own (candidates and confirmed) and
those imported from peers (docs/intel.md).

Each row belongs to one institution (:class:`TenantOwned`): the one holding it, which for an
import is not the ``source`` that vouches for it. Values are normalised indicator values
(:func:`smsguard.intel.model.normalise_value`): a URL, a domain, the hex of a fraud-text
fingerprint, or a *keyed* hash of a sender number with the consortium-key ``epoch`` it was
made under. No phone number and no unkeyed hash of one is ever stored here.

``epoch`` is ``''`` for every kind but phone hashes, so the uniqueness of
``(institution, kind, epoch, value, source)`` holds on both SQLite and PostgreSQL (NULLs are
distinct in unique constraints). ``modified_at`` moves with every change, which is what an
incremental export asks for ("what changed since?").
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smsguard.store.models import Base, TenantOwned, utc_now

INTEL_KINDS = ("phone-hash", "url", "domain", "sms-fingerprint")
INTEL_STATUSES = ("candidate", "confirmed", "revoked")
INTEL_ORIGINS = ("complaint", "fraud_report", "analyst", "import")
INTEL_TLPS = ("clear", "green", "amber", "amber+strict", "red")
MAX_VALUE = 2048


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class IntelIndicator(TenantOwned, Base):
    """One indicator held by an institution, with where it came from and who confirmed it."""

    __tablename__ = "intel_indicators"
    __table_args__ = (
        UniqueConstraint("institution_id", "kind", "epoch", "value", "source"),
        CheckConstraint(_in("kind", INTEL_KINDS), name="kind"),
        CheckConstraint(_in("status", INTEL_STATUSES), name="status"),
        CheckConstraint(_in("origin", INTEL_ORIGINS), name="origin"),
        CheckConstraint(_in("tlp", INTEL_TLPS), name="tlp"),
        CheckConstraint("confidence BETWEEN 0 AND 100", name="confidence"),
        CheckConstraint("(kind = 'phone-hash') = (epoch <> '')", name="epoch"),
        Index("ix_intel_indicators_modified", "institution_id", "modified_at"),
        Index("ix_intel_indicators_live", "institution_id", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(MAX_VALUE))
    epoch: Mapped[str] = mapped_column(String(7), default="")
    source: Mapped[str] = mapped_column(String(64))
    confidence: Mapped[int] = mapped_column(Integer)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    expires_at: Mapped[datetime]
    tlp: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    origin: Mapped[str] = mapped_column(String(16))
    origin_ref: Mapped[str | None] = mapped_column(String(64))
    peer: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str | None] = mapped_column(String(100))
    confirmed_by: Mapped[str | None] = mapped_column(String(100))
    confirmed_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(100))
    revoked_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    modified_at: Mapped[datetime] = mapped_column(default=utc_now)
