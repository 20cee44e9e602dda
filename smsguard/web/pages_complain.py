"""The public complaint form: anyone may complain about an institution's SMS, no login needed.

Like ``/verify`` it has no session and so no CSRF token; it is rate-limited per client, and a
post another site's page makes a browser send (``Sec-Fetch-Site: cross-site``) is refused.
The phone number is never echoed back; the receipt shows the case id and its legal deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from smsguard.api.security import Services, client_address
from smsguard.complaints.records import MAX_TEXT
from smsguard.errors import InputError, PermissionDenied
from smsguard.protect import normalise_phone
from smsguard.store import tenant_session
from smsguard.store.complaint_models import CATEGORIES
from smsguard.web import queries
from smsguard.web.auth import optional_identity
from smsguard.web.i18n import language
from smsguard.web.render import page
from smsguard.web.views import deadline, long_date

router = APIRouter(include_in_schema=False)
# Generous limits: a longer text is refused with the form's own message, not a 422 page.
Text = Annotated[str, Form(max_length=4 * MAX_TEXT)]
Field = Annotated[str, Form(max_length=200)]
EARLIEST = date(2000, 1, 1)


@dataclass(frozen=True)
class Receipt:
    """What the complainant is told: the case, its legal deadline, in their language."""

    complaint_id: int
    due: str
    due_iso: str


class _Refused(Exception):
    """A form value the page asks for again; ``key`` names the message in the catalogue."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@router.get("/complain")
def complain_form(request: Request, services: Services, institution: str = "") -> HTMLResponse:
    optional_identity(request)
    return _form(request, services, institution=institution[:200])


@router.post("/complain")
def complain(
    request: Request, services: Services, institution: Field = "", phone: Field = "",
    category: Field = "", text: Text = "", message_date: Field = "",
) -> HTMLResponse:  # fmt: skip
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise PermissionDenied("a complaint can only be sent from this site's own form")
    services.public_limiter.check(client_address(request))
    optional_identity(request)
    kept = {"institution": institution, "category": category, "text": text,
            "message_date": message_date}  # fmt: skip
    found = queries.institution_by_code(services.database, institution)
    try:
        if found is None:
            raise _Refused("problem.institution")
        sealed = _checked(phone, category, text, message_date)
        desk = services.complaints(found.id)
        complaint_id = desk.intake("web", phone.strip(), category, sealed)
        view, _history = desk.show(complaint_id)
        with tenant_session(services.database, found.id) as session:
            zone = queries.complaint_zone(session, complaint_id)
    except _Refused as refused:
        return _form(request, services, 400, problem_key=refused.key, **kept)
    except InputError as exc:  # what the library refused, in its own words
        return _form(request, services, 400, problem=exc.message, **kept)
    due = deadline(view.due_at, datetime.now(UTC))
    receipt = Receipt(complaint_id, long_date(due.at, zone, language(request)), due.iso)
    return page(request, "complain.html", receipt=receipt, institution=found.name)


def _checked(phone: str, category: str, text: str, message_date: str) -> str:
    """The text to store (with the SMS date, if given); _Refused names the first bad field."""
    try:
        normalise_phone(phone.strip())
    except InputError:
        raise _Refused("problem.phone") from None
    if category not in CATEGORIES:
        raise _Refused("problem.category")
    body = text.strip()
    if not body:
        raise _Refused("problem.text")
    if message_date.strip():
        body += f"\n\n[短信日期 / SMS date: {_sms_date(message_date.strip()).isoformat()}]"
    if len(body) > MAX_TEXT:
        raise _Refused("problem.text")
    return body


def _sms_date(raw: str) -> date:
    try:
        found = date.fromisoformat(raw)
    except ValueError:
        raise _Refused("problem.date") from None
    if not EARLIEST <= found <= datetime.now(ZoneInfo("Asia/Shanghai")).date():
        raise _Refused("problem.date")
    return found


def _form(
    request: Request, services: Services, status: int = 200, **context: object
) -> HTMLResponse:
    for name in ("institution", "category", "text", "message_date"):
        context.setdefault(name, "")
    return page(request, "complain.html", status, receipt=None, categories=CATEGORIES,
                institutions=queries.institutions(services.database), **context)  # fmt: skip
