"""The figures of one institution's monthly report, gathered with aggregate SQL.

Every query runs in a tenant session (so another institution's rows are never seen) and lets
the database count: GROUP BY and LIMIT, never a row per message into Python. A month of a
large lender is millions of messages; the report needs a few hundred numbers.

Which instant puts a row in the month:

* a message: when it was handed over (``sent_at``), or, if it never was, when it ended
  (``finished_at``: refused, failed), or else when it is due (``not_before``: still queued);
* a template decision: ``decided_at``; a submission: ``submitted_at``; a campaign approval:
  ``approved_at``; a consent withdrawal: ``recorded_at``; an audit row: ``at``.

A message's state is the one it has when the report is made, so a report for a closed month
made a few days later shows final states. All SQL of the reports lives in this module; the
formats (JSON, xlsx, PDF) only read the :class:`~smsguard.reports.model.MonthlyReport`.
"""

from __future__ import annotations

import importlib.util
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from smsguard.customers.inbound import COMPLAINT_ACTION
from smsguard.reports.model import (
    Approvals,
    CampaignVolume,
    ComplaintCases,
    Complaints,
    LogState,
    MonitorAction,
    Monitoring,
    MonthlyReport,
    ReportError,
    Tally,
    Volumes,
    Withdrawals,
)
from smsguard.reports.period import Period
from smsguard.store import Database, tenant_session
from smsguard.store.gateway_models import MESSAGE_STATES, Message
from smsguard.store.models import AuditEvent, Consent, Institution
from smsguard.store.workflow_models import Campaign, TemplateVersion

TOP = 10  # reasons and sources listed by name; the rest are summed as "other"
MAX_ACTIONS = 200  # monitor actions listed one by one
MAX_TEXT = 200  # a reason longer than this is cut, so no free text can swell a report
MONITOR_ACTOR = "monitor"
OTHER = "(other)"
NONE = "(none)"
HANDED_OVER = ("sent", "delivered", "undelivered", "uncertain")
FAILED = ("failed", "undelivered", "uncertain")
PENDING = ("queued", "sending")
COMPLAINT_MODELS = "smsguard.store.complaint_models"


def gather(
    database: Database,
    institution_id: int,
    period: Period,
    *,
    checkpoint: LogState | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> MonthlyReport:
    """The report of ``institution_id`` for ``period``, in one read transaction."""
    generated = now()
    if period.start > generated:
        raise ReportError(f"period {period.label} has not started yet; nothing to report")
    with tenant_session(database, institution_id) as session:
        institution = session.get(Institution, institution_id)
        if institution is None:
            raise ReportError(f"no institution with id {institution_id}")
        return MonthlyReport(
            institution=institution.code,
            institution_name=institution.name,
            period=period.label,
            timezone=period.timezone,
            starts=period.local_start.isoformat(),
            ends=period.local_end.isoformat(),
            generated_at=generated.astimezone(UTC).isoformat(timespec="seconds"),
            volumes=volumes(session, period),
            approvals=approvals(session, period),
            withdrawals=withdrawals(session, period),
            complaints=complaints(session, period),
            monitoring=monitoring(session, period),
            data_access=data_access(session, period),
            checkpoint=checkpoint,
        )


def _within(column: Any, period: Period) -> ColumnElement[bool]:
    return and_(column >= period.start, column < period.end)


def _message_time() -> Any:
    return func.coalesce(Message.sent_at, Message.finished_at, Message.not_before)


def _tallies(rows: Sequence[Any], total: int | None = None) -> tuple[Tally, ...]:
    """(label, count) rows as tallies; with ``total``, what the rows miss becomes "other"."""
    found = tuple(Tally(_text(label), int(count)) for label, count in rows)
    if total is not None:
        rest = total - sum(t.count for t in found)
        if rest > 0:
            found += (Tally(OTHER, rest),)
    return found


def _text(value: object) -> str:
    text = NONE if value is None or value == "" else str(value)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _grouped(session: Session, label: Any, *where: Any, limit: int | None = None) -> list[Any]:
    """(label, count) rows, biggest first. The label is computed in a subquery first: a JSON
    path repeated in GROUP BY is a second bound parameter PostgreSQL cannot match."""
    inner = select(label.label("label")).where(*where).subquery()
    query = (
        select(inner.c.label, func.count().label("n"))
        .group_by(inner.c.label)
        .order_by(func.count().desc(), inner.c.label)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(session.execute(query))


# -- messages ---------------------------------------------------------------------------------


def volumes(session: Session, period: Period) -> Volumes:
    """Messages of the month by state, refusal and failure reasons, and per campaign."""
    in_month = _within(_message_time(), period)
    counts: dict[str, int] = dict.fromkeys(MESSAGE_STATES, 0)
    segments = 0
    rows = session.execute(
        select(Message.state, func.count(), func.coalesce(func.sum(Message.segments), 0))
        .where(in_month)
        .group_by(Message.state)
    )
    for state, count, parts in rows:
        counts[state] = int(count)
        segments += int(parts) if state in HANDED_OVER else 0
    refused = counts["refused"]
    failed = sum(counts[s] for s in FAILED)
    return Volumes(
        total=sum(counts.values()),
        handed_over=sum(counts[s] for s in HANDED_OVER),
        delivered=counts["delivered"],
        refused=refused,
        failed=failed,
        pending=sum(counts[s] for s in PENDING),
        segments_handed_over=segments,
        by_state=tuple(Tally(state, counts[state]) for state in MESSAGE_STATES),
        refusal_reasons=_reasons(session, in_month, ("refused",), refused),
        failure_reasons=_reasons(session, in_month, FAILED, failed),
        campaigns=_campaigns(session, in_month),
    )


def _reasons(
    session: Session, in_month: Any, states: Sequence[str], total: int
) -> tuple[Tally, ...]:
    rows = _grouped(session, Message.reason, in_month, Message.state.in_(states), limit=TOP)
    return _tallies(rows, total)


def _campaigns(session: Session, in_month: Any) -> tuple[CampaignVolume, ...]:
    """One line per campaign (and one for messages outside campaigns), by state."""
    joined = and_(
        Campaign.id == Message.campaign_id, Campaign.institution_id == Message.institution_id
    )
    rows = session.execute(
        select(Message.campaign_id, Campaign.name, Message.state, func.count())
        .select_from(Message)
        .outerjoin(Campaign, joined)
        .where(in_month)
        .group_by(Message.campaign_id, Campaign.name, Message.state)
    )
    states: dict[tuple[int | None, str], dict[str, int]] = defaultdict(dict)
    for campaign_id, name, state, count in rows:
        label = name if campaign_id is not None else "(single messages)"
        states[(campaign_id, label)][state] = int(count)
    ordered = sorted(states.items(), key=lambda item: (item[0][0] is None, item[0][0] or 0))
    return tuple(_campaign_volume(key, by_state) for key, by_state in ordered)


def _campaign_volume(key: tuple[int | None, str], by_state: dict[str, int]) -> CampaignVolume:
    def total(states: Sequence[str]) -> int:
        return sum(by_state.get(state, 0) for state in states)

    return CampaignVolume(
        campaign_id=key[0],
        name=_text(key[1]),
        total=sum(by_state.values()),
        handed_over=total(HANDED_OVER),
        delivered=by_state.get("delivered", 0),
        refused=by_state.get("refused", 0),
        failed=total(FAILED),
        pending=total(PENDING),
    )


# -- governance -------------------------------------------------------------------------------


def approvals(session: Session, period: Period) -> Approvals:
    """Template submissions and decisions, rejection reasons, campaign approvals."""
    decided = _within(TemplateVersion.decided_at, period)
    approved = TemplateVersion.state == "approved"
    rejected = TemplateVersion.state == "rejected"
    after_review = and_(approved, TemplateVersion.verdict == "review")
    row = session.execute(
        select(
            func.coalesce(func.sum(case((approved, 1), else_=0)), 0),
            func.coalesce(func.sum(case((after_review, 1), else_=0)), 0),
            func.coalesce(func.sum(case((rejected, 1), else_=0)), 0),
        ).where(decided)
    ).one()
    n_rejected = int(row[2])
    reasons = _grouped(session, TemplateVersion.rejection_reason, decided, rejected, limit=TOP)
    return Approvals(
        templates_submitted=_count(
            session, TemplateVersion.id, _within(TemplateVersion.submitted_at, period)
        ),
        templates_approved=int(row[0]),
        templates_approved_after_review=int(row[1]),
        templates_rejected=n_rejected,
        rejection_reasons=_tallies(reasons, n_rejected),
        campaigns_approved=_count(session, Campaign.id, _within(Campaign.approved_at, period)),
    )


def _count(session: Session, column: Any, *where: Any) -> int:
    return int(session.scalar(select(func.count(column)).where(*where)) or 0)


def withdrawals(session: Session, period: Period) -> Withdrawals:
    """Consent withdrawals recorded in the month, by source and by purpose."""
    where = (Consent.status == "withdrawn", _within(Consent.recorded_at, period))
    total = _count(session, Consent.id, *where)
    return Withdrawals(
        total=total,
        by_source=_tallies(_grouped(session, Consent.source, *where, limit=TOP), total),
        by_purpose=_tallies(_grouped(session, Consent.purpose, *where, limit=TOP), total),
    )


# -- complaints, monitor, data access (audit_events) ------------------------------------------


def complaints(session: Session, period: Period) -> Complaints:
    """Complaints received by reply in the month; the complaints desk's cases if it exists."""
    where = (AuditEvent.action == COMPLAINT_ACTION, _within(AuditEvent.at, period))
    total = _count(session, AuditEvent.id, *where)
    kinds = _grouped(session, AuditEvent.detail["kind"].as_string(), *where, limit=TOP)
    return Complaints(
        received=total, by_kind=_tallies(kinds, total), cases=complaint_cases(session, period)
    )


def complaint_cases(session: Session, period: Period) -> ComplaintCases | None:
    """Cases and handling times from the complaints desk's table, when it is installed.

    Isolated (with its SQL in :mod:`smsguard.reports.cases`) so the rest of the report does
    not depend on a table that a newer part of smsguard adds.
    """
    if importlib.util.find_spec(COMPLAINT_MODELS) is None:
        return None
    from smsguard.reports.cases import case_figures

    return case_figures(session, period)


def monitoring(session: Session, period: Period) -> Monitoring:
    """Automatic actions of the monitor (actor ``monitor``), counted and listed."""
    where = (AuditEvent.actor == MONITOR_ACTOR, _within(AuditEvent.at, period))
    total = _count(session, AuditEvent.id, *where)
    detector = AuditEvent.detail[("alert", "detector")].as_string()
    listed = session.execute(
        select(
            AuditEvent.at,
            AuditEvent.action,
            AuditEvent.target_type,
            AuditEvent.target_id,
            detector,
            AuditEvent.detail[("alert", "severity")].as_string(),
            AuditEvent.detail["reason"].as_string(),
        )
        .where(*where)
        .order_by(AuditEvent.at, AuditEvent.id)
        .limit(MAX_ACTIONS)
    )
    return Monitoring(
        total=total,
        by_action=_tallies(_grouped(session, AuditEvent.action, *where, limit=TOP), total),
        by_detector=_tallies(_grouped(session, detector, *where, limit=TOP), total),
        actions=tuple(_monitor_action(row) for row in listed),
    )


def _monitor_action(row: Any) -> MonitorAction:
    at, action, target_type, target_id, detector, severity, reason = row
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return MonitorAction(
        at=aware.astimezone(UTC).isoformat(timespec="seconds"),
        action=_text(action),
        target=_text(f"{target_type} {target_id}" if target_id else target_type),
        detector=_text(detector),
        severity=_text(severity),
        reason=_text(reason),
    )


def data_access(session: Session, period: Period) -> tuple[Tally, ...]:
    """Audited reveals of customer data (one row per decision or per batch), by purpose."""
    is_reveal = AuditEvent.action.like("%reveal%")
    where = (is_reveal, _within(AuditEvent.at, period))
    label = (
        AuditEvent.action
        + " / "
        + func.coalesce(AuditEvent.detail["purpose"].as_string(), NONE)
        + " / "
        + func.coalesce(AuditEvent.detail["outcome"].as_string(), "batch")
    )
    total = _count(session, AuditEvent.id, *where)
    return _tallies(_grouped(session, label, *where, limit=TOP * 2), total)
