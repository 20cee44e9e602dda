"""The report tests' fixture: one month of a bank on each storage backend."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from report_helpers import Scenario, build

from smsguard.screening.engine import Screener
from smsguard.store import Database


@pytest.fixture
def scenario(tmp_path: Path, database: Database, screener: Screener) -> Iterator[Scenario]:
    made = build(tmp_path, database, screener)
    yield made
    made.bank.provider.close()
