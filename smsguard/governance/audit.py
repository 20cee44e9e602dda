"""Audit events for the workflow, written in the caller's transaction.

Recording in the same session as the state change means the two commit or roll back
together: there is never a state change without its audit row, nor an audit row for a change
that did not happen. The table itself is append-only (database triggers, migration 0001).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smsguard.store.models import AuditEvent, User


def record(
    session: Session,
    actor: User,
    action: str,
    target: tuple[str, int],
    **detail: Any,
) -> AuditEvent:
    """Add one audit row: ``actor`` did ``action`` to ``target`` (type, id)."""
    target_type, target_id = target
    event = AuditEvent(
        institution_id=actor.institution_id,
        actor=actor.username,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        detail=detail,
    )
    session.add(event)
    return event


def trail(session: Session, target_type: str, target_id: int) -> list[AuditEvent]:
    """The audit rows of one target, oldest first."""
    query = (
        select(AuditEvent)
        .where(AuditEvent.target_type == target_type, AuditEvent.target_id == str(target_id))
        .order_by(AuditEvent.id)
    )
    return list(session.scalars(query))
