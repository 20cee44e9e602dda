"""Credentials of the HTTP service: API keys for institutions' systems, login sessions for
people.

Neither table holds a usable secret. An API key is ``sgk_<lookup>_<secret>``: ``lookup``
finds the row, and only the SHA-256 of the 256-bit random ``secret`` is stored (a fast hash is
right for a random secret; argon2 is for passwords, which people choose). A session row keeps
the SHA-256 of its cookie token for the same reason. A key acts for one user of its
institution and only within its scopes, so a leaked key can do no more than that user and
that list allow; revoking is a timestamp, never a delete, so the audit trail keeps its actor.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smsguard.store.models import Base, TenantOwned, utc_now


class ApiKey(TenantOwned, Base):
    """A scoped, revocable API key acting for ``user_id``."""

    __tablename__ = "api_keys"
    __table_args__ = (UniqueConstraint("lookup"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(100))
    lookup: Mapped[str] = mapped_column(String(32))
    secret_sha256: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    created_by: Mapped[str] = mapped_column(String(100))
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class WebSession(TenantOwned, Base):
    """A person's login session; the cookie carries the token, the row only its hash."""

    __tablename__ = "web_sessions"
    __table_args__ = (UniqueConstraint("token_sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    token_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
