"""Campaigns (create, approve, start, pause, resume, complete, watch) and single service SMS.

Creating and approving are governance steps (:mod:`smsguard.governance.campaigns`); starting,
pausing, resuming and completing go through the institution's gateway, which also queues the
messages on start. Nothing here returns a phone number or a rendered text: a text may carry
the customer's name, and the masked number is all a caller needs to see which one it was.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from smsguard.api.security import Services, acting_user, permit
from smsguard.api.types import MAX_ID, Body, Instant, RowId
from smsguard.gateway.service import Gateway
from smsguard.governance import campaigns
from smsguard.governance.credentials import Identity
from smsguard.governance.users import usernames
from smsguard.protect import mask_phone, normalise_phone
from smsguard.store.tenancy import tenant_session
from smsguard.store.workflow_models import Campaign
from smsguard.targeting.approval import approval_inputs

router = APIRouter(tags=["campaigns"])
Read = Annotated[Identity, Depends(permit("campaign.read"))]
Create = Annotated[Identity, Depends(permit("campaign.create"))]
Approve = Annotated[Identity, Depends(permit("campaign.approve"))]
Start = Annotated[Identity, Depends(permit("campaign.start"))]
Pause = Annotated[Identity, Depends(permit("campaign.pause"))]
Resume = Annotated[Identity, Depends(permit("campaign.resume"))]
Complete = Annotated[Identity, Depends(permit("campaign.complete"))]
Send = Annotated[Identity, Depends(permit("message.send"))]

State = Literal["draft", "approved", "running", "paused", "completed"]


class NewCampaign(Body):
    name: str = Field(min_length=1, max_length=200)
    template_version_id: int = Field(ge=1, le=MAX_ID, description="An approved template version")
    audience: dict[str, Any] = Field(
        description='An audience definition (docs/targeting.md), e.g. {"all": true}',
        examples=[{"all": True}],
    )
    starts_at: datetime = Field(description="With a time zone, e.g. 2026-12-01T09:00:00+08:00")
    ends_at: datetime | None = None
    rate_limit_per_minute: int = Field(ge=1, le=campaigns.MAX_RATE_PER_MINUTE)
    variables: dict[str, str] = Field(
        default_factory=dict, description="Values of the template's placeholders except {name}"
    )


class CampaignOut(BaseModel):
    id: int
    name: str
    state: State
    template_version_id: int
    audience: dict[str, Any]
    variables: dict[str, str]
    starts_at: Instant
    ends_at: Instant | None
    rate_limit_per_minute: int
    created_by: str | None
    approved_by: str | None
    approved_at: Instant | None
    created_at: Instant


class CampaignDetail(CampaignOut):
    messages: dict[str, int] = Field(description="The campaign's messages counted by state")


class StartOut(BaseModel):
    campaign: CampaignDetail
    queued: int
    refused: int
    refusals: dict[str, int] = Field(description="Why messages were refused, counted by reason")


class MinuteOut(BaseModel):
    minute: Instant
    sent: int
    delivered: int
    failed: int
    opt_outs: int
    complaints: int


class SeriesOut(BaseModel):
    campaign_id: int
    minutes: list[MinuteOut]


class MessageRequest(Body):
    template: str = Field(min_length=1, max_length=200, description="The template's name")
    phone: str = Field(min_length=1, max_length=32)
    values: dict[str, str] = Field(default_factory=dict)


class MessageOut(BaseModel):
    masked_phone: str
    state: Literal["queued", "refused"]
    reason: str
    not_before: Instant
    segments: int


_COLUMNS = tuple(
    name for name in CampaignOut.model_fields if name not in ("created_by", "approved_by")
)


def _campaign_out(campaign: Campaign, names: dict[int, str]) -> CampaignOut:
    columns = {name: getattr(campaign, name) for name in _COLUMNS}
    return CampaignOut.model_validate(
        {
            **columns,
            "created_by": names.get(campaign.created_by_id),
            "approved_by": names.get(campaign.approved_by_id or 0),
        }
    )


def _detail(services: Services, caller: Identity, campaign_id: int) -> CampaignDetail:
    """The campaign as stored now, with its message counts from the gateway."""
    with tenant_session(services.database, caller.institution_id) as session:
        campaign = campaigns.get(session, campaign_id)
        names = usernames(session, [campaign.created_by_id, campaign.approved_by_id])
        out = _campaign_out(campaign, names)
    counts = services.gateway(caller.institution_id).status(campaign_id).messages
    return CampaignDetail(**out.model_dump(), messages=dict(counts))


@router.get("/campaigns", response_model=list[CampaignOut], summary="The institution's campaigns")
def list_campaigns(services: Services, caller: Read) -> list[CampaignOut]:
    with tenant_session(services.database, caller.institution_id) as session:
        found = campaigns.list_campaigns(session)
        names = usernames(
            session, [c.created_by_id for c in found] + [c.approved_by_id for c in found]
        )
        return [_campaign_out(campaign, names) for campaign in found]


@router.get(
    "/campaigns/{campaign_id}",
    response_model=CampaignDetail,
    summary="A campaign with its messages counted by state",
)
def show_campaign(campaign_id: RowId, services: Services, caller: Read) -> CampaignDetail:
    return _detail(services, caller, campaign_id)


@router.post(
    "/campaigns",
    response_model=CampaignOut,
    status_code=201,
    summary="Set up a draft campaign for an approved template version",
)
def create_campaign(body: NewCampaign, services: Services, caller: Create) -> CampaignOut:
    with tenant_session(services.database, caller.institution_id) as session:
        campaign = campaigns.create(session, acting_user(session, caller), **body.model_dump())
        return _campaign_out(campaign, {campaign.created_by_id: caller.username})


@router.post(
    "/campaigns/{campaign_id}/approve",
    response_model=CampaignDetail,
    summary="Approve a draft campaign (not one you set up)",
)
def approve_campaign(campaign_id: RowId, services: Services, caller: Approve) -> CampaignDetail:
    with tenant_session(services.database, caller.institution_id) as session:
        policy, scorer = approval_inputs(services.settings, session, datetime.now(UTC))
        campaigns.approve(session, acting_user(session, caller), campaign_id, policy=policy,
                          scorer=scorer)  # fmt: skip
    return _detail(services, caller, campaign_id)


@router.post(
    "/campaigns/{campaign_id}/start",
    response_model=StartOut,
    summary="Start an approved campaign and queue its messages (may take a while)",
)
def start_campaign(campaign_id: RowId, services: Services, caller: Start) -> StartOut:
    summary = services.gateway(caller.institution_id).start(caller.username, campaign_id)
    return StartOut(
        campaign=_detail(services, caller, campaign_id),
        queued=summary.queued,
        refused=summary.refused,
        refusals=dict(summary.reasons),
    )


def _move(
    services: Services,
    caller: Identity,
    campaign_id: int,
    step: Callable[[Gateway], Callable[[str, int], None]],
) -> CampaignDetail:
    step(services.gateway(caller.institution_id))(caller.username, campaign_id)
    return _detail(services, caller, campaign_id)


@router.post(
    "/campaigns/{campaign_id}/pause",
    response_model=CampaignDetail,
    summary="Pause a running campaign; workers stop at their next claim",
)
def pause_campaign(campaign_id: RowId, services: Services, caller: Pause) -> CampaignDetail:
    return _move(services, caller, campaign_id, lambda gateway: gateway.pause)


@router.post(
    "/campaigns/{campaign_id}/resume",
    response_model=CampaignDetail,
    summary="Resume a paused campaign",
)
def resume_campaign(campaign_id: RowId, services: Services, caller: Resume) -> CampaignDetail:
    return _move(services, caller, campaign_id, lambda gateway: gateway.resume)


@router.post(
    "/campaigns/{campaign_id}/complete",
    response_model=CampaignDetail,
    summary="End a campaign; its unsent messages are never sent",
)
def complete_campaign(campaign_id: RowId, services: Services, caller: Complete) -> CampaignDetail:
    return _move(services, caller, campaign_id, lambda gateway: gateway.complete)


@router.get(
    "/campaigns/{campaign_id}/series",
    response_model=SeriesOut,
    summary="Per-minute sent, delivered, failed, opt-outs and complaints",
)
def campaign_series(
    campaign_id: RowId,
    services: Services,
    caller: Read,
    minutes: Annotated[int, Query(ge=1, le=24 * 60, description="How far back")] = 60,
) -> SeriesOut:
    series = services.gateway(caller.institution_id).series(campaign_id, minutes)
    return SeriesOut(
        campaign_id=campaign_id,
        minutes=[MinuteOut.model_validate(point, from_attributes=True) for point in series],
    )


@router.post(
    "/messages",
    response_model=MessageOut,
    status_code=202,
    summary="Queue one service message from a template's latest approved version",
)
def send_message(body: MessageRequest, services: Services, caller: Send) -> MessageOut:
    gateway = services.gateway(caller.institution_id)
    plan = gateway.send(caller.username, body.template, body.phone, body.values)
    return MessageOut(
        masked_phone=mask_phone(normalise_phone(body.phone)),
        state=plan.state,
        reason=plan.reason,
        not_before=plan.not_before,
        segments=plan.segments,
    )
