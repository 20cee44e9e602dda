"""An AuditSink that writes reveal decisions to the append-only ``audit_events`` table.

Each event is committed in its own transaction before ``record`` returns. That is the point:
the Revealer audits *before* it decrypts and a refusal raises AccessDenied afterwards, so an
event written inside the caller's transaction would be rolled back together with the
refusal, leaving exactly the unrecorded access the audit exists to prevent.
"""

from __future__ import annotations

from smsguard.protect import AuditEvent
from smsguard.store import Database, tenant_session
from smsguard.store.models import AuditEvent as AuditRow

REVEAL_ACTION = "reveal"


class DatabaseAuditSink:
    """Records reveal decisions of one institution durably; raises if the write fails."""

    def __init__(self, database: Database, institution_id: int) -> None:
        self._database = database
        self._institution_id = institution_id

    def record(self, event: AuditEvent) -> None:
        """Commit one row: who, which record and field, why, outcome, when (never the value)."""
        row = AuditRow(
            institution_id=self._institution_id,
            actor=event.actor,
            action=REVEAL_ACTION,
            target_type="customer",
            target_id=event.record_id,
            detail={
                "roles": list(event.roles),
                "purpose": event.purpose,
                "field": event.field,
                "outcome": event.outcome,
            },
            at=event.at,
        )
        with tenant_session(self._database, self._institution_id) as session:
            session.add(row)
