"""Staff behaviour, read from the audit trail, and the actions that follow from it.

People reveal customer data and approve templates in other processes (the CLI, the API),
but every such act writes an ``audit_events`` row first. The audit trail is therefore the
event source for the staff detectors: the worker's watch reads the rows added since it last
looked and turns reveals into ``pii_decrypt`` events, approvals into ``approval`` events
with their author (a maker-checker breach or an approval at 3 a.m. is visible that way) and
dashboard or API logins into ``login`` events (counted per user in the windows).

The resulting actions are themselves audit rows, so they are recorded with their reason,
visible to auditors and reversible:

* ``user.decrypt_suspended`` stops the user's reveals until an admin or compliance officer
  writes ``user.decrypt_restored`` (:func:`smsguard.governance.audit.restore_decrypt`,
  ``smsguard users restore-decrypt``);
* ``approval.reapproval_required`` marks the template version or campaign, and any running
  campaign it concerns is paused until a person has looked again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smsguard.governance.audit import DECRYPT_SUSPENDED
from smsguard.monitor.alerts import Alert
from smsguard.monitor.events import Event, EventKind
from smsguard.store.models import AuditEvent, User
from smsguard.store.workflow_models import Campaign, TemplateVersion

REAPPROVAL = "approval.reapproval_required"
_APPROVALS = ("template.approved", "template.rejected", "campaign.approved")
_BATCH = 1000
_Row = tuple[int, str, str, str | None, dict[str, Any], datetime]


def start_cursor(session: Session, now: datetime) -> int:
    """The id after which audit rows are still young enough for the monitor (under 24 h)."""
    older = session.scalar(
        select(AuditEvent.id)
        .where(AuditEvent.at <= now - timedelta(hours=23))
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    return older or 0


def staff_events(
    session: Session, after: int, institution: str, now: datetime
) -> tuple[list[Event], int]:
    """Monitor events for the audit rows after id ``after``, and the new cursor. Rows the
    monitor's windows no longer (or not yet) cover are passed over, never raised about."""
    query = (
        select(AuditEvent.id, AuditEvent.actor, AuditEvent.action, AuditEvent.target_id,
               AuditEvent.detail, AuditEvent.at)
        .where(AuditEvent.id > after)
        .order_by(AuditEvent.id)
        .limit(_BATCH)
    )  # fmt: skip
    rows: list[_Row] = [
        (rid, actor, action, target, detail, _aware(at))
        for rid, actor, action, target, detail, at in session.execute(query)
    ]
    if not rows:
        return [], after
    authors = _authors(session, [row for row in rows if row[2] in _APPROVALS])
    fresh = [row for row in rows if now - timedelta(hours=23) < row[5] <= now]
    events = [e for row in fresh if (e := _event(row, institution, authors)) is not None]
    return events, rows[-1][0]


def _aware(value: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; they were stored in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _event(row: _Row, institution: str, authors: dict[tuple[str, str], str]) -> Event | None:
    _, actor, action, target, detail, at = row
    if action == "reveal" and detail.get("outcome") in ("full", "masked"):
        return Event(EventKind.PII_DECRYPT, at, institution, user=actor)
    if action == "login":
        return Event(EventKind.LOGIN, at, institution, user=actor)
    if action in _APPROVALS and target is not None:
        kind = "campaign" if action.startswith("campaign") else "template"
        author = authors.get((kind, target))
        if kind == "campaign":
            return Event(EventKind.APPROVAL, at, institution, campaign=target, user=actor,
                         author=author)  # fmt: skip
        return Event(EventKind.APPROVAL, at, institution, template=target, user=actor,
                     author=author)  # fmt: skip
    return None


def _authors(session: Session, rows: Sequence[_Row]) -> dict[tuple[str, str], str]:
    """Who authored each approved item: the template version's author, the campaign's maker."""
    versions = [int(r[3]) for r in rows if r[3] and r[2].startswith("template")]
    campaigns = [int(r[3]) for r in rows if r[3] and r[2].startswith("campaign")]
    found: dict[tuple[str, str], str] = {}
    for kind, model, column, ids in (
        ("template", TemplateVersion, TemplateVersion.author_id, versions),
        ("campaign", Campaign, Campaign.created_by_id, campaigns),
    ):
        if ids:
            query = select(model.id, User.username).join(User, User.id == column)
            for item, username in session.execute(query.where(model.id.in_(ids))):
                found[(kind, str(item))] = username
    return found


def act_on(session: Session, alert: Alert, institution_id: int) -> list[int]:
    """Record the staff action an alert calls for; returns campaigns that must be paused."""
    subject = alert.subject
    if alert.action.value == "suspend_decrypt" and subject.kind == "user":
        session.add(_row(institution_id, DECRYPT_SUSPENDED, "user", subject.id, alert))
        return []
    if alert.action.value != "require_reapproval":
        return []
    session.add(_row(institution_id, REAPPROVAL, subject.kind, subject.id, alert))
    if subject.kind == "campaign":
        return [int(subject.id)]
    if subject.kind == "template":
        running = select(Campaign.id).where(
            Campaign.template_version_id == int(subject.id), Campaign.state == "running"
        )
        return list(session.scalars(running))
    return []


def _row(institution_id: int, action: str, kind: str, target: str, alert: Alert) -> AuditEvent:
    return AuditEvent(
        institution_id=institution_id,
        actor="monitor",
        action=action,
        target_type=kind,
        target_id=target,
        detail={"reason": alert.explanation, "alert": alert.to_dict()},
    )
