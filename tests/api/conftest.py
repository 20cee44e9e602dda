"""The ``api`` fixture; the harness itself is tests/api/api_harness.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_harness import Api, build_api

from smsguard.screening import Screener


@pytest.fixture
def api(tmp_path: Path, screener: Screener) -> Iterator[Api]:
    built = build_api(tmp_path, screener)
    yield built
    built.database.dispose()
