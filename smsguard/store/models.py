"""The governance tables, as typed SQLAlchemy models.

Every row that belongs to a bank or lender carries ``institution_id`` (the :class:`TenantOwned`
mixin): it is the column :mod:`smsguard.store.tenancy` filters on, so one institution can
never read or change another's data. Personal data is stored only as ciphertext plus the id
of the data key that encrypted it; the phone number is findable through a keyed blind index
(HMAC, hex) computed by the encryption layer, never through the number itself.

The schema is created by the migrations in ``migrations/versions``, not by
``metadata.create_all``; a test checks both agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ROLES = ("marketer", "compliance_officer", "auditor", "regulator", "admin")
CONSENT_STATUSES = ("granted", "withdrawn")

# Stable constraint names, so later migrations can drop or alter them on both backends.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utc_now() -> datetime:
    """Timestamps are stored in UTC so rows from different hosts compare correctly."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base with shared metadata and naming convention."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
    }


class Institution(Base):
    """A bank or lender: the tenant every other row belongs to."""

    __tablename__ = "institutions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class TenantOwned:
    """Mixin for rows owned by one institution; tenancy scoping keys on this class."""

    institution_id: Mapped[int] = mapped_column(
        ForeignKey("institutions.id", ondelete="RESTRICT"), index=True
    )


class User(TenantOwned, Base):
    """A person working for an institution, with the roles that decide what they may do."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("institution_id", "username"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    display_name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    certification_expires_at: Mapped[datetime | None]
    password_hash: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class Customer(TenantOwned, Base):
    """A message recipient; identifying fields hold ciphertext only."""

    __tablename__ = "customers"
    __table_args__ = (
        UniqueConstraint("institution_id", "phone_index"),
        # Target of the consents foreign key, which must stay inside one institution.
        UniqueConstraint("institution_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone_index: Mapped[str] = mapped_column(String(128))
    phone_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    name_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    id_number_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    key_id: Mapped[str] = mapped_column(String(64))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    is_student: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class Consent(TenantOwned, Base):
    """One recorded consent decision; later rows for the same purpose supersede earlier ones."""

    __tablename__ = "consents"
    __table_args__ = (
        # Composite key: a consent can only point at a customer of its own institution.
        ForeignKeyConstraint(
            ["institution_id", "customer_id"],
            ["customers.institution_id", "customers.id"],
            ondelete="CASCADE",
        ),
        CheckConstraint("status IN ('granted', 'withdrawn')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(Integer, index=True)
    purpose: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(100))
    evidence: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(default=utc_now)


class AuditEvent(TenantOwned, Base):
    """Who did what to which row; append-only, enforced by database triggers."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    target_type: Mapped[str] = mapped_column(String(64))
    target_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(default=utc_now)


class DataKey(TenantOwned, Base):
    """A data key wrapped by a master key, for envelope encryption of customer fields."""

    __tablename__ = "data_keys"
    __table_args__ = (UniqueConstraint("institution_id", "key_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(64))
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    master_key_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
