"""What consumers may do without an account: check an SMS, report a suspected fraud SMS.

Both are rate-limited per client address. The analysts' side of fraud reports (listing,
confirming) needs ``complaint.handle`` and sees only reports claiming its institution, or
with ``unclaimed=true`` those naming none.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from smsguard.api.security import Services, acting_user, client_address, permit
from smsguard.api.types import MAX_ID, Body, RowId
from smsguard.fraud_reports import MAX_PAGE, MAX_TEXT, list_reports, review_report
from smsguard.governance.credentials import Identity
from smsguard.store.tenancy import tenant_session
from smsguard.trace.published import institution_by_code

router = APIRouter(tags=["public"])
Handle = Annotated[Identity, Depends(permit("complaint.handle"))]


class VerifyRequest(Body):
    institution: str = Field(min_length=1, max_length=64, description="The institution's code")
    text: str = Field(min_length=1, max_length=2000, description="The SMS exactly as received")
    phone: str = Field(min_length=5, max_length=32, description="The number it was received on")


class VerifyOut(BaseModel):
    genuine: bool
    institution: str
    summary: str
    verdict: Literal["pass", "review", "block"]
    sent_at: str | None
    witnesses: list[str]
    proof: dict[str, Any] | None = Field(description="The proof `smsguard log verify` reads")
    salt: str | None


class FraudReportRequest(Body):
    text: str = Field(min_length=1, max_length=MAX_TEXT, description="The suspicious SMS")
    sender_number: str | None = Field(None, max_length=32)
    institution: str | None = Field(None, max_length=64, description="Who it claims to be")
    reporter_phone: str | None = Field(
        None, max_length=32, description="Yours, to be called back; kept encrypted"
    )


class ReceiptOut(BaseModel):
    receipt: str
    verdict: Literal["pass", "review", "block"]
    fraud: bool
    rules: list[str]
    reporter_kept: bool


class FraudReportOut(BaseModel):
    id: int
    receipt: str
    claimed_institution_id: int | None
    text: str = Field(description="Mobile numbers masked")
    sender_number: str | None
    verdict: str
    fraud: bool
    rules: list[str]
    status: Literal["new", "confirmed", "dismissed"]
    reviewed_by: str | None
    reviewed_at: datetime | None
    received_at: datetime


class ReviewRequest(Body):
    decision: Literal["confirmed", "dismissed"]
    note: str = Field("", max_length=500)


@router.post("/verify", response_model=VerifyOut, summary="Is this SMS really from them?")
def verify(body: VerifyRequest, request: Request, services: Services) -> VerifyOut:
    services.public_limiter.check(client_address(request))
    institution_id = institution_by_code(services.database, body.institution)
    answer = services.verifier(institution_id).verify(body.text, body.phone)
    return VerifyOut.model_validate(answer.to_dict())


@router.post("/fraud-reports", response_model=ReceiptOut, status_code=201,
             summary="Report a suspected fraud SMS")  # fmt: skip
def report_fraud(body: FraudReportRequest, request: Request, services: Services) -> ReceiptOut:
    services.public_limiter.check(client_address(request))
    claimed = institution_by_code(services.database, body.institution) if body.institution else None
    receipt = services.fraud_intake().submit(
        body.text, sender_number=body.sender_number, institution_id=claimed,
        reporter_phone=body.reporter_phone,
    )  # fmt: skip
    return ReceiptOut.model_validate(receipt.__dict__)


@router.get("/fraud-reports", response_model=list[FraudReportOut],
            summary="Consumers' fraud reports, newest first")  # fmt: skip
def fraud_reports(
    services: Services,
    caller: Handle,
    status: Literal["new", "confirmed", "dismissed"] | None = None,
    unclaimed: bool = False,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> list[FraudReportOut]:
    with tenant_session(services.database, caller.institution_id) as session:
        views = list_reports(session, caller.institution_id, status=status,
                             unclaimed=unclaimed, limit=limit, offset=offset)  # fmt: skip
        return [FraudReportOut.model_validate(view.__dict__) for view in views]


@router.post("/fraud-reports/{report_id}/review", response_model=FraudReportOut,
             summary="Confirm or dismiss a fraud report")  # fmt: skip
def review(
    report_id: RowId, body: ReviewRequest, services: Services, caller: Handle
) -> FraudReportOut:
    with tenant_session(services.database, caller.institution_id) as session:
        actor = acting_user(session, caller)
        view = review_report(session, actor, report_id, body.decision, body.note)
        return FraudReportOut.model_validate(view.__dict__)
