"""The audit trail: every event of one target, and the newest events a page at a time.

Audit rows are written by the library in the same transaction as the change they record and
never carry a customer's number or words in clear (at most a masked number), so they are
returned as stored. Paging goes by id (``before``), not offset, so a page does not shift
while new events arrive.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from smsguard.api.security import Services, permit
from smsguard.api.types import MAX_ID, Instant
from smsguard.governance import audit
from smsguard.governance.credentials import Identity
from smsguard.store.models import AuditEvent
from smsguard.store.tenancy import tenant_session

router = APIRouter(tags=["audit"])
Read = Annotated[Identity, Depends(permit("audit.read"))]


class EventOut(BaseModel):
    id: int
    at: Instant
    actor: str
    action: str
    target_type: str
    target_id: str | None
    detail: dict[str, Any]


class EventPage(BaseModel):
    events: list[EventOut]
    next_before: int | None = Field(
        description="Pass as `before` for the next (older) page; null on the last page"
    )


def _out(event: AuditEvent) -> EventOut:
    return EventOut.model_validate(event, from_attributes=True)


@router.get(
    "/audit", response_model=list[EventOut], summary="Every audit event of one target, oldest first"
)
def trail(
    services: Services,
    caller: Read,
    target_type: Annotated[
        str, Query(min_length=1, max_length=64, description="e.g. template_version, campaign, user")
    ],
    target_id: Annotated[str, Query(min_length=1, max_length=64)],
) -> list[EventOut]:
    with tenant_session(services.database, caller.institution_id) as session:
        return [_out(event) for event in audit.trail(session, target_type, target_id)]


@router.get(
    "/audit/events",
    response_model=EventPage,
    summary="The newest audit events, newest first, a page at a time",
)
def recent(
    services: Services,
    caller: Read,
    limit: Annotated[int, Query(ge=1, le=audit.MAX_PAGE)] = 50,
    before: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only events older than this id")
    ] = None,
) -> EventPage:
    with tenant_session(services.database, caller.institution_id) as session:
        events = [_out(event) for event in audit.recent(session, limit=limit, before_id=before)]
    more = len(events) == limit
    return EventPage(events=events, next_before=events[-1].id if more and events else None)
