"""State shared by every command: where settings come from, built lazily once."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from smsguard.screening.engine import Screener
from smsguard.screening.sender import SenderProfile, load_sender_profile
from smsguard.settings import Settings, load_settings


@dataclass
class CliState:
    config_file: Path | None = None
    home: Path | None = None
    _settings: Settings | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            overrides = {"home": self.home} if self.home is not None else {}
            self._settings = load_settings(
                config_file=self.config_file, environ=os.environ, overrides=overrides
            )
        return self._settings

    def screener(self, sender: SenderProfile | None = None) -> Screener:
        from smsguard.bootstrap import build_screener

        return build_screener(self.settings, sender=sender)


def read_sender(path: Path | None) -> SenderProfile | None:
    return load_sender_profile(path) if path is not None else None
