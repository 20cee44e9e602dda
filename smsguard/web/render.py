"""Rendering pages: one Jinja2 environment (autoescape on) and the context every page gets."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from smsguard.api.errors import ErrorDetail
from smsguard.api.security import ACTIONS, SESSION_COOKIE
from smsguard.governance.credentials import Identity, csrf_token
from smsguard.web.i18n import language, translator

log = logging.getLogger("smsguard.web")
HERE = Path(__file__).parent
ENV = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
# The navigation: (name, path, the action that opens it; None: any logged-in user).
NAV: tuple[tuple[str, str, str | None], ...] = (
    ("home", "/", None),
    ("screen", "/screen", "screen.use"),
    ("templates", "/templates", "template.read"),
    ("review", "/review", "template.approve"),
    ("campaigns", "/campaigns", "campaign.read"),
    ("alerts", "/alerts", "alert.read"),
    ("complaints", "/complaints", "complaint.read"),
    ("audit", "/audit", "audit.read"),
    ("log", "/log", None),
    ("verify", "/verify", None),
)


def nav_for(identity: Identity | None) -> list[tuple[str, str]]:
    """The pages ``identity`` may open (only the public ones when nobody is logged in)."""
    if identity is None:
        return [("verify", "/verify"), ("complain", "/complain")]
    return [(name, path) for name, path, action in NAV
            if action is None or identity.may(action, ACTIONS)]  # fmt: skip


def page(request: Request, name: str, status_code: int = 200, /, **context: Any) -> HTMLResponse:
    """Render template ``name`` with the common context (language, user, CSRF token)."""
    lang = language(request)
    identity: Identity | None = getattr(request.state, "identity", None)
    token = request.cookies.get(SESSION_COOKIE)
    common = {
        "_": translator(lang),
        "lang": lang,
        "me": identity,
        "nav": nav_for(identity),
        "csrf": csrf_token(token) if token and identity else "",
        "here": here(request),
    }
    html = ENV.get_template(name).render(**common, **context)
    return HTMLResponse(html, status_code=status_code)


def here(request: Request) -> str:
    """The current path and query, for ``next=`` links."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def safe_next(target: str | None) -> str:
    """A local path to go to after login or a language switch, never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def redirect(target: str) -> RedirectResponse:
    """A 303 (See Other), the answer to a form post."""
    return RedirectResponse(target, status_code=303)


def error_page(request: Request, status: int, detail: ErrorDetail) -> Response:
    """The dashboard's answer to an error: the login page for 401, a friendly page otherwise."""
    if status == 401 and request.method in ("GET", "HEAD"):
        return RedirectResponse(f"/login?next={quote(here(request), safe='')}", status_code=303)
    if status == 401:
        return RedirectResponse("/login", status_code=303)
    key = f"error.{status}" if status in (400, 401, 403, 404, 422, 429, 500, 503) else "error.other"
    message = detail.message if status < 500 else ""
    try:
        return page(request, "error.html", status, status=status, key=key, message=message)
    except Exception:  # the error page itself must never fail into a traceback
        log.exception("the error page failed")
        return HTMLResponse("<!doctype html><title>error</title><p>error</p>", status_code=status)
