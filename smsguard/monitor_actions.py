"""The monitor's automatic actions that still hold, and reversing one.

Each action is an ``audit_events`` row by the actor ``monitor`` (gateway/watch.py,
gateway/staff_watch.py); whether it still holds is read from the rows after it, so there is
no second copy of the state to drift:

* a pause holds while the campaign is paused and no later pause, resume or completion of it
  was recorded; reversing it resumes the campaign;
* a decrypt suspension holds until ``user.decrypt_restored``; reversing it is
  :func:`smsguard.governance.audit.restore_decrypt`;
* a re-approval demand holds until ``approval.reapproval_cleared``; reversing it writes that
  row. A campaign paused for re-approval cannot be resumed here while the demand holds.

Reversal needs ``alert.reverse`` (compliance officers, admins) and a reason; the person whose
decrypt right was suspended may never lift it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from smsguard.errors import InputError, NotFound
from smsguard.governance import audit
from smsguard.governance.roles import require
from smsguard.monitor_alerts import ACTION_ROWS, MONITOR_ACTOR
from smsguard.store.models import AuditEvent, User
from smsguard.store.workflow_models import Campaign

PAUSE, SUSPEND, REAPPROVE = (ACTION_ROWS[action] for action in ACTION_ROWS)
CLEARED = "approval.reapproval_cleared"
# For each action row: the rows about the same subject that end (or renew) it.
_SUPERSEDED_BY = {
    PAUSE: (PAUSE, "campaign.resume", "campaign.complete"),
    SUSPEND: (SUSPEND, audit.DECRYPT_RESTORED),
    REAPPROVE: (REAPPROVE, CLEARED),
}
_NAMES = {row: action.value for action, row in ACTION_ROWS.items()}
MAX_LISTED = 500


@dataclass(frozen=True)
class MonitorActionView:
    """One automatic action: its audit row id is its id."""

    id: int
    action: str
    subject_kind: str
    subject_id: str
    reason: str
    detector: str | None
    at: datetime
    in_force: bool


def actions_in_force(session: Session) -> list[MonitorActionView]:
    """The session's institution's automatic actions that still hold, newest first."""
    rows = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.actor == MONITOR_ACTOR, AuditEvent.action.in_(_SUPERSEDED_BY))
        .order_by(AuditEvent.id.desc())
        .limit(MAX_LISTED)
    )
    return [_view(row, True) for row in rows if _holds(session, row)]


def reverse_action(session: Session, actor: User, action_id: int, reason: str) -> MonitorActionView:
    """Undo the automatic action ``action_id`` with an audited reason; the action as it now is."""
    require(actor, "alert.reverse")
    if not reason.strip():
        raise InputError("reversing an automatic action needs a reason")
    row = _action(session, action_id)
    if not _holds(session, row):
        raise InputError(f"automatic action {action_id} no longer holds")
    target = row.target_id or ""
    if row.action == PAUSE:
        _resume(session, actor, int(target), action_id, reason.strip())
    elif row.action == SUSPEND:
        audit.restore_decrypt(session, actor, target, reason.strip())
    else:
        session.add(
            AuditEvent(institution_id=actor.institution_id, actor=actor.username,
                       action=CLEARED, target_type=row.target_type, target_id=target,
                       detail={"reason": reason.strip(), "reversed_action": action_id})
        )  # fmt: skip
    session.flush()
    return _view(row, False)


def _action(session: Session, action_id: int) -> AuditEvent:
    row = session.get(AuditEvent, action_id)
    if row is None or row.actor != MONITOR_ACTOR or row.action not in _SUPERSEDED_BY:
        raise NotFound(f"no automatic action {action_id} in this institution")
    return row


def _holds(session: Session, row: AuditEvent) -> bool:
    """Whether no later row about the same subject ended or renewed ``row``."""
    later = session.scalar(
        select(AuditEvent.id)
        .where(
            AuditEvent.id > row.id,
            AuditEvent.target_type == row.target_type,
            AuditEvent.target_id == row.target_id,
            AuditEvent.action.in_(_SUPERSEDED_BY[row.action]),
        )
        .limit(1)
    )
    if later is not None:
        return False
    if row.action == PAUSE:
        campaign = session.get(Campaign, int(row.target_id or 0))
        return campaign is not None and campaign.state == "paused"
    return True


def _resume(session: Session, actor: User, campaign_id: int, action_id: int, reason: str) -> None:
    """Set the paused campaign running again, unless a re-approval demand still holds."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or campaign.state != "paused":
        raise InputError(f"campaign {campaign_id} is not paused")
    if _reapproval_pending(session, campaign):
        raise InputError(
            f"campaign {campaign_id} awaits re-approval; reverse that demand first",
            hint="List the actions in force and reverse the require_reapproval one.",
        )
    campaign.state = "running"
    audit.record(session, actor, "campaign.resume", ("campaign", campaign_id),
                 reason=reason, reversed_action=action_id,
                 **{"from": "paused", "to": "running"})  # fmt: skip


def _reapproval_pending(session: Session, campaign: Campaign) -> bool:
    demands = session.scalars(
        select(AuditEvent).where(
            AuditEvent.actor == MONITOR_ACTOR,
            AuditEvent.action == REAPPROVE,
            ((AuditEvent.target_type == "campaign") & (AuditEvent.target_id == str(campaign.id)))
            | (
                (AuditEvent.target_type == "template")
                & (AuditEvent.target_id == str(campaign.template_version_id))
            ),
        )
    )
    return any(_holds(session, row) for row in demands)


def _view(row: AuditEvent, in_force: bool) -> MonitorActionView:
    alert = row.detail.get("alert") or {}
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
    return MonitorActionView(
        row.id, _NAMES[row.action], row.target_type, row.target_id or "",
        str(row.detail.get("reason", "")), alert.get("detector"), at, in_force,
    )  # fmt: skip
