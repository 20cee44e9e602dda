"""Read-only queries the dashboard needs and the library does not offer (lists by state).

Each runs inside a tenant session given by the caller, so another institution's rows are
never seen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from smsguard.store import Database
from smsguard.store.gateway_models import Message
from smsguard.store.models import AuditEvent, Institution
from smsguard.store.workflow_models import Campaign, Template, TemplateVersion

HANDED_OVER = ("sent", "delivered", "undelivered", "uncertain")


@dataclass(frozen=True)
class VersionRow:
    """A template version as a list shows it."""

    id: int
    template: str
    version: int
    state: str
    verdict: str | None
    created_at: datetime


def versions(session: Session, state: str | None = None, limit: int = 200) -> list[VersionRow]:
    """Template versions, newest first, optionally only those in ``state``."""
    query = (
        select(TemplateVersion, Template.name)
        .join(Template, Template.id == TemplateVersion.template_id)
        .order_by(TemplateVersion.id.desc())
        .limit(limit)
    )
    if state is not None:
        query = query.where(TemplateVersion.state == state)
    return [
        VersionRow(v.id, name, v.version, v.state, v.verdict, v.created_at)
        for v, name in session.execute(query)
    ]


def template_name(session: Session, template_id: int) -> str:
    return session.scalar(select(Template.name).where(Template.id == template_id)) or "?"


def campaigns(session: Session, state: str | None = None, limit: int = 200) -> list[Campaign]:
    """Campaigns, newest first, optionally only those in ``state``."""
    query = select(Campaign).order_by(Campaign.id.desc()).limit(limit)
    if state is not None:
        query = query.where(Campaign.state == state)
    return list(session.scalars(query))


def audit_page(session: Session, page: int, size: int) -> tuple[list[AuditEvent], bool]:
    """One page of the audit trail, newest first, and whether an older page exists."""
    rows = list(
        session.scalars(
            select(AuditEvent).order_by(AuditEvent.id.desc()).offset(page * size).limit(size + 1)
        )
    )
    return rows[:size], len(rows) > size


def institutions(database: Database) -> list[tuple[str, str]]:
    """Every institution's (code, name), for the public verification form."""
    with database.transaction() as session:
        rows = session.execute(
            select(Institution.code, Institution.name).order_by(Institution.name)
        )
        return [(code, name) for code, name in rows]


def institution_by_code(database: Database, code: str) -> Institution | None:
    with database.transaction() as session:
        return session.scalar(select(Institution).where(Institution.code == code))


def institution_code(database: Database, institution_id: int) -> str:
    with database.transaction() as session:
        found = session.get(Institution, institution_id)
        return found.code if found is not None else "?"


def total_sent(session: Session, campaign_id: int) -> int:
    """Messages of the campaign handed over to a provider, whatever happened next."""
    query = select(func.count()).where(
        Message.campaign_id == campaign_id, Message.state.in_(HANDED_OVER)
    )
    return int(session.scalar(query) or 0)


def complaint_staff(session: Session, now: datetime) -> tuple[list[str], list[str]]:
    """Usernames of the active users who may handle complaints (compliance officers and
    admins) and of those who may approve a further extension (certified officers)."""
    from smsguard.complaints.access import COMPLAINT_PERMISSIONS
    from smsguard.governance.roles import as_utc, roles_of
    from smsguard.store.models import User

    handle = COMPLAINT_PERMISSIONS["complaint.handle"]
    approve = COMPLAINT_PERMISSIONS["complaint.approve_extension"]
    handlers, approvers = [], []
    for user in session.scalars(select(User).where(User.active.is_(True)).order_by(User.username)):
        roles = roles_of(user)
        if roles & handle:
            handlers.append(user.username)
        expires = as_utc(user.certification_expires_at)
        if roles & approve and expires is not None and expires > now:
            approvers.append(user.username)
    return handlers, approvers


def complaint_zone(session: Session, complaint_id: int) -> str:
    """The time zone of the deadline policy stored on the case (China time by default)."""
    from smsguard.store.complaint_models import Complaint

    policy = session.scalar(select(Complaint.policy).where(Complaint.id == complaint_id))
    zone = policy.get("zone") if isinstance(policy, dict) else None
    return zone if isinstance(zone, str) and zone else "Asia/Shanghai"


@dataclass(frozen=True)
class Glance:
    """The home page's counts (None where the viewer may not see that part)."""

    running: int | None
    awaiting_review: int | None
    open_complaints: int | None
    alerts_today: int | None


def glance(session: Session, may: Callable[[str], bool], now: datetime) -> Glance:
    """What needs attention, in numbers, for a viewer allowed what ``may`` says."""
    from smsguard.store.complaint_models import Complaint
    from smsguard.store.signal_models import MonitorAlert

    def count(query: Select[tuple[int]] | Select[int]) -> int:
        return int(session.scalar(query) or 0)

    running = count(select(func.count()).where(Campaign.state == "running"))
    review = count(
        select(func.count(TemplateVersion.id)).where(TemplateVersion.state == "submitted")
    )
    review += count(select(func.count(Campaign.id)).where(Campaign.state == "draft"))
    complaints = count(
        select(func.count(Complaint.id)).where(Complaint.status.not_in(("resolved", "closed")))
    )
    day_ago = now - timedelta(days=1)
    alerts = count(select(func.count(MonitorAlert.id)).where(MonitorAlert.raised_at >= day_ago))
    return Glance(
        running if may("campaign.read") else None,
        review if may("template.approve") else None,
        complaints if may("complaint.read") else None,
        alerts if may("alert.read") else None,
    )
