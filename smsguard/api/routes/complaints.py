"""The complaints desk: intake by API, lists, one case with its history and deadlines,
the handling steps, and statistics. Texts are never returned: they stay encrypted."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field, model_validator

from smsguard.api.security import Services, permit
from smsguard.api.types import MAX_ID, Body, RowId
from smsguard.complaints.desk import ComplaintView, HistoryEntry
from smsguard.complaints.notify import Notice
from smsguard.complaints.progress import deadline_state
from smsguard.complaints.records import MAX_TEXT
from smsguard.governance.credentials import Identity
from smsguard.store.complaint_models import CATEGORIES

router = APIRouter(tags=["complaints"])
Read = Annotated[Identity, Depends(permit("complaint.read"))]
Handle = Annotated[Identity, Depends(permit("complaint.handle"))]
Category = Literal[CATEGORIES]  # type: ignore[valid-type]
StatusFilter = Literal[
    "open", "received", "acknowledged", "assigned", "extended", "resolved", "closed"
]


class IntakeRequest(Body):
    phone: str | None = Field(None, max_length=32, description="The complainant's number")
    customer_id: int | None = Field(None, ge=1, le=MAX_ID, description="Or their customer id")
    category: Category
    text: str = Field(min_length=1, max_length=MAX_TEXT, description="Stored encrypted")
    message_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="The SMS complained about, if known"
    )

    @model_validator(mode="after")
    def one_complainant(self) -> IntakeRequest:
        if (self.phone is None) == (self.customer_id is None):
            raise ValueError("give exactly one of phone and customer_id")
        return self


class Created(BaseModel):
    id: int


class ComplaintOut(BaseModel):
    id: int
    channel: str
    category: str
    status: str
    customer_id: int | None
    campaign_id: int | None
    template_version_id: int | None
    message_id: int | None
    log_index: int | None
    assignee_id: int | None
    received_at: datetime
    due_at: datetime
    promise_due_at: datetime | None
    extensions: int
    round: int


class DeadlineOut(BaseModel):
    open: bool
    due_at: datetime
    hours_left: float
    overdue: bool
    promise_due_at: datetime | None
    promise_overdue: bool


class HistoryOut(BaseModel):
    at: datetime
    kind: str
    action: str
    from_status: str | None
    to_status: str | None
    actor: str
    detail: dict[str, object]


class ComplaintDetail(ComplaintOut):
    deadline: DeadlineOut
    history: list[HistoryOut]


class AssignRequest(Body):
    assignee: str = Field(min_length=1, max_length=100)


class ExtendRequest(Body):
    reason: str = Field(min_length=2, max_length=48, description="A reason code, e.g. complex")
    approved_by: str | None = Field(None, max_length=100, description="For the second one")


class ResolveRequest(Body):
    text: str = Field(min_length=1, max_length=MAX_TEXT, description="Stored encrypted")


class RecategoriseRequest(Body):
    category: Category
    reason: str = Field(min_length=2, max_length=48, description="A reason code")


class ReopenRequest(Body):
    reason: str = Field(min_length=2, max_length=48, description="A reason code")


class NoticeOut(BaseModel):
    sent: bool
    reason: str


class StepOut(BaseModel):
    complaint: ComplaintDetail
    notice: NoticeOut | None = None


class StatsOut(BaseModel):
    since: date
    until: date
    total: int
    by_category: dict[str, int]
    by_channel: dict[str, int]
    by_status: dict[str, int]
    resolved: int
    median_hours_to_resolve: float | None
    mean_hours_to_resolve: float | None
    within_deadline: int
    within_deadline_share: float | None
    within_promise_share: float | None
    open_overdue: int


def _out(view: ComplaintView) -> ComplaintOut:
    fields = {k: v for k, v in view.__dict__.items() if k not in ("complaint_id", "consent_id")}
    return ComplaintOut(id=view.complaint_id, **fields)


def _detail(view: ComplaintView, history: list[HistoryEntry]) -> ComplaintDetail:
    state = deadline_state(view, datetime.now(UTC))
    return ComplaintDetail(
        **_out(view).model_dump(),
        deadline=DeadlineOut(**state.__dict__),
        history=[HistoryOut(**entry.__dict__) for entry in history],
    )


def _shown(services: Services, caller: Identity, complaint_id: int) -> ComplaintDetail:
    return _detail(*services.complaints(caller.institution_id).show(complaint_id))


def _notice(notice: Notice | None) -> NoticeOut | None:
    return None if notice is None else NoticeOut(sent=notice.sent, reason=notice.reason)


@router.post("/complaints", response_model=Created, status_code=201,
             summary="Take in a complaint (channel api)")  # fmt: skip
def intake(body: IntakeRequest, services: Services, caller: Handle) -> Created:
    who: str | int = body.customer_id if body.customer_id is not None else str(body.phone)
    desk = services.complaints(caller.institution_id)
    return Created(id=desk.intake("api", who, body.category, body.text,
                                  message_id=body.message_id))  # fmt: skip


@router.get("/complaints", response_model=list[ComplaintOut], summary="Complaints, oldest first")
def list_complaints(
    services: Services, caller: Read, status: StatusFilter | None = None
) -> list[ComplaintOut]:
    return [_out(view) for view in services.complaints(caller.institution_id).cases(status)]


@router.get("/complaints/stats", response_model=StatsOut,
            summary="Figures over the complaints received in a period")  # fmt: skip
def stats(
    services: Services,
    caller: Read,
    since: Annotated[date | None, Query(description="First day (UTC); default 30 days ago")] = None,
    until: Annotated[date | None, Query(description="Day after the last; default tomorrow")] = None,
) -> StatsOut:
    today = datetime.now(UTC).date()
    first, after = since or today - timedelta(days=30), until or today + timedelta(days=1)
    start, end = (datetime.combine(day, time(), tzinfo=UTC) for day in (first, after))
    figures = services.complaints(caller.institution_id).stats(start, end)
    return StatsOut(since=first, until=after, **figures.to_dict())


@router.get("/complaints/{complaint_id}", response_model=ComplaintDetail,
            summary="One complaint with its history and deadline state")  # fmt: skip
def show(complaint_id: RowId, services: Services, caller: Read) -> ComplaintDetail:
    return _shown(services, caller, complaint_id)


@router.post("/complaints/{complaint_id}/assign", response_model=StepOut,
             summary="Give the case to an impartial handler")  # fmt: skip
def assign(complaint_id: RowId, body: AssignRequest, services: Services, caller: Handle) -> StepOut:
    services.complaints(caller.institution_id).assign(complaint_id, caller.username, body.assignee)
    return StepOut(complaint=_shown(services, caller, complaint_id))


@router.post("/complaints/{complaint_id}/extend", response_model=StepOut,
             summary="Extend the deadline (the second time with approval)")  # fmt: skip
def extend(complaint_id: RowId, body: ExtendRequest, services: Services, caller: Handle) -> StepOut:
    desk = services.complaints(caller.institution_id)
    notice = desk.extend(complaint_id, caller.username, body.reason, body.approved_by)
    return StepOut(complaint=_shown(services, caller, complaint_id), notice=_notice(notice))


@router.post("/complaints/{complaint_id}/resolve", response_model=StepOut,
             summary="Record the decision (stored encrypted)")  # fmt: skip
def resolve(
    complaint_id: RowId, body: ResolveRequest, services: Services, caller: Handle
) -> StepOut:
    services.complaints(caller.institution_id).resolve(complaint_id, caller.username, body.text)
    return StepOut(complaint=_shown(services, caller, complaint_id))


@router.post("/complaints/{complaint_id}/close", response_model=StepOut,
             summary="Finish a resolved case")  # fmt: skip
def close(complaint_id: RowId, services: Services, caller: Handle) -> StepOut:
    services.complaints(caller.institution_id).close(complaint_id, caller.username)
    return StepOut(complaint=_shown(services, caller, complaint_id))


@router.post("/complaints/{complaint_id}/reopen", response_model=StepOut,
             summary="Take a resolved or closed case up again")  # fmt: skip
def reopen(complaint_id: RowId, body: ReopenRequest, services: Services, caller: Handle) -> StepOut:
    services.complaints(caller.institution_id).reopen(complaint_id, caller.username, body.reason)
    return StepOut(complaint=_shown(services, caller, complaint_id))


@router.post("/complaints/{complaint_id}/recategorise", response_model=StepOut,
             summary="Correct the category (kept in the status history)")  # fmt: skip
def recategorise(
    complaint_id: RowId, body: RecategoriseRequest, services: Services, caller: Handle
) -> StepOut:
    desk = services.complaints(caller.institution_id)
    desk.recategorise(complaint_id, caller.username, body.category, body.reason)
    return StepOut(complaint=_shown(services, caller, complaint_id))
