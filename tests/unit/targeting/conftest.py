"""Targeting tests use the storage fixtures of tests/unit/conftest.py (SQLite and PostgreSQL);
their helpers live in targeting_world.py, next to this file."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
