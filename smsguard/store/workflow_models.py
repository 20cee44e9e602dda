"""Tables of the message-approval workflow: templates, their versions, and campaigns.

A template is only a name; its text lives in numbered versions, because an approved text must
never change under a campaign that was approved to send it. Editing therefore adds a version.
The maker-checker rules are checked in :mod:`smsguard.governance` and again here as CHECK
constraints, so a hand-written UPDATE cannot approve a blocked text or let an author approve
their own work. A database trigger (migration 0002) freezes approved and rejected versions.

Every table carries ``institution_id`` and references its parent through the composite key
``(institution_id, id)``, so a row can never point into another institution.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from smsguard.store.models import Base, TenantOwned, utc_now

VERSION_STATES = ("draft", "screened", "submitted", "approved", "rejected")
VERDICTS = ("pass", "review", "block")
CAMPAIGN_STATES = ("draft", "approved", "running", "paused", "completed")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Template(TenantOwned, Base):
    """A named message of one institution; its wording lives in :class:`TemplateVersion`."""

    __tablename__ = "templates"
    __table_args__ = (
        UniqueConstraint("institution_id", "name"),
        UniqueConstraint("institution_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class TemplateVersion(TenantOwned, Base):
    """One wording of a template, with its screening result and its approval decision."""

    __tablename__ = "template_versions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["institution_id", "template_id"],
            ["templates.institution_id", "templates.id"],
            ondelete="RESTRICT",
        ),
        UniqueConstraint("template_id", "version"),
        UniqueConstraint("institution_id", "id"),
        CheckConstraint(_in("state", VERSION_STATES), name="state"),
        CheckConstraint(f"verdict IS NULL OR {_in('verdict', VERDICTS)}", name="verdict"),
        CheckConstraint("state <> 'approved' OR verdict IN ('pass', 'review')", name="approvable"),
        CheckConstraint(
            "state <> 'approved' OR verdict <> 'review' OR justification IS NOT NULL",
            name="justified",
        ),
        CheckConstraint("decided_by_id IS NULL OR decided_by_id <> author_id", name="four_eyes"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    template_id: Mapped[int] = mapped_column(Integer, index=True)
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    variables: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default="draft")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    verdict: Mapped[str | None] = mapped_column(String(16))
    rulebook_version: Mapped[str | None] = mapped_column(String(100))
    findings: Mapped[list[Any] | None] = mapped_column(JSON)
    screened_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    decided_at: Mapped[datetime | None]
    justification: Mapped[str | None] = mapped_column(Text)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class Campaign(TenantOwned, Base):
    """One approved template version sent to an audience on a schedule, under a rate limit."""

    __tablename__ = "campaigns"
    __table_args__ = (
        ForeignKeyConstraint(
            ["institution_id", "template_version_id"],
            ["template_versions.institution_id", "template_versions.id"],
            ondelete="RESTRICT",
        ),
        UniqueConstraint("institution_id", "name"),
        UniqueConstraint("institution_id", "id"),  # target of messages' composite key
        CheckConstraint(_in("state", CAMPAIGN_STATES), name="state"),
        CheckConstraint("rate_limit_per_minute > 0", name="rate_limit"),
        CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="schedule"),
        CheckConstraint(
            "approved_by_id IS NULL OR approved_by_id <> created_by_id", name="four_eyes"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    template_version_id: Mapped[int] = mapped_column(Integer, index=True)
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Campaign-wide values of the template's typed variables; {name} comes from each customer.
    variables: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    rate_limit_per_minute: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default="draft")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    approved_at: Mapped[datetime | None]
    # Set at approval for audiences in the targeting language: the members are then the rows
    # of campaign_audiences; the digest lets anyone check the list was not changed since.
    audience_frozen_at: Mapped[datetime | None]
    audience_size: Mapped[int | None] = mapped_column(Integer)
    audience_digest: Mapped[str | None] = mapped_column(String(64))
    audience_report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
