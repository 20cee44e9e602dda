"""Governance tests reuse the storage fixtures, so each runs on SQLite and on PostgreSQL.

The storage conftest is loaded from its file under another module name (test folders are not
packages) and its fixtures re-exported here. Seeding helpers live in governance_helpers.py.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_STORE = Path(__file__).parents[1] / "store"
sys.path.insert(0, str(_STORE))
_spec = importlib.util.spec_from_file_location("store_fixtures", _STORE / "conftest.py")
assert _spec is not None and _spec.loader is not None
_store_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_store_fixtures)

pg_server = _store_fixtures.pg_server
pg_template = _store_fixtures.pg_template
database = _store_fixtures.database
