"""Audit events for the workflow, written in the caller's transaction.

Recording in the same session as the state change means the two commit or roll back
together: there is never a state change without its audit row, nor an audit row for a change
that did not happen. The table itself is append-only (database triggers, migration 0001).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smsguard.errors import InputError
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


def trail(session: Session, target_type: str, target_id: int | str) -> list[AuditEvent]:
    """The audit rows of one target, oldest first (``target_id`` as stored: a row id, or a
    username for ``user`` targets)."""
    query = (
        select(AuditEvent)
        .where(AuditEvent.target_type == target_type, AuditEvent.target_id == str(target_id))
        .order_by(AuditEvent.id)
    )
    return list(session.scalars(query))


MAX_PAGE = 500


def recent(session: Session, *, limit: int = 50, before_id: int | None = None) -> list[AuditEvent]:
    """The newest audit rows, newest first, older than ``before_id`` when given.

    Paging by id rather than by offset keeps pages stable while new rows arrive, which they
    do all the time on a live system: the next page starts below the last id shown."""
    if not 1 <= limit <= MAX_PAGE:
        raise InputError(f"a page holds 1-{MAX_PAGE} audit rows")
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    return list(session.scalars(query))


# The monitor suspends a user's right to reveal customer data by writing an audit row; a
# person restores it the same way, so the state is the latest of these rows for the user.
DECRYPT_SUSPENDED = "user.decrypt_suspended"
DECRYPT_RESTORED = "user.decrypt_restored"


def decrypt_suspension(session: Session, username: str) -> str | None:
    """Why ``username`` may not reveal customer data now, or None when they may."""
    latest = session.execute(
        select(AuditEvent.action, AuditEvent.detail)
        .where(
            AuditEvent.target_type == "user",
            AuditEvent.target_id == username,
            AuditEvent.action.in_((DECRYPT_SUSPENDED, DECRYPT_RESTORED)),
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).first()
    if latest is None or latest[0] == DECRYPT_RESTORED:
        return None
    return str(latest[1].get("reason", "suspended by the monitor"))


def restore_decrypt(session: Session, actor: User, username: str, reason: str) -> None:
    """Lift a suspension of ``username``'s reveal right; admins and compliance officers only."""
    from smsguard.governance.roles import require

    require(actor, "decrypt.restore")
    if actor.username == username:
        raise InputError("nobody may lift their own suspension")
    if decrypt_suspension(session, username) is None:
        raise InputError(f"user {username!r} is not suspended")
    if not reason.strip():
        raise InputError("restoring a suspended user needs a reason")
    session.add(
        AuditEvent(
            institution_id=actor.institution_id,
            actor=actor.username,
            action=DECRYPT_RESTORED,
            target_type="user",
            target_id=username,
            detail={"reason": reason.strip()},
        )
    )
