"""Authentication and authorisation of every route (docs/api.md, "Authentication").

A route states what it does with ``Depends(permit("campaign.start"))``; the dependency
finds the caller (API key first, then the session cookie), refuses a cookie-borne unsafe
request without the session's CSRF token, and refuses an action the caller's roles or key
scopes do not grant. Rows of other institutions are out of reach one layer down: every
query runs in a tenant session of the caller's institution, so another institution's id is
simply "not found".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from smsguard.api.services import ApiServices
from smsguard.complaints.access import COMPLAINT_PERMISSIONS
from smsguard.errors import PermissionDenied, Unauthenticated
from smsguard.governance.credentials import (
    Identity,
    csrf_matches,
    key_identity,
    session_identity,
)
from smsguard.governance.roles import PERMISSIONS, Role
from smsguard.store.models import User

SESSION_COOKIE = "smsguard_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Every action a caller can be granted, the complaints desk's included.
ACTIONS: Mapping[str, frozenset[Role]] = {**PERMISSIONS, **COMPLAINT_PERMISSIONS}

_bearer = HTTPBearer(
    auto_error=False, scheme_name="apiKey", description="An API key: `sgk_<id>_<secret>`."
)
_cookie = APIKeyCookie(
    name=SESSION_COOKIE, auto_error=False, scheme_name="session",
    description=f"A login session; unsafe methods also need the {CSRF_HEADER} header.",
)  # fmt: skip


def get_services(request: Request) -> ApiServices:
    """The application's services (for code outside a dependency, e.g. the pages)."""
    services: ApiServices = request.app.state.services
    return services


async def _services(request: Request) -> ApiServices:
    return get_services(request)


Services = Annotated[ApiServices, Depends(_services)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def current_identity(
    request: Request,
    services: Services,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    session_token: Annotated[str | None, Depends(_cookie)],
) -> Identity:
    """The authenticated caller; Unauthenticated (401) when there is none."""
    found: Identity | None
    if bearer is not None:
        found = _key_identity(services, bearer.credentials)
    elif session_token:
        found = session_identity(services.database, session_token)
        if found is None:
            raise Unauthenticated("the login session has ended; log in again")
        if request.method not in SAFE_METHODS:
            await _require_csrf(request, session_token)
    else:
        raise Unauthenticated("log in, or send an API key as a bearer token")
    request.state.identity = found
    return found


def _key_identity(services: ApiServices, token: str) -> Identity:
    cached = services.key_cache.get(token)
    if cached is not None:
        return cached
    found = key_identity(services.database, token)
    if found is None:
        raise Unauthenticated("the API key is not valid or has been revoked")
    services.key_cache.put(token, found)
    return found


async def _require_csrf(request: Request, session_token: str) -> None:
    offered = request.headers.get(CSRF_HEADER)
    if offered is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        offered = value if isinstance(value, str) else None
    if not csrf_matches(session_token, offered):
        raise PermissionDenied(
            "the request lacks this session's CSRF token",
            hint=f"Send the token from the login response in the {CSRF_HEADER} header.",
        )


Caller = Annotated[Identity, Depends(current_identity)]


# Dependencies are coroutines: FastAPI runs a plain function dependency in the thread pool,
# a hop that costs more than these checks themselves.
def permit(action: str) -> Callable[..., Awaitable[Identity]]:
    """A dependency that yields the caller when they may do ``action``, else 403."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")  # a programming error, at import

    async def check(caller: Caller) -> Identity:
        if not caller.may(action, ACTIONS):
            needed = ", ".join(sorted(role.value for role in ACTIONS[action]))
            scope = " (or the API key lacks that scope)" if caller.via == "api_key" else ""
            raise PermissionDenied(
                f"user {caller.username!r} may not {action}{scope}; it needs: {needed}"
            )
        return caller

    check.action = action  # type: ignore[attr-defined]  # read by the authorisation tests
    return check


def acting_user(session: Session, caller: Identity) -> User:
    """The caller's user row in this tenant session, for the governance functions (which
    check the user's roles once more themselves)."""
    user = session.get(User, caller.user_id)
    if user is None or not user.active:
        raise Unauthenticated(f"user {caller.username!r} is no longer active")
    return user
