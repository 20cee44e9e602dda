"""Creating and listing an institution's users (the ``smsguard users`` commands).

Roles are validated against :class:`~smsguard.governance.roles.Role` before anything is
written, and the insert runs in one tenant session, so a bad role or a duplicate username
leaves no row behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smsguard.errors import InputError, NotFound, StorageError
from smsguard.governance.roles import Role, parse_role
from smsguard.store.engine import Database
from smsguard.store.models import Institution, User
from smsguard.store.tenancy import tenant_session


def institution_id(database: Database, code: str) -> int:
    """The id of the institution with ``code``; InputError when there is none."""
    with database.transaction() as session:
        found = session.scalar(select(Institution.id).where(Institution.code == code.strip()))
    if found is None:
        raise NotFound(f"no institution with code {code!r}; see `smsguard institutions list`")
    return found


def active_user(session: Session, username: str) -> User:
    """The active user called ``username`` in the session's institution; InputError otherwise
    (a name given as input, not a resource in a URL; a deactivated user is as absent as one
    that never existed)."""
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None:
        raise InputError(f"no active user {username!r} in this institution")
    return user


def add_user(
    database: Database,
    *,
    institution: str,
    username: str,
    roles: Sequence[str],
    certified_until: date | None = None,
    display_name: str | None = None,
) -> User:
    """Create a user of institution ``institution`` (its code) with ``roles``."""
    user = new_user(username, roles, certified_until, display_name)
    tenant = institution_id(database, institution)
    user.institution_id = tenant
    try:
        with tenant_session(database, tenant) as session:
            session.add(user)
    except StorageError as exc:
        if isinstance(exc.__cause__, IntegrityError):
            raise InputError(f"user {username!r} already exists in {institution!r}") from exc
        raise
    return user


def new_user(
    username: str,
    roles: Sequence[str],
    certified_until: date | None = None,
    display_name: str | None = None,
) -> User:
    """A validated, unsaved user row (the caller adds it to its institution's session)."""
    username = username.strip()
    if not username or len(username) > 100:
        raise InputError("a username needs 1-100 characters")
    parsed = sorted({parse_role(raw) for raw in roles})
    if not parsed:
        raise InputError("a user needs at least one role")
    if certified_until is not None and Role.COMPLIANCE_OFFICER not in parsed:
        raise InputError("a certification date applies to compliance officers only")
    return User(
        username=username,
        display_name=(display_name or username).strip(),
        roles=[role.value for role in parsed],
        certification_expires_at=_end_of_day(certified_until),
    )


def _end_of_day(day: date | None) -> datetime | None:
    """A certification is valid through the whole of its last day (UTC)."""
    return None if day is None else datetime.combine(day, time.max, tzinfo=UTC)


def list_users(database: Database, institution: str) -> list[User]:
    """The institution's users, ordered by username."""
    with tenant_session(database, institution_id(database, institution)) as session:
        return list(session.scalars(select(User).order_by(User.username)))


def restore_decrypt_right(
    database: Database, institution: str, *, actor: str, username: str, reason: str
) -> None:
    """Lift a monitor suspension of ``username``'s reveals, as the user ``actor``."""
    from smsguard.governance.audit import restore_decrypt

    with tenant_session(database, institution_id(database, institution)) as session:
        acting = session.scalar(select(User).where(User.username == actor, User.active))
        if acting is None:
            raise InputError(f"no active user {actor!r} in {institution!r}")
        restore_decrypt(session, acting, username, reason)


def usernames(session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    """Usernames of the given user ids, so views can name authors and deciders, not ids."""
    wanted = {user_id for user_id in user_ids if user_id is not None}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.username).where(User.id.in_(wanted)))
    return {user_id: name for user_id, name in rows}
