"""The gateway tests' fixture: a bank on each storage backend (see gateway_helpers.py)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from gateway_helpers import Bank, make_bank

from smsguard.screening.engine import Screener
from smsguard.store import Database


@pytest.fixture
def bank(tmp_path: Path, database: Database, screener: Screener) -> Iterator[Bank]:
    made = make_bank(tmp_path, database, screener)
    yield made
    made.provider.close()
