"""The HTTP service: its long-lived objects and the application."""

from __future__ import annotations

from typing import TYPE_CHECKING

from smsguard.bootstrap.screening import build_screener
from smsguard.bootstrap.sending import build_events, build_gateway
from smsguard.bootstrap.storage import build_customer_service, build_database
from smsguard.bootstrap.tracing import build_consumer_verifier
from smsguard.screening.engine import Screener
from smsguard.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

    from smsguard.api.ratelimit import RateLimiter
    from smsguard.api.services import ApiServices
    from smsguard.store import Database


def build_api_services(
    settings: Settings, database: Database | None = None, screener: Screener | None = None
) -> ApiServices:
    """Everything the HTTP service needs; per-institution objects are built on first use."""
    from smsguard.api.ratelimit import RateLimiter
    from smsguard.api.services import ApiServices, Builders
    from smsguard.complaints.wiring import build_complaints
    from smsguard.fraud_reports import build_fraud_intake

    processes = settings.api_processes
    database = database or build_database(settings)
    screener = screener or build_screener(settings)
    builders = Builders(
        customers=lambda tenant: build_customer_service(settings, database, tenant),
        gateway=lambda tenant: build_gateway(settings, database, tenant, screener),
        verifier=lambda tenant: build_consumer_verifier(settings, database, tenant, screener),
        complaints=lambda tenant: build_complaints(settings, database, tenant, screener=screener),
        events=lambda tenant, provider: build_events(settings, database, tenant, provider),
        fraud_intake=lambda: build_fraud_intake(settings, database, screener),
    )
    return ApiServices(
        settings=settings,
        database=database,
        screener=screener,
        builders=builders,
        # Each process enforces its share of the per-client limits (settings.api_processes).
        public_limiter=RateLimiter(
            settings.public_requests_per_minute, what="public endpoints", processes=processes
        ),
        login_limiter=RateLimiter(
            settings.login_attempts_per_minute, what="login", processes=processes
        ),
        screen_limiter=_screen_quota(settings),
    )


def _screen_quota(settings: Settings) -> RateLimiter | None:
    """The /screen quota per API key or login, or None when switched off (0)."""
    from smsguard.api.ratelimit import RateLimiter

    if not settings.screen_texts_per_minute:
        return None
    # Ten seconds of burst: a quota that allowed a whole minute at once would not protect.
    return RateLimiter(
        settings.screen_texts_per_minute, what="screening (this caller's quota)",
        burst_seconds=10, processes=settings.api_processes,
    )  # fmt: skip


def build_app(settings: Settings, *, dashboard: bool = True) -> FastAPI:
    """The HTTP service (API and, unless switched off, the dashboard) for ``settings``."""
    from smsguard.api import create_app

    return create_app(build_api_services(settings), dashboard=dashboard)
