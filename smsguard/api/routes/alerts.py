"""The monitor's alerts, the automatic actions still in force, and reversing one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from smsguard.api.security import Services, acting_user, permit
from smsguard.api.types import MAX_ID, Body, RowId
from smsguard.governance.credentials import Identity
from smsguard.monitor_actions import MonitorActionView, actions_in_force, reverse_action
from smsguard.monitor_alerts import MAX_PAGE, list_alerts
from smsguard.store.tenancy import tenant_session

router = APIRouter(tags=["alerts"])
Read = Annotated[Identity, Depends(permit("alert.read"))]
Reverse = Annotated[Identity, Depends(permit("alert.reverse"))]


class AlertOut(BaseModel):
    id: int
    raised_at: datetime
    detector: str
    severity: Literal["warn", "act"]
    subject_kind: str
    subject_id: str
    explanation: str
    numbers: dict[str, Any]
    action: str = Field(description="The action the detector recommended")
    action_audit_id: int | None = Field(description="The audit row of the action taken, if any")


class AlertPageOut(BaseModel):
    total: int
    items: list[AlertOut]


class ActionOut(BaseModel):
    id: int = Field(description="The audit row that records the action")
    action: Literal["pause_campaign", "suspend_decrypt", "require_reapproval"]
    subject_kind: str
    subject_id: str
    reason: str
    detector: str | None
    at: datetime
    in_force: bool


class ReverseRequest(Body):
    reason: str = Field(min_length=1, max_length=500)


def _action_out(view: MonitorActionView) -> ActionOut:
    return ActionOut.model_validate(view.__dict__)


@router.get("/alerts", response_model=AlertPageOut, summary="Monitor alerts, newest first")
def alerts(
    services: Services,
    caller: Read,
    severity: Literal["warn", "act"] | None = None,
    subject_kind: Literal["campaign", "template", "user", "institution"] | None = None,
    subject_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> AlertPageOut:
    with tenant_session(services.database, caller.institution_id) as session:
        page = list_alerts(session, severity=severity, subject_kind=subject_kind,
                           subject_id=subject_id, limit=limit, offset=offset)  # fmt: skip
        return AlertPageOut(
            total=page.total, items=[AlertOut.model_validate(a.__dict__) for a in page.items]
        )


@router.get("/alerts/actions", response_model=list[ActionOut],
            summary="The monitor's automatic actions still in force")  # fmt: skip
def actions(services: Services, caller: Read) -> list[ActionOut]:
    with tenant_session(services.database, caller.institution_id) as session:
        return [_action_out(view) for view in actions_in_force(session)]


@router.post("/alerts/actions/{action_id}/reverse", response_model=ActionOut,
             summary="Reverse an automatic action (resume, restore, clear)")  # fmt: skip
def reverse(
    action_id: RowId, body: ReverseRequest, services: Services, caller: Reverse
) -> ActionOut:
    with tenant_session(services.database, caller.institution_id) as session:
        actor = acting_user(session, caller)
        return _action_out(reverse_action(session, actor, action_id, body.reason))
