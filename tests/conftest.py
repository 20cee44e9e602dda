"""Shared fixtures: a clean environment and one screener per test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from smsguard.bootstrap import build_screener
from smsguard.screening import Screener
from smsguard.settings import Settings

# Properties are about behaviour, not speed (speed lives in benchmarks/): a loaded CI machine
# must not turn a slow first example into a failure.
hypothesis_settings.register_profile("smsguard", deadline=None)
hypothesis_settings.load_profile("smsguard")


@pytest.fixture(autouse=True)
def _clean_environ(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No SMSGUARD_* variable from the developer's shell leaks into a test."""
    import os

    for key in list(os.environ):
        if key.startswith("SMSGUARD_"):
            monkeypatch.delenv(key)
    yield


@pytest.fixture(scope="session")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SMSGUARD_HOME for the session, so the compiled-matcher cache is shared."""
    return tmp_path_factory.mktemp("smsguard-home")


@pytest.fixture(scope="session")
def screener(home: Path) -> Screener:
    return build_screener(Settings(home=home))
