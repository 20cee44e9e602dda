"""The complaints tests' fixture: the gateway tests' bank on each storage backend."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "gateway"))
from complaint_helpers import add_staff
from gateway_helpers import Bank, make_bank

from smsguard.screening.engine import Screener
from smsguard.store import Database


@pytest.fixture
def bank(tmp_path: Path, database: Database, screener: Screener) -> Iterator[Bank]:
    made = make_bank(tmp_path, database, screener)
    add_staff(made)
    yield made
    made.provider.close()
