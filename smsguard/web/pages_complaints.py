"""The complaints desk: the board, one case with its history, and the handling steps.

Each step is a small form posting to ``/complaints/{id}/<step>``; it calls the
ComplaintService method with the logged-in user as actor and answers with a redirect to the
case. A step the library refuses (the case's status does not allow it, the conflict-of-interest
rule, a bad reason code) shows the case page again with the library's message. Pages show
ids, categories, statuses and usernames only: never a phone number or a complaint text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from smsguard.api.errors import status_of
from smsguard.api.security import ACTIONS, Services
from smsguard.api.types import RowId
from smsguard.complaints.desk import ComplaintView, HistoryEntry
from smsguard.complaints.lifecycle import OPEN_STATUSES, REASON_CODES
from smsguard.complaints.records import MAX_TEXT
from smsguard.complaints.service import ComplaintService
from smsguard.errors import InputError, NotFound, PermissionDenied
from smsguard.governance.credentials import Identity
from smsguard.governance.users import usernames
from smsguard.store import tenant_session
from smsguard.store.complaint_models import CATEGORIES, COMPLAINT_STATUSES
from smsguard.web import queries
from smsguard.web.auth import Poster, Viewer, need
from smsguard.web.render import page, redirect
from smsguard.web.views import Deadline, current_due, deadline

router = APIRouter(include_in_schema=False)
Code = Annotated[str, Form(max_length=100)]
Resolution = Annotated[str, Form(max_length=4 * MAX_TEXT)]
# History details worth showing; none of them carries a complainant's words or number.
SHOWN_DETAIL = ("reason", "level", "days", "approved_by", "from_category", "to_category",
                "round", "assignee", "channel")  # fmt: skip


def _due(case: ComplaintView, now: datetime) -> Deadline:
    return deadline(current_due(case.due_at, case.promise_due_at, case.extensions), now)


@router.get("/complaints")
def complaints(request: Request, services: Services, who: Viewer) -> HTMLResponse:
    need(who, "complaint.read")
    cases = services.complaints(who.institution_id).cases()
    now = datetime.now(UTC)
    board = [
        (status, [(case, _due(case, now)) for case in cases if case.status == status])
        for status in COMPLAINT_STATUSES
    ]
    return page(request, "complaints.html", board=board, open_statuses=OPEN_STATUSES)


@router.get("/complaints/{complaint_id}")
def complaint(complaint_id: RowId, request: Request, services: Services, who: Viewer) -> Response:
    need(who, "complaint.read")
    return _case_page(request, services, who, complaint_id)


def _details(entry: HistoryEntry, names: dict[int, str]) -> list[tuple[str, str]]:
    shown = []
    for key in SHOWN_DETAIL:
        value = entry.detail.get(key)
        if value is None or value == "":
            continue
        if key == "assignee" and isinstance(value, int):
            value = names.get(value, f"#{value}")
        shown.append((key, str(value)))
    return shown


def _case_page(
    request: Request, services: Services, who: Identity, complaint_id: int,
    status: int = 200, problem: str | None = None,
) -> HTMLResponse:  # fmt: skip
    case, history = services.complaints(who.institution_id).show(complaint_id)
    now = datetime.now(UTC)
    may_handle = who.may("complaint.handle", ACTIONS)
    handlers: list[str] = []
    approvers: list[str] = []
    assignees = [case.assignee_id, *(e.detail.get("assignee") for e in history)]
    with tenant_session(services.database, who.institution_id) as session:
        names = usernames(session, [i for i in assignees if isinstance(i, int)])
        if may_handle:
            handlers, approvers = queries.complaint_staff(session, now)
    rows = [(entry, _details(entry, names)) for entry in history]
    return page(
        request, "complaint.html", status, case=case, history=rows, due=_due(case, now),
        statutory=deadline(case.due_at, now), open=case.status in OPEN_STATUSES,
        assignee=names.get(case.assignee_id) if case.assignee_id else None,
        may_handle=may_handle, handlers=handlers,
        approvers=[name for name in approvers if name != who.username],
        categories=CATEGORIES, reasons=REASON_CODES, problem=problem,
    )  # fmt: skip


def _act(
    request: Request, services: Services, who: Identity, complaint_id: int,
    step: Callable[[ComplaintService], object],
) -> Response:  # fmt: skip
    """Run one desk step as ``who``; the case page again with the message when refused."""
    need(who, "complaint.handle")
    try:
        step(services.complaints(who.institution_id))
    except NotFound:
        raise
    except (InputError, PermissionDenied) as exc:
        return _case_page(request, services, who, complaint_id, status_of(exc), exc.message)
    return redirect(f"/complaints/{complaint_id}")


@router.post("/complaints/{complaint_id}/assign")
def assign(
    complaint_id: RowId, request: Request, services: Services, who: Poster, assignee: Code = ""
) -> Response:
    return _act(
        request,
        services,
        who,
        complaint_id,
        lambda desk: desk.assign(complaint_id, who.username, assignee.strip()),
    )


@router.post("/complaints/{complaint_id}/extend")
def extend(
    complaint_id: RowId, request: Request, services: Services, who: Poster,
    reason: Code = "", approved_by: Code = "",
) -> Response:  # fmt: skip
    approver = approved_by.strip() or None
    return _act(
        request,
        services,
        who,
        complaint_id,
        lambda desk: desk.extend(complaint_id, who.username, reason.strip(), approver),
    )


@router.post("/complaints/{complaint_id}/recategorise")
def recategorise(
    complaint_id: RowId, request: Request, services: Services, who: Poster,
    category: Code = "", reason: Code = "",
) -> Response:  # fmt: skip
    return _act(
        request,
        services,
        who,
        complaint_id,
        lambda desk: desk.recategorise(complaint_id, who.username, category, reason.strip()),
    )


@router.post("/complaints/{complaint_id}/resolve")
def resolve(
    complaint_id: RowId, request: Request, services: Services, who: Poster, text: Resolution = ""
) -> Response:
    return _act(
        request,
        services,
        who,
        complaint_id,
        lambda desk: desk.resolve(complaint_id, who.username, text),
    )


@router.post("/complaints/{complaint_id}/close")
def close(complaint_id: RowId, request: Request, services: Services, who: Poster) -> Response:
    return _act(
        request, services, who, complaint_id, lambda desk: desk.close(complaint_id, who.username)
    )


@router.post("/complaints/{complaint_id}/reopen")
def reopen(
    complaint_id: RowId, request: Request, services: Services, who: Poster, reason: Code = ""
) -> Response:
    return _act(
        request,
        services,
        who,
        complaint_id,
        lambda desk: desk.reopen(complaint_id, who.username, reason.strip()),
    )
