"""An ASGI entry point for process managers: settings from the environment and the
settings file, as the CLI reads them.

    uvicorn --factory smsguard.api.asgi:app_from_environment --workers 4 --port 8000

Each uvicorn worker process builds its own application; all state that must be shared lives
in the database (docs/api.md, "Public endpoints", on what the rate limits then mean).
"""

from __future__ import annotations

from fastapi import FastAPI

from smsguard.bootstrap import build_app
from smsguard.settings import load_settings


def app_from_environment() -> FastAPI:
    """The service for the settings of this environment (SMSGUARD_* and the settings file)."""
    return build_app(load_settings())
