"""Audiences (docs/targeting.md): preview a definition, read a campaign's frozen selection,
explain one customer. Nothing here returns a phone number, a name or an ID number."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from smsguard.api.security import Services, acting_user, permit
from smsguard.api.types import MAX_ID, Body, RowId
from smsguard.errors import InputError
from smsguard.governance import audit, campaigns
from smsguard.governance.credentials import Identity
from smsguard.store.tenancy import tenant_session
from smsguard.targeting.approval import approval_inputs
from smsguard.targeting.explain import explain
from smsguard.targeting.language import parse_audience
from smsguard.targeting.policy import policy_for
from smsguard.targeting.selection import AudienceReport, audience_report

router = APIRouter(tags=["audiences"])
Read = Annotated[Identity, Depends(permit("campaign.read"))]
Oversee = Annotated[Identity, Depends(permit("audit.read"))]


class Preview(Body):
    audience: dict[str, Any] = Field(
        description="An audience definition", examples=[{"credit_band": {"in": ["A", "B"]}}]
    )


class ReportOut(BaseModel):
    computed_at: datetime
    base: int
    exclusions: dict[str, int] = Field(description="Customers each exclusion removes")
    excluded: int = Field(description="Customers removed by at least one exclusion")
    eligible: int
    below_min_probability: int
    over_limit: int
    selected: int
    policy: dict[str, Any]
    scorer: str | None
    digest: str | None = Field(description="SHA-256 of the frozen ids; null in a preview")


class CheckOut(BaseModel):
    key: str
    holds: bool
    value: str
    zh: str
    en: str


class ExplanationOut(BaseModel):
    campaign_id: int
    customer_id: int
    at: datetime
    included: bool
    frozen_member: bool | None
    segment: str | None
    matches_definition: bool
    ranked: bool
    conditions: list[CheckOut]
    exclusions: list[CheckOut]


def _out(report: AudienceReport) -> ReportOut:
    return ReportOut.model_validate(report.to_dict())


@router.post(
    "/audiences/preview", response_model=ReportOut, summary="Count who a definition selects now"
)
def preview(body: Preview, services: Services, caller: Read) -> ReportOut:
    definition = parse_audience(body.audience)
    now = datetime.now(UTC)
    with tenant_session(services.database, caller.institution_id) as session:
        policy, scorer = approval_inputs(services.settings, session, now)
        return _out(audience_report(session, definition, policy, now, scorer))


@router.get(
    "/campaigns/{campaign_id}/audience",
    response_model=ReportOut,
    summary="The audience frozen into a campaign at approval",
)
def frozen(campaign_id: RowId, services: Services, caller: Read) -> ReportOut:
    with tenant_session(services.database, caller.institution_id) as session:
        campaign = campaigns.get(session, campaign_id)
        if campaign.audience_report is None:
            raise InputError(f"campaign {campaign_id} is not approved: no audience is frozen")
        return _out(AudienceReport.from_dict(campaign.audience_report))


class ExplainRequest(Body):
    customer_id: int = Field(ge=1, le=MAX_ID, description="The customer's row id")


@router.post(
    "/campaigns/{campaign_id}/audience/explain",
    response_model=ExplanationOut,
    summary="Why one customer is in or out of a campaign's audience (audited, so a POST)",
)
def explain_customer(
    campaign_id: RowId, body: ExplainRequest, services: Services, caller: Oversee
) -> ExplanationOut:
    customer = body.customer_id
    with tenant_session(services.database, caller.institution_id) as session:
        campaign = campaigns.get(session, campaign_id)
        found = explain(session, campaign, customer, policy_for(services.settings),
                        datetime.now(UTC))  # fmt: skip
        audit.record(session, acting_user(session, caller), "audience.explained",
                     ("campaign", campaign_id), customer_id=customer)  # fmt: skip
        return ExplanationOut.model_validate(found.to_dict())
