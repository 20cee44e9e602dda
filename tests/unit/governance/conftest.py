"""Governance tests use the storage fixtures of tests/unit/conftest.py (SQLite and PostgreSQL).

Only the storage tests' seeding helpers are borrowed here: governance_helpers.py imports
store_helpers, which lives in the store folder, so that folder goes on the import path.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "store"))
