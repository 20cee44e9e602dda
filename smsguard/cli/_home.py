"""Settings that include ``settings.yaml`` under the chosen home, however the home was chosen.

``load_settings`` finds ``$SMSGUARD_HOME/settings.yaml`` only when the home comes from the
environment; ``smsguard --home DIR demo`` writes the demo's settings file into DIR, so the
demo and the service read it from there too (unless ``--config`` names another file).
"""

from __future__ import annotations

import os

from smsguard.cli._context import CliState
from smsguard.settings import Settings, load_settings


def home_settings(state: CliState) -> Settings:
    """The settings of ``state``, re-read with the home's settings file when it exists."""
    config = state.config_file
    if config is None:
        candidate = state.settings.home / "settings.yaml"
        config = candidate if candidate.is_file() else None
    overrides = {"home": state.home} if state.home is not None else {}
    return load_settings(config_file=config, environ=os.environ, overrides=overrides)
