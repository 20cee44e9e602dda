"""Shared fixtures: a clean environment and one screener per test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from smsguard.bootstrap import build_screener
from smsguard.screening import Screener
from smsguard.settings import Settings


@pytest.fixture(autouse=True)
def _clean_environ(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No SMSGUARD_* variable from the developer's shell leaks into a test."""
    import os

    for key in list(os.environ):
        if key.startswith("SMSGUARD_"):
            monkeypatch.delenv(key)
    yield


@pytest.fixture(scope="session")
def screener() -> Screener:
    return build_screener(Settings())
