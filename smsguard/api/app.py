"""The ASGI application: routers, error handlers, admission control, security headers and
the dashboard.

``create_app`` takes ready services from the composition root
(:func:`smsguard.bootstrap.build_api_services`) and only wires them, so tests build the same
application over a temporary database.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smsguard import __version__
from smsguard.api import errors
from smsguard.api.admission import Admission, Gate
from smsguard.api.routes import (
    alerts,
    audiences,
    audit,
    campaigns,
    complaints,
    customers,
    health,
    inbound,
    indicators,
    log,
    public,
    reports,
    screening,
    session,
    taxii,
    templates,
    users,
)
from smsguard.api.services import ApiServices

API_PREFIX = "/api/v1"
ROUTERS = tuple(
    module.router
    for module in (session, screening, templates, campaigns, customers, audit, complaints,
                   alerts, reports, log, public, inbound, users, indicators, audiences)
)  # fmt: skip
# Routers mounted outside the JSON API, with their own prefix (TAXII 2.1: docs/intel-taxii.md;
# liveness and readiness at the root, where process managers look for them).
OTHER_ROUTERS = ((taxii.PREFIX, taxii.router), ("", health.router))
_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    # Everything the pages need is served by the service itself (no CDN; closed networks).
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'"
    ),
}
DESCRIPTION = """\
Screening, governance, sending, traceability and complaints for consumer-lending SMS.

Authenticate with an API key (`Authorization: Bearer sgk_...`) or a login session
(`POST /api/v1/session`; unsafe methods then need the `X-CSRF-Token` header). Every error is
`{"error": {"code", "message"}}` with a stable code.
"""


def create_app(services: ApiServices, *, dashboard: bool = True) -> FastAPI:
    """The service over ``services``; ``dashboard=False`` serves the JSON API only."""
    app = FastAPI(
        title="smsguard",
        version=__version__,
        description=DESCRIPTION,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # the Swagger page loads from a CDN; the document itself is served
        redoc_url=None,
    )
    app.state.services = services
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX, responses=errors.ERROR_RESPONSES)
    for prefix, other in OTHER_ROUTERS:
        app.include_router(other, prefix=prefix, responses=errors.ERROR_RESPONSES)
    if dashboard:
        from smsguard.web import mount

        mount(app)

    # Admission inside the headers, so a refusal carries them too (docs/deployment.md).
    settings = services.settings
    app.state.admission = Gate(settings.api_max_in_flight, settings.api_queue_seconds)
    app.add_middleware(Admission, gate=app.state.admission)
    app.add_middleware(SecurityHeaders)
    return app


class SecurityHeaders:
    """Adds the security headers to every response (plain ASGI: no per-request task or
    body buffering, unlike a decorator middleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._common = [(name.lower().encode(), value.encode()) for name, value in _HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(self._common)
        if str(scope.get("path", "")).startswith(("/api/", "/taxii2/")):
            extra.append((b"cache-control", b"no-store"))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _value in message.get("headers", [])}
                added = [(name, value) for name, value in extra if name not in present]
                message["headers"] = [*message.get("headers", []), *added]
            await send(message)

        await self.app(scope, receive, with_headers)
