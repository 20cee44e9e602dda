"""An admin managing the institution's people from the service: add, deactivate, list.

The CLI's ``smsguard users add`` is the operator's tool (no acting user: whoever runs it
holds the database). In the service an admin acts, so each change here checks
``users.manage`` and is audited in the same transaction. Deactivating ends the person's
sessions at once; the row stays, because audit rows and approvals name it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from smsguard.errors import InputError, NotFound
from smsguard.governance import audit
from smsguard.governance.roles import as_utc, require
from smsguard.governance.users import new_user
from smsguard.store.access_models import WebSession
from smsguard.store.models import User, utc_now


@dataclass(frozen=True)
class StaffView:
    """A user as an admin sees them (never a password hash)."""

    username: str
    display_name: str
    roles: tuple[str, ...]
    active: bool
    certification_expires_at: datetime | None
    decrypt_suspended: bool


def list_staff(session: Session) -> list[StaffView]:
    """The institution's users by username, with any reveal suspension the monitor set."""
    users = session.scalars(select(User).order_by(User.username))
    return [
        StaffView(user.username, user.display_name, tuple(user.roles), user.active,
                  as_utc(user.certification_expires_at),
                  audit.decrypt_suspension(session, user.username) is not None)
        for user in users
    ]  # fmt: skip


def create_user(
    session: Session,
    actor: User,
    username: str,
    roles: Sequence[str],
    *,
    certified_until: date | None = None,
    display_name: str | None = None,
) -> User:
    """Add a user to the actor's institution (an admin only)."""
    require(actor, "users.manage")
    user = new_user(username, roles, certified_until, display_name)
    if session.scalar(select(User.id).where(User.username == user.username)) is not None:
        raise InputError(f"user {user.username!r} already exists")
    user.institution_id = actor.institution_id
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.create", ("user", user.id), roles=list(user.roles))
    return user


def deactivate_user(session: Session, actor: User, username: str) -> None:
    """Switch a user off and end their sessions (an admin, never on themselves)."""
    require(actor, "users.manage")
    if username == actor.username:
        raise InputError("nobody may deactivate themselves")
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r} in this institution")
    if not user.active:
        return
    user.active = False
    now = utc_now()
    for open_session in session.scalars(
        select(WebSession).where(WebSession.user_id == user.id, WebSession.ended_at.is_(None))
    ):
        open_session.ended_at = now
    audit.record(session, actor, "user.deactivate", ("user", user.id))
