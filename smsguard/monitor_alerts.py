"""The monitor's alerts as rows: recorded by the worker's watch, listed by people.

The monitor is pure and the worker keeps its alerts in memory, so without this table an
alert would be gone with the worker that raised it. :func:`record_alerts` stores each alert
with the id of the audit row of the action taken on it (a pause, a suspension, a
re-approval), found by the alert the watch quoted in that row's detail: the action and the
alert are written in different transactions, and this match needs no change to either.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smsguard.errors import InputError, StorageError
from smsguard.monitor.alerts import Action, Alert
from smsguard.store import Database, tenant_session
from smsguard.store.models import AuditEvent
from smsguard.store.signal_models import MonitorAlert

log = logging.getLogger(__name__)
MONITOR_ACTOR = "monitor"
# The audit action each monitor action is written as (gateway/watch.py, staff_watch.py).
ACTION_ROWS: dict[Action, str] = {
    Action.PAUSE_CAMPAIGN: "campaign.pause",
    Action.SUSPEND_DECRYPT: "user.decrypt_suspended",
    Action.REQUIRE_REAPPROVAL: "approval.reapproval_required",
}
SEVERITIES = ("warn", "act")
SUBJECT_KINDS = ("campaign", "template", "user", "institution")
MAX_PAGE = 500
_CANDIDATES = 20  # recent monitor rows of one subject searched for the alert's own


@dataclass(frozen=True)
class StoredAlert:
    """An alert as people read it; ``action_audit_id`` names the action row, if one."""

    id: int
    raised_at: datetime
    detector: str
    severity: str
    subject_kind: str
    subject_id: str
    explanation: str
    numbers: dict[str, Any]
    action: str
    action_audit_id: int | None


@dataclass(frozen=True)
class AlertPage:
    """One page of alerts, newest first, and how many match in all."""

    total: int
    items: list[StoredAlert]


def record_alerts(session: Session, institution_id: int, alerts: Sequence[Alert]) -> list[int]:
    """Add a row per alert in the caller's transaction; the new row ids."""
    rows = [
        MonitorAlert(
            institution_id=institution_id,
            raised_at=alert.at.astimezone(UTC),
            detector=alert.detector,
            severity=alert.severity,
            subject_kind=alert.subject.kind,
            subject_id=alert.subject.id,
            explanation=alert.explanation,
            numbers=dict(alert.numbers),
            action=alert.action.value,
            action_audit_id=action_row(session, alert),
        )
        for alert in alerts
    ]
    session.add_all(rows)
    session.flush()
    return [row.id for row in rows]


def save_alerts(database: Database, institution_id: int, alerts: Sequence[Alert]) -> None:
    """Record ``alerts`` in their own transaction; a storage failure is logged, not raised,
    so a database hiccup never stops the worker that is sending (the alert was already
    logged, sent to the webhooks and acted on)."""
    if not alerts:
        return
    try:
        with tenant_session(database, institution_id) as session:
            record_alerts(session, institution_id, alerts)
    except StorageError as exc:
        log.warning("%d monitor alert(s) not stored: %s", len(alerts), exc.message)


def action_row(session: Session, alert: Alert) -> int | None:
    """The id of the audit row recording the action taken on ``alert``, if it was taken."""
    audit_action = ACTION_ROWS.get(alert.action)
    if alert.severity != "act" or audit_action is None:
        return None
    wanted = alert.to_dict()
    rows = session.execute(
        select(AuditEvent.id, AuditEvent.detail)
        .where(
            AuditEvent.actor == MONITOR_ACTOR,
            AuditEvent.action == audit_action,
            AuditEvent.target_id == alert.subject.id,
        )
        .order_by(AuditEvent.id.desc())
        .limit(_CANDIDATES)
    )
    return next((row_id for row_id, detail in rows if detail.get("alert") == wanted), None)


def list_alerts(
    session: Session,
    *,
    severity: str | None = None,
    subject_kind: str | None = None,
    subject_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> AlertPage:
    """Alerts of the session's institution, newest first, filtered and paged."""
    _check_filters(severity, subject_kind, limit, offset)
    conditions = [
        column == value
        for column, value in (
            (MonitorAlert.severity, severity),
            (MonitorAlert.subject_kind, subject_kind),
            (MonitorAlert.subject_id, subject_id),
        )
        if value is not None
    ]
    total = session.scalar(select(func.count(MonitorAlert.id)).where(*conditions)) or 0
    rows = session.scalars(
        select(MonitorAlert)
        .where(*conditions)
        .order_by(MonitorAlert.raised_at.desc(), MonitorAlert.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return AlertPage(total, [_stored(row) for row in rows])


def _check_filters(severity: str | None, kind: str | None, limit: int, offset: int) -> None:
    if severity is not None and severity not in SEVERITIES:
        raise InputError(f"severity must be one of {', '.join(SEVERITIES)}, not {severity!r}")
    if kind is not None and kind not in SUBJECT_KINDS:
        raise InputError(f"subject kind must be one of {', '.join(SUBJECT_KINDS)}, not {kind!r}")
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise InputError(f"a page holds 1-{MAX_PAGE} alerts from a non-negative offset")


def _stored(row: MonitorAlert) -> StoredAlert:
    raised = row.raised_at if row.raised_at.tzinfo else row.raised_at.replace(tzinfo=UTC)
    return StoredAlert(
        row.id, raised, row.detector, row.severity, row.subject_kind, row.subject_id,
        row.explanation, dict(row.numbers), row.action, row.action_audit_id,
    )  # fmt: skip
