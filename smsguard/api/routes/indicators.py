"""Analysts' side of intel sharing (docs/intel.md): list the institution's indicators,
propose one, derive candidates from a confirmed fraud report, confirm and revoke.

Values are URLs, domains, keyed phone hashes or text fingerprints, never a number in clear:
a sender number given here is hashed under the consortium key before anything is stored.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from smsguard.api.security import Services, acting_user, permit
from smsguard.api.types import Body, Instant, RowId
from smsguard.bootstrap import build_intel_context
from smsguard.governance.credentials import Identity
from smsguard.intel import lifecycle, sources
from smsguard.intel.model import Indicator, Tlp
from smsguard.store.tenancy import tenant_session

router = APIRouter(tags=["indicators"])
Submit = Annotated[Identity, Depends(permit("intel.submit"))]
Confirm = Annotated[Identity, Depends(permit("intel.confirm"))]
KindName = Literal["url", "domain", "phone", "text"]


class IndicatorRow(BaseModel):
    id: int
    kind: str
    value: str
    epoch: str | None
    source: str
    status: str
    origin: str
    origin_ref: str | None
    peer: str | None
    confidence: int
    tlp: str
    last_seen: Instant
    expires_at: Instant
    confirmed_by: str | None


class NewIndicator(Body):
    kind: KindName = Field(description="phone: a fraudster's sender number, hashed at once")
    value: str = Field(min_length=1, max_length=2000)
    confidence: int = Field(70, ge=0, le=100)
    tlp: Tlp = Tlp.AMBER
    note: str | None = Field(None, max_length=64)


class Derivation(BaseModel):
    created: list[int]
    existing: list[int]
    skipped: list[str]


class Changed(BaseModel):
    kind: str
    value: str
    stix_id: str
    revoked: bool
    modified: Instant


class Reason(Body):
    reason: str = Field(min_length=1, max_length=200)


def _changed(indicator: Indicator) -> Changed:
    return Changed(kind=indicator.kind.value, value=indicator.value, stix_id=indicator.stix_id,
                   revoked=indicator.revoked, modified=indicator.version_at)  # fmt: skip


@router.get(
    "/indicators", response_model=list[IndicatorRow], summary="The institution's indicators"
)
def list_indicators(
    services: Services,
    caller: Submit,
    status: Literal["candidate", "confirmed", "revoked"] | None = None,
    kind: KindName | None = None,
    limit: Annotated[int, Query(ge=1, le=lifecycle.MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> list[IndicatorRow]:
    with tenant_session(services.database, caller.institution_id) as session:
        views = lifecycle.list_indicators(session, status=status, kind=kind, limit=limit,
                                          offset=offset)  # fmt: skip
    return [IndicatorRow.model_validate(view.__dict__) for view in views]


@router.post("/indicators", response_model=Derivation, status_code=201,
             summary="Propose an indicator (another officer confirms it)")  # fmt: skip
def propose(body: NewIndicator, services: Services, caller: Submit) -> Derivation:
    ctx = build_intel_context(services.settings, services.database, caller.institution_id)
    with tenant_session(services.database, caller.institution_id) as session:
        row_id = sources.add_manual(
            session, acting_user(session, caller), body.kind, body.value, ctx,
            confidence=body.confidence, tlp=body.tlp, note=body.note,
        )  # fmt: skip
    return Derivation(created=[row_id], existing=[], skipped=[])


@router.post("/indicators/from-fraud-report/{report_id}", response_model=Derivation,
             status_code=201, summary="Candidates from a confirmed fraud report")  # fmt: skip
def from_report(report_id: RowId, services: Services, caller: Submit) -> Derivation:
    ctx = build_intel_context(services.settings, services.database, caller.institution_id)
    with tenant_session(services.database, caller.institution_id) as session:
        derived = sources.from_fraud_report(session, acting_user(session, caller), report_id, ctx)
    return Derivation(created=derived.created, existing=derived.existing, skipped=derived.skipped)


@router.post("/indicators/{indicator_id}/confirm", response_model=Changed,
             summary="Confirm a candidate: from now on it is shared and screened")  # fmt: skip
def confirm(indicator_id: RowId, services: Services, caller: Confirm) -> Changed:
    ctx = build_intel_context(services.settings, services.database, caller.institution_id)
    with tenant_session(services.database, caller.institution_id) as session:
        return _changed(lifecycle.confirm(session, acting_user(session, caller), indicator_id, ctx))


@router.post("/indicators/{indicator_id}/revoke", response_model=Changed,
             summary="Withdraw an indicator; peers learn of it with the next feed")  # fmt: skip
def revoke(indicator_id: RowId, body: Reason, services: Services, caller: Confirm) -> Changed:
    with tenant_session(services.database, caller.institution_id) as session:
        actor = acting_user(session, caller)
        return _changed(lifecycle.revoke(session, actor, indicator_id, body.reason))
