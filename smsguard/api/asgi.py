"""ASGI entry points for process managers: settings from the environment and the settings
file, as the CLI reads them.

    SMSGUARD_API_PROCESSES=4 uvicorn --factory smsguard.api.asgi:app_from_environment \\
        --workers 4 --port 8000 --no-access-log

Each uvicorn worker process builds its own application; all state that must be shared lives
in the database (docs/deployment.md, "What each process keeps", on what stays per process).
``smsguard serve --workers N`` starts its processes through :func:`app_from_serve`, which
takes the settings the command resolved (``--home``, ``--config``) from its parent.
"""

from __future__ import annotations

import logging
import os

from fastapi import FastAPI

from smsguard.bootstrap import build_app
from smsguard.errors import ConfigError
from smsguard.settings import Settings, load_settings

# Not SMSGUARD_…: load_settings refuses unknown variables with that prefix.
SERVE_SETTINGS_ENV = "_SMSGUARD_SERVE_SETTINGS"


def app_from_environment() -> FastAPI:
    """The service for the settings of this environment (SMSGUARD_* and the settings file)."""
    return build_app(load_settings())


def app_from_serve() -> FastAPI:
    """The service for the settings ``smsguard serve --workers N`` handed to its processes."""
    raw = os.environ.get(SERVE_SETTINGS_ENV)
    if raw is None:
        raise ConfigError(f"{SERVE_SETTINGS_ENV} is not set; use app_from_environment")
    app = build_app(Settings.model_validate_json(raw))
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        app.openapi()  # built once now, before any request needs it (see cli/serve.py)
    except Exception as exc:  # a route's bug must not keep the service down
        logging.getLogger("smsguard.serve").error(
            "the OpenAPI document cannot be built: %s", type(exc).__name__
        )
    return app
