"""Who is looking at a page: the session cookie, the CSRF field of forms, permissions.

A page with no live session raises Unauthenticated, which the error page turns into a
redirect to ``/login?next=…``; a refused action raises PermissionDenied, shown as a 403 page.
API keys are not accepted here: the dashboard is for people.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from smsguard.api.security import ACTIONS, CSRF_FIELD, SESSION_COOKIE, get_services
from smsguard.api.services import ApiServices
from smsguard.errors import PermissionDenied, Unauthenticated
from smsguard.governance.credentials import Identity, csrf_matches, session_identity


def _session(request: Request) -> tuple[str, Identity]:
    services: ApiServices = get_services(request)
    token = request.cookies.get(SESSION_COOKIE)
    found = session_identity(services.database, token) if token else None
    if token is None or found is None:
        raise Unauthenticated("log in to see this page")
    request.state.identity = found
    return token, found


def optional_identity(request: Request) -> Identity | None:
    """The logged-in person, or None (for public pages that still show the menu)."""
    try:
        return _session(request)[1]
    except Unauthenticated:
        return None


def page_identity(request: Request) -> Identity:
    """The logged-in person of a page (GET)."""
    return _session(request)[1]


async def form_identity(request: Request) -> Identity:
    """The logged-in person of a form post, whose ``csrf_token`` field must match."""
    token, found = _session(request)
    offered = (await request.form()).get(CSRF_FIELD)
    if not csrf_matches(token, offered if isinstance(offered, str) else None):
        raise PermissionDenied("the form lacks this session's CSRF token; reload the page")
    return found


def need(identity: Identity, action: str) -> Identity:
    """``identity`` when it may do ``action``; PermissionDenied otherwise."""
    if not identity.may(action, ACTIONS):
        needed = ", ".join(sorted(role.value for role in ACTIONS[action]))
        raise PermissionDenied(f"user {identity.username!r} may not {action}; it needs: {needed}")
    return identity


Viewer = Annotated[Identity, Depends(page_identity)]
Poster = Annotated[Identity, Depends(form_identity)]
