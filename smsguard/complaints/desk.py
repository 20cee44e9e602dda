"""Reading the complaints desk: lists, one case with its history, reminders, statistics.

Kept apart from the intake and handling steps (service.py) so each module stays small. The
reminder sweep is idempotent: each reminder or escalation is recorded once per case and round
(``complaint_events`` has a unique key per case), so running it from cron every few minutes,
or twice at once after a restart, never reminds anyone twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from smsguard.complaints.deadlines import Alert, alerts
from smsguard.complaints.lifecycle import OPEN_STATUSES, Case
from smsguard.complaints.records import DESK_ACTOR, aware, case_of, history, load, policy_of, utc
from smsguard.complaints.stats import CaseFacts, ComplaintStats, summarise
from smsguard.customers.keystore import load_ring, tenant_label
from smsguard.errors import InputError
from smsguard.protect import MasterKeyProvider
from smsguard.store import Database, tenant_session
from smsguard.store.complaint_models import Complaint, ComplaintEvent
from smsguard.store.models import AuditEvent


@dataclass(frozen=True)
class ComplaintView:
    """A case as a desk list shows it: no texts, no phone numbers."""

    complaint_id: int
    channel: str
    category: str
    status: str
    customer_id: int | None
    campaign_id: int | None
    template_version_id: int | None
    message_id: int | None
    log_index: int | None
    consent_id: int | None
    assignee_id: int | None
    received_at: datetime
    due_at: datetime
    promise_due_at: datetime | None
    extensions: int
    round: int


@dataclass(frozen=True)
class HistoryEntry:
    """One row of a case's history."""

    at: datetime
    kind: str
    action: str
    from_status: str | None
    to_status: str | None
    actor: str
    detail: dict[str, object]


@dataclass(frozen=True)
class DueAlert:
    """A reminder or escalation the sweep has just recorded for one case."""

    complaint_id: int
    alert: Alert


class ComplaintDesk:
    """Read side and reminder sweep of one institution's complaints."""

    def __init__(
        self,
        database: Database,
        institution_id: int,
        keys: MasterKeyProvider,
        clock: Callable[[], datetime],
    ) -> None:
        self._database = database
        self._institution_id = institution_id
        self._keys = keys
        self._clock = clock

    def _case(self, row: Complaint) -> Case:
        return case_of(row)

    def cases(self, status: str | None = None) -> list[ComplaintView]:
        """Cases, oldest first, optionally only those with ``status`` (``open`` for all open)."""
        query = select(Complaint).order_by(Complaint.id)
        if status == "open":
            query = query.where(Complaint.status.in_(OPEN_STATUSES))
        elif status is not None:
            query = query.where(Complaint.status == status)
        with tenant_session(self._database, self._institution_id) as session:
            return [_view(row) for row in session.scalars(query)]

    def show(self, complaint_id: int) -> tuple[ComplaintView, list[HistoryEntry]]:
        """One case and its whole history."""
        with tenant_session(self._database, self._institution_id) as session:
            row = load(session, complaint_id)
            entries = [_entry(event) for event in history(session, complaint_id)]
            return _view(row), entries

    def texts(self, complaint_id: int, actor: str, purpose: str) -> tuple[str | None, str | None]:
        """The complaint and resolution texts, decrypted after an audit row is written."""
        from smsguard.complaints.access import require, user_named

        if not purpose.strip():
            raise InputError("reading a complaint's text needs a purpose")
        with tenant_session(self._database, self._institution_id) as session:
            user = user_named(session, actor)
            require(user, "complaint.handle", self._clock())
            row = load(session, complaint_id)
            blobs = row.text_ciphertext, row.resolution_ciphertext
            ring = load_ring(session, self._keys, self._institution_id)
        with tenant_session(self._database, self._institution_id) as session:
            session.add(
                AuditEvent(
                    actor=user.username,
                    action="complaint.text_revealed",
                    target_type="complaint",
                    target_id=str(complaint_id),
                    detail={"purpose": purpose},
                )
            )
        tenant, record = tenant_label(self._institution_id), str(complaint_id)
        fields = ("complaint_text", "resolution")
        return tuple(  # type: ignore[return-value]
            None
            if blob is None
            else ring.decrypt_field(blob, tenant=tenant, field=field, record_id=record)
            for blob, field in zip(blobs, fields, strict=True)
        )

    def due_reminders(self, now: datetime | None = None) -> list[DueAlert]:
        """Record and return every reminder and escalation owed by ``now`` and not yet recorded."""
        now = now or self._clock()
        with tenant_session(self._database, self._institution_id) as session:
            rows = session.scalars(
                select(Complaint).where(Complaint.status.in_(OPEN_STATUSES)).order_by(Complaint.id)
            ).all()
            done = _recorded_keys(session, [row.id for row in rows])
            found: list[DueAlert] = []
            for row in rows:
                for alert in alerts(policy_of(row), case_of(row).timeline, now):
                    key = f"r{row.round}-{alert.key}"
                    if (row.id, key) not in done:
                        session.add(_alert_event(row, alert, key))
                        found.append(DueAlert(row.id, alert))
            for item in found:
                if item.alert.kind == "escalation":
                    session.add(_escalation_audit(item))
        return found

    def stats(self, start: datetime, end: datetime) -> ComplaintStats:
        """Figures over the complaints received in ``[start, end)``."""
        if end <= start:
            raise InputError("the statistics period must end after it starts")
        with tenant_session(self._database, self._institution_id) as session:
            rows = session.scalars(
                select(Complaint).where(
                    Complaint.received_at >= utc(start), Complaint.received_at < utc(end)
                )
            ).all()
            facts = [_facts(row) for row in rows]
        return summarise(facts, self._clock())


def _recorded_keys(session: Session, ids: Sequence[int]) -> set[tuple[int, str]]:
    if not ids:
        return set()
    rows = session.execute(
        select(ComplaintEvent.complaint_id, ComplaintEvent.key).where(
            ComplaintEvent.complaint_id.in_(ids), ComplaintEvent.key.is_not(None)
        )
    )
    return {(complaint_id, key) for complaint_id, key in rows if key is not None}


def _alert_event(row: Complaint, alert: Alert, key: str) -> ComplaintEvent:
    return ComplaintEvent(
        institution_id=row.institution_id,
        complaint_id=row.id,
        round=row.round,
        kind=alert.kind,
        key=key,
        action=f"{alert.deadline}_{alert.percent}",
        actor=DESK_ACTOR,
        at=utc(alert.at),
        detail={
            "deadline": alert.deadline,
            "level": alert.level,
            "percent": alert.percent,
            "due_at": utc(alert.due_at).isoformat(),
        },
    )


def _escalation_audit(item: DueAlert) -> AuditEvent:
    """Escalations also go to the institution's audit trail, where auditors look."""
    return AuditEvent(
        actor=DESK_ACTOR,
        action="complaint.escalated",
        target_type="complaint",
        target_id=str(item.complaint_id),
        detail={"deadline": item.alert.deadline, "due_at": utc(item.alert.due_at).isoformat()},
    )


def _view(row: Complaint) -> ComplaintView:
    return ComplaintView(
        row.id,
        row.channel,
        row.category,
        row.status,
        row.customer_id,
        row.campaign_id,
        row.template_version_id,
        row.message_id,
        row.log_index,
        row.consent_id,
        row.assignee_id,
        aware(row.received_at),
        aware(row.due_at),
        aware(row.promise_due_at) if row.promise_due_at else None,
        row.extensions,
        row.round,
    )


def _entry(event: ComplaintEvent) -> HistoryEntry:
    return HistoryEntry(
        aware(event.at),
        event.kind,
        event.action,
        event.from_status,
        event.to_status,
        event.actor,
        dict(event.detail),
    )


def _facts(row: Complaint) -> CaseFacts:
    return CaseFacts(
        row.category,
        row.channel,
        row.status,
        aware(row.received_at),
        aware(row.due_at),
        aware(row.resolved_at) if row.resolved_at else None,
        aware(row.promise_due_at) if row.promise_due_at else None,
    )
