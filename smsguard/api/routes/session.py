"""Logging in and out, who am I, and the institution's API keys."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from smsguard.api.security import (
    ACTIONS,
    SESSION_COOKIE,
    Caller,
    Services,
    acting_user,
    client_address,
    permit,
)
from smsguard.api.types import Body, Instant, RowId
from smsguard.errors import Unauthenticated
from smsguard.governance import credentials
from smsguard.governance.credentials import Identity
from smsguard.store.tenancy import tenant_session

router = APIRouter(tags=["session"])


class LoginRequest(Body):
    institution: str = Field(min_length=1, max_length=100)
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)


class Me(BaseModel):
    institution_id: int
    username: str
    roles: list[str]
    via: str
    scopes: list[str] | None
    permissions: list[str]


class LoginAnswer(Me):
    csrf_token: str


def me_of(identity: Identity) -> Me:
    return Me(
        institution_id=identity.institution_id,
        username=identity.username,
        roles=sorted(role.value for role in identity.roles),
        via=identity.via,
        scopes=None if identity.scopes is None else sorted(identity.scopes),
        permissions=sorted(action for action in ACTIONS if identity.may(action, ACTIONS)),
    )


def start_session(services: Services, request: Request, form: LoginRequest) -> tuple[str, Identity]:
    """Check the credentials (rate-limited per client) and open a session."""
    services.login_limiter.check(client_address(request))
    lifetime = timedelta(hours=services.settings.session_hours)
    found = credentials.login(
        services.database, form.institution, form.username, form.password, lifetime=lifetime
    )
    if found is None:
        raise Unauthenticated("the institution, username or password is wrong")
    return found


def set_session_cookie(response: Response, services: Services, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="strict",
        secure=services.settings.secure_cookies,
        max_age=int(services.settings.session_hours * 3600), path="/",
    )  # fmt: skip


@router.post("/session", response_model=LoginAnswer, summary="Log in (sets the session cookie)")
def login(
    form: LoginRequest, request: Request, response: Response, services: Services
) -> LoginAnswer:
    token, identity = start_session(services, request, form)
    set_session_cookie(response, services, token)
    return LoginAnswer(**me_of(identity).model_dump(), csrf_token=credentials.csrf_token(token))


@router.delete("/session", status_code=204, summary="Log out")
def logout(request: Request, response: Response, services: Services, _caller: Caller) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        credentials.logout(services.database, token)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me", response_model=Me, summary="The caller, their roles and permissions")
def me(caller: Caller) -> Me:
    return me_of(caller)


class KeyRequest(Body):
    name: str = Field(min_length=1, max_length=100)
    username: str = Field(min_length=1, max_length=100, description="The user the key acts for")
    scopes: list[str] = Field(min_length=1, max_length=len(ACTIONS))


class KeyOut(BaseModel):
    id: int
    name: str
    username: str
    scopes: list[str]
    prefix: str
    created_at: Instant
    last_used_at: Instant | None
    revoked_at: Instant | None


class NewKey(KeyOut):
    token: str = Field(description="Shown once; only its hash is stored")


def _key_out(view: credentials.KeyView) -> KeyOut:
    return KeyOut(**{**view.__dict__, "scopes": list(view.scopes)})


ManageKeys = Annotated[Identity, Depends(permit("apikey.manage"))]


@router.get("/api-keys", response_model=list[KeyOut], summary="The institution's API keys")
def list_keys(services: Services, caller: ManageKeys) -> list[KeyOut]:
    with tenant_session(services.database, caller.institution_id) as session:
        return [_key_out(view) for view in credentials.list_api_keys(session)]


@router.post("/api-keys", response_model=NewKey, status_code=201, summary="Create an API key")
def create_key(body: KeyRequest, services: Services, caller: ManageKeys) -> NewKey:
    with tenant_session(services.database, caller.institution_id) as session:
        actor = acting_user(session, caller)
        token, view = credentials.create_api_key(
            session, actor, username=body.username, name=body.name, scopes=body.scopes,
            table=ACTIONS,
        )  # fmt: skip
    return NewKey(**_key_out(view).model_dump(), token=token)


@router.delete("/api-keys/{key_id}", status_code=204, summary="Revoke an API key")
def revoke_key(key_id: RowId, services: Services, caller: ManageKeys) -> None:
    with tenant_session(services.database, caller.institution_id) as session:
        credentials.revoke_api_key(session, acting_user(session, caller), key_id)
    services.key_cache.clear()
