"""Who is calling: passwords, login sessions and API keys (docs/api.md, "Authentication").

People log in with a password (argon2id hashes; a missing user costs the same verification
time as a wrong password, so timing does not reveal who has an account) and get a session
token for a cookie. Institutions' systems use API keys. Both resolve to an
:class:`Identity`: the institution, the acting user, that user's roles and, for a key, its
scopes. The HTTP layer asks :meth:`Identity.may` before every action; the governance
functions check again with the user row, so a bug in one layer does not open the other.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from smsguard.errors import InputError, NotFound, PermissionDenied
from smsguard.governance import audit
from smsguard.governance.roles import PERMISSIONS, Role, as_utc, require, roles_of
from smsguard.governance.users import active_user
from smsguard.store.access_models import ApiKey, WebSession
from smsguard.store.engine import Database
from smsguard.store.models import Institution, User, utc_now
from smsguard.store.tenancy import tenant_session

KEY_PREFIX = "sgk"
MIN_PASSWORD_LENGTH = 12
_HASHER = PasswordHasher()
# Verified when the user does not exist, so a miss takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))
# A key's last use is written at most this often (not on every request).
_USE_STAMP_INTERVAL = timedelta(minutes=5)


@dataclass(frozen=True)
class Identity:
    """An authenticated caller: a user of one institution, limited by a key's scopes."""

    institution_id: int
    user_id: int
    username: str
    roles: frozenset[Role]
    via: Literal["session", "api_key"]
    scopes: frozenset[str] | None = None

    def may(self, action: str, table: Mapping[str, frozenset[Role]] = PERMISSIONS) -> bool:
        """True when a role grants ``action`` in ``table`` and, for an API key, its scopes
        include it."""
        in_scope = self.scopes is None or action in self.scopes
        return bool(self.roles & table.get(action, frozenset())) and in_scope


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``; InputError when it is too short to be safe."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _HASHER.hash(password)


def password_matches(stored: str | None, password: str) -> bool:
    """True when ``password`` matches ``stored``; always spends one verification."""
    try:
        return _HASHER.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def set_password(
    database: Database, institution_id: int, username: str, password: str, *, by: str | None = None
) -> None:
    """Give ``username`` a new password, which also ends every session they have open. ``by``
    names the admin who sets it for them (the CLI, run by the operator, passes nobody)."""
    hashed = hash_password(password)
    with tenant_session(database, institution_id) as session:
        user = active_user(session, username)
        actor = user if by is None else active_user(session, by)
        if by is not None:
            require(actor, "users.manage")
        user.password_hash = hashed
        for open_session in session.scalars(
            select(WebSession).where(WebSession.user_id == user.id, WebSession.ended_at.is_(None))
        ):
            open_session.ended_at = utc_now()
        audit.record(session, actor, "password.set", ("user", user.id))


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _identity(
    user: User, via: Literal["session", "api_key"], scopes: Iterable[str] | None = None
) -> Identity:
    return Identity(
        user.institution_id,
        user.id,
        user.username,
        roles_of(user),
        via,
        None if scopes is None else frozenset(scopes),
    )


# -- sessions -----------------------------------------------------------------------------


def login(
    database: Database,
    institution: str,
    username: str,
    password: str,
    *,
    lifetime: timedelta,
) -> tuple[str, Identity] | None:
    """A new session token and its identity, or None when the credentials do not match (the
    same answer for an unknown institution, user or password). Both outcomes are audited
    when the user exists."""
    with database.transaction() as session:
        user = session.scalar(
            select(User)
            .join(Institution, Institution.id == User.institution_id)
            .where(Institution.code == institution, User.username == username)
        )
        matched = password_matches(user.password_hash if user else None, password)
        if user is None:
            return None
        if not (matched and user.active):
            audit.record(session, user, "login.failed", ("user", user.id))
            return None
        token = secrets.token_urlsafe(32)
        now = utc_now()
        session.add(
            WebSession(
                institution_id=user.institution_id,
                user_id=user.id,
                token_sha256=_sha256(token),
                created_at=now,
                expires_at=now + lifetime,
            )
        )
        audit.record(session, user, "login", ("user", user.id))
        return token, _identity(user, "session")


def session_identity(database: Database, token: str) -> Identity | None:
    """The identity of a live session token, or None (unknown, ended, expired, deactivated)."""
    now = utc_now()
    with database.transaction() as session:
        row = session.scalar(select(WebSession).where(WebSession.token_sha256 == _sha256(token)))
        if row is None or row.ended_at is not None or (as_utc(row.expires_at) or now) <= now:
            return None
        user = session.get(User, row.user_id)
        return _identity(user, "session") if user is not None and user.active else None


def logout(database: Database, token: str) -> None:
    """End the session of ``token`` (nothing happens for an unknown token)."""
    with database.transaction() as session:
        row = session.scalar(select(WebSession).where(WebSession.token_sha256 == _sha256(token)))
        if row is not None and row.ended_at is None:
            row.ended_at = utc_now()


def csrf_token(session_token: str) -> str:
    """The CSRF token bound to a session: derived from the cookie's secret, so only a page
    that could read our own responses can know it, and nothing extra is stored."""
    return hmac.new(session_token.encode(), b"smsguard-csrf", hashlib.sha256).hexdigest()[:32]


def csrf_matches(session_token: str, offered: str | None) -> bool:
    """True when ``offered`` is this session's CSRF token (constant-time comparison)."""
    return offered is not None and hmac.compare_digest(csrf_token(session_token), offered)


# -- API keys -----------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyView:
    """An API key as listed: never the secret."""

    id: int
    name: str
    username: str
    scopes: tuple[str, ...]
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def create_api_key(
    session: Session,
    actor: User,
    *,
    username: str,
    name: str,
    scopes: Iterable[str],
    table: Mapping[str, frozenset[Role]] = PERMISSIONS,
) -> tuple[str, KeyView]:
    """A new key acting for ``username`` within ``scopes``; the token is shown only here.

    Every scope must be a permission of ``table`` that the user's roles grant, so a key
    never widens what its user may do."""
    require(actor, "apikey.manage")
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise InputError("an API key needs a name of 1-100 characters")
    user = active_user(session, username)
    wanted = sorted(set(scopes))
    if not wanted:
        raise InputError("an API key needs at least one scope")
    granted = {action for action, roles in table.items() if roles & roles_of(user)}
    if refused := [scope for scope in wanted if scope not in granted]:
        raise PermissionDenied(f"user {username!r} does not hold {', '.join(refused)}")
    lookup, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    row = ApiKey(
        institution_id=actor.institution_id, user_id=user.id, name=name, lookup=lookup,
        secret_sha256=_sha256(secret), scopes=wanted, created_by=actor.username,
    )  # fmt: skip
    session.add(row)
    session.flush()
    audit.record(session, actor, "apikey.create", ("api_key", row.id), user=username, scopes=wanted)
    return f"{KEY_PREFIX}_{lookup}_{secret}", _key_view(row, username)


def revoke_api_key(session: Session, actor: User, key_id: int) -> None:
    """Revoke a key of the actor's institution (idempotent)."""
    require(actor, "apikey.manage")
    row = session.get(ApiKey, key_id)
    if row is None:
        raise NotFound(f"no API key {key_id} in this institution")
    if row.revoked_at is None:
        row.revoked_at = utc_now()
        audit.record(session, actor, "apikey.revoke", ("api_key", key_id))


def list_api_keys(session: Session) -> list[KeyView]:
    """The institution's keys, newest first."""
    rows = session.execute(
        select(ApiKey, User.username)
        .join(User, User.id == ApiKey.user_id)
        .order_by(ApiKey.id.desc())
    )
    return [_key_view(key, username) for key, username in rows]


def _key_view(row: ApiKey, username: str) -> KeyView:
    return KeyView(
        row.id, row.name, username, tuple(row.scopes), f"{KEY_PREFIX}_{row.lookup}",
        row.created_at, row.last_used_at, row.revoked_at,
    )  # fmt: skip


def key_identity(database: Database, token: str) -> Identity | None:
    """The identity of a valid, unrevoked API key whose user is active; None otherwise."""
    prefix, _, rest = token.partition("_")
    lookup, _, secret = rest.partition("_")
    if prefix != KEY_PREFIX or not lookup or not secret:
        return None
    with database.transaction() as session:
        row = session.scalar(select(ApiKey).where(ApiKey.lookup == lookup))
        if row is None or not hmac.compare_digest(row.secret_sha256, _sha256(secret)):
            return None
        user = session.get(User, row.user_id)
        if row.revoked_at is not None or user is None or not user.active:
            return None
        now = utc_now()
        last = as_utc(row.last_used_at)
        if last is None or now - last > _USE_STAMP_INTERVAL:
            row.last_used_at = now
        return _identity(user, "api_key", row.scopes)
