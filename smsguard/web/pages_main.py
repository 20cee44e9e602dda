"""Logging in and out, the language switch, the home page, the playground and the public
"is this SMS real?" page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from smsguard.api.routes.session import LoginRequest, set_session_cookie, start_session
from smsguard.api.security import ACTIONS, SESSION_COOKIE, Services, client_address
from smsguard.errors import InputError, NotFound, SmsguardError, Unauthenticated
from smsguard.governance import credentials
from smsguard.store.models import Institution, utc_now
from smsguard.store.tenancy import tenant_session
from smsguard.web import queries
from smsguard.web.auth import Poster, Viewer, need, optional_identity
from smsguard.web.i18n import LANG_COOKIE, LANGUAGES
from smsguard.web.render import page, redirect, safe_next
from smsguard.web.views import marked

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=10_000)]
Field = Annotated[str, Form(max_length=1000)]


@router.get("/login")
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return page(request, "login.html", next=safe_next(next), failed=False, institution="")


@router.post("/login")
def login(
    request: Request, services: Services, institution: Field = "", username: Field = "",
    password: Field = "", next: Field = "/",
) -> Response:  # fmt: skip
    try:
        form = LoginRequest(institution=institution, username=username, password=password)
        token, _identity = start_session(services, request, form)
    except (ValidationError, Unauthenticated):
        return page(request, "login.html", 401, next=safe_next(next), failed=True,
                    institution=institution)  # fmt: skip
    response = redirect(safe_next(next))
    set_session_cookie(response, services, token)
    return response


def _end_session(request: Request, services: Services) -> RedirectResponse:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        credentials.logout(services.database, token)
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/logout")
def logout_link(request: Request, services: Services) -> RedirectResponse:
    return _end_session(request, services)


@router.post("/logout")
def logout(request: Request, services: Services, _who: Poster) -> RedirectResponse:
    return _end_session(request, services)


@router.get("/lang/{lang}")
def switch_language(lang: str, next: str = "/") -> RedirectResponse:
    if lang not in LANGUAGES:
        raise NotFound(f"no language {lang!r}")
    response = redirect(safe_next(next))
    response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86_400, samesite="lax", path="/")
    return response


@router.get("/")
def home(request: Request, who: Viewer, services: Services) -> HTMLResponse:
    with tenant_session(services.database, who.institution_id) as session:
        institution = session.get(Institution, who.institution_id)
        counts = queries.glance(session, lambda action: who.may(action, ACTIONS), utc_now())
    name = institution.name if institution is not None else "?"
    return page(request, "home.html", roles=sorted(role.value for role in who.roles),
                institution=name, counts=counts)  # fmt: skip


@router.get("/screen")
def playground(request: Request, who: Viewer) -> HTMLResponse:
    need(who, "screen.use")
    return page(request, "screen.html", text="", result=None)


@router.post("/screen")
def screen(request: Request, services: Services, who: Poster, text: Text = "") -> HTMLResponse:
    need(who, "screen.use")
    result = services.screener.screen(text)
    pieces = marked(text, [finding.span for finding in result.findings])
    return page(request, "screen.html", text=text, result=result, pieces=pieces)


@router.get("/verify")
def verify_form(request: Request, services: Services) -> HTMLResponse:
    optional_identity(request)
    return _verify_page(request, services)


@router.post("/verify")
def verify(
    request: Request, services: Services, institution: Field = "", phone: Field = "",
    text: Text = "",
) -> HTMLResponse:  # fmt: skip
    services.public_limiter.check(client_address(request))
    optional_identity(request)
    found = queries.institution_by_code(services.database, institution)
    try:
        if found is None:
            raise InputError("choose an institution")
        if not text.strip() or not phone.strip():
            raise InputError("enter the SMS text and your phone number")
        answer = services.verifier(found.id).verify(text, phone)
    except SmsguardError as exc:
        return _verify_page(request, services, 400, institution=institution, text=text,
                            problem=exc.message)  # fmt: skip
    return _verify_page(request, services, institution=institution, text=text, answer=answer)


def _verify_page(
    request: Request, services: Services, status: int = 200, **context: object
) -> HTMLResponse:
    choices = queries.institutions(services.database)
    context.setdefault("institution", "")
    context.setdefault("text", "")
    return page(request, "verify.html", status, institutions=choices, **context)
