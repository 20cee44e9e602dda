"""The dashboard: server-rendered pages over the same services as the API (docs/dashboard.md)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from smsguard.web.render import HERE, error_page


def mount(app: FastAPI) -> None:
    """Add the dashboard's pages and static files to ``app``."""
    from smsguard.web import (
        pages_campaigns,
        pages_complain,
        pages_complaints,
        pages_main,
        pages_oversight,
        pages_templates,
    )

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    pages = (pages_main, pages_complain, pages_templates, pages_campaigns, pages_oversight,
             pages_complaints)  # fmt: skip
    for module in pages:
        app.include_router(module.router)
    app.state.error_page = error_page
