"""The institution's people, managed by its admins: list, add, set a password, deactivate,
and lift a monitor suspension of someone's right to reveal customer data."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field

from smsguard.api.security import Services, acting_user, permit
from smsguard.api.types import Body, Instant
from smsguard.errors import NotFound
from smsguard.governance import audit, credentials, staff
from smsguard.governance.credentials import Identity
from smsguard.governance.roles import Role
from smsguard.store.tenancy import tenant_session

router = APIRouter(tags=["users"])
Manage = Annotated[Identity, Depends(permit("users.manage"))]
Restore = Annotated[Identity, Depends(permit("decrypt.restore"))]
Username = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[^/\s]+$")]


class UserOut(BaseModel):
    username: str
    display_name: str
    roles: list[Role]
    active: bool
    certification_expires_at: Instant | None
    decrypt_suspended: bool


class NewUser(Body):
    username: str = Field(min_length=1, max_length=100, pattern=r"^[^/\s]+$")
    roles: list[Role] = Field(min_length=1, max_length=len(Role))
    display_name: str | None = Field(None, max_length=200)
    certified_until: date | None = Field(None, description="Compliance officers only")
    password: str | None = Field(None, min_length=12, max_length=1000)


class NewPassword(Body):
    password: str = Field(min_length=12, max_length=1000)


class Reason(Body):
    reason: str = Field(min_length=1, max_length=500)


def _out(view: staff.StaffView) -> UserOut:
    return UserOut.model_validate({**view.__dict__, "roles": list(view.roles)})


def _one(services: Services, caller: Identity, username: str) -> UserOut:
    with tenant_session(services.database, caller.institution_id) as session:
        found = [view for view in staff.list_staff(session) if view.username == username]
    if not found:
        raise NotFound(f"no user {username!r} in this institution")
    return _out(found[0])


@router.get("/users", response_model=list[UserOut], summary="The institution's users")
def list_users(services: Services, caller: Manage) -> list[UserOut]:
    with tenant_session(services.database, caller.institution_id) as session:
        return [_out(view) for view in staff.list_staff(session)]


@router.post("/users", response_model=UserOut, status_code=201, summary="Add a user")
def add_user(body: NewUser, services: Services, caller: Manage) -> UserOut:
    with tenant_session(services.database, caller.institution_id) as session:
        staff.create_user(
            session, acting_user(session, caller), body.username, [r.value for r in body.roles],
            certified_until=body.certified_until, display_name=body.display_name,
        )  # fmt: skip
    if body.password is not None:
        credentials.set_password(services.database, caller.institution_id, body.username,
                                 body.password, by=caller.username)  # fmt: skip
    return _one(services, caller, body.username)


@router.post("/users/{username}/password", status_code=204,
             summary="Set a user's password (ends their sessions)")  # fmt: skip
def set_password(username: Username, body: NewPassword, services: Services, caller: Manage) -> None:
    _one(services, caller, username)  # 404 for someone who is not here
    credentials.set_password(services.database, caller.institution_id, username, body.password,
                             by=caller.username)  # fmt: skip


@router.post("/users/{username}/deactivate", response_model=UserOut,
             summary="Switch a user off (their sessions and keys stop working)")  # fmt: skip
def deactivate(username: Username, services: Services, caller: Manage) -> UserOut:
    with tenant_session(services.database, caller.institution_id) as session:
        staff.deactivate_user(session, acting_user(session, caller), username)
    services.key_cache.clear()
    return _one(services, caller, username)


@router.post("/users/{username}/restore-decrypt", response_model=UserOut,
             summary="Lift a monitor suspension of the user's reveals")  # fmt: skip
def restore_decrypt(
    username: Username, body: Reason, services: Services, caller: Restore
) -> UserOut:
    _one(services, caller, username)
    with tenant_session(services.database, caller.institution_id) as session:
        audit.restore_decrypt(session, acting_user(session, caller), username, body.reason)
    return _one(services, caller, username)
