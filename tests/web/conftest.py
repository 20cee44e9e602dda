"""Fixtures of the dashboard tests (the service of tests/api, logged in through forms)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import Web, build_api

from smsguard.screening import Screener


@pytest.fixture
def web(tmp_path: Path, screener: Screener) -> Iterator[Web]:
    api = build_api(tmp_path, screener)
    yield Web(api)
    api.database.dispose()


@pytest.fixture
def limited_web(tmp_path: Path, screener: Screener) -> Iterator[Web]:
    api = build_api(tmp_path, screener, public_requests_per_minute=2)
    yield Web(api)
    api.database.dispose()
