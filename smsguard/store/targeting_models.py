"""Targeting: what an institution knows about a customer for marketing, who must never be
contacted, how past campaigns turned out, and the audience frozen into each campaign
(docs/targeting.md).

None of these tables holds a phone number, a name or an ID number. A profile is keyed by the
customer's row id; a do-not-contact entry by the keyed phone index (the HMAC the customers
table uses), so a number on the list is matched without being stored.

``campaign_audiences`` is the exact list of customers the checker approved: the gateway sends
to these rows and to no one else, whatever the customer table says later.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from smsguard.store.complaint_models import Complaint
from smsguard.store.models import Base, TenantOwned, utc_now

CREDIT_BANDS = ("A", "B", "C", "D", "E")  # A best; bands are the institution's own scale
INCOME_BANDS = ("low", "lower-middle", "middle", "upper-middle", "high")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _customer_key() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["institution_id", "customer_id"],
        ["customers.institution_id", "customers.id"],
        ondelete="CASCADE",
    )


def _campaign_key() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["institution_id", "campaign_id"],
        ["campaigns.institution_id", "campaigns.id"],
        ondelete="CASCADE",
    )


class CustomerProfile(TenantOwned, Base):
    """The marketing attributes of one customer (at most one row per customer).

    ``debt_ratio`` is monthly debt service over monthly income (0.45 = 45 %); ``region`` is
    the two-digit province code of GB/T 2260 (``"44"`` Guangdong). ``declined_at`` is the
    last time the institution declined the customer's credit application.
    """

    __tablename__ = "customer_profiles"
    __table_args__ = (
        _customer_key(),
        UniqueConstraint("institution_id", "customer_id"),
        CheckConstraint(_in("credit_band", CREDIT_BANDS), name="credit_band"),
        CheckConstraint(_in("income_band", INCOME_BANDS), name="income_band"),
        CheckConstraint("debt_ratio >= 0", name="debt_ratio"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(Integer)
    credit_band: Mapped[str] = mapped_column(String(1))
    debt_ratio: Mapped[float] = mapped_column(Float)
    income_band: Mapped[str] = mapped_column(String(16))
    product_interest: Mapped[str | None] = mapped_column(String(32))
    region: Mapped[str] = mapped_column(String(2))
    last_active_at: Mapped[datetime | None]
    in_arrears: Mapped[bool] = mapped_column(Boolean, default=False)
    declined_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class DoNotContact(TenantOwned, Base):
    """A keyed phone index on one of the institution's do-not-contact lists."""

    __tablename__ = "do_not_contact"
    __table_args__ = (
        UniqueConstraint("institution_id", "list_name", "phone_index"),
        Index("ix_do_not_contact_phone", "institution_id", "phone_index"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_name: Mapped[str] = mapped_column(String(64))
    phone_index: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(String(200))
    added_by: Mapped[str] = mapped_column(String(100))
    added_at: Mapped[datetime] = mapped_column(default=utc_now)


class CampaignOutcome(TenantOwned, Base):
    """How one customer answered one past campaign: the propensity model's training label."""

    __tablename__ = "campaign_outcomes"
    __table_args__ = (
        _customer_key(),
        _campaign_key(),
        UniqueConstraint("institution_id", "campaign_id", "customer_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(Integer)
    customer_id: Mapped[int] = mapped_column(Integer, index=True)
    responded: Mapped[bool] = mapped_column(Boolean)
    repaid: Mapped[bool | None] = mapped_column(Boolean)  # None: no loan, or not yet due
    recorded_at: Mapped[datetime] = mapped_column(default=utc_now)


class CampaignAudience(TenantOwned, Base):
    """One member of a campaign's audience as frozen at approval, with its offer segment."""

    __tablename__ = "campaign_audiences"
    __table_args__ = (
        _customer_key(),
        _campaign_key(),
        UniqueConstraint("institution_id", "campaign_id", "customer_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(Integer)
    customer_id: Mapped[int] = mapped_column(Integer)
    segment: Mapped[str | None] = mapped_column(String(32))
    score: Mapped[float | None] = mapped_column(Float)


# Selection asks "has this customer complained lately?" once per candidate. Without an index
# on the customer SQLite scans every recent complaint for each of them, which at millions of
# customers takes hours (benchmarks/bench_audience.py); migration 0012 creates it.
Index("ix_complaints_customer", Complaint.institution_id, Complaint.customer_id)
