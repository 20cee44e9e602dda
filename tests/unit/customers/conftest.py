"""Customer fixtures on both storage backends, plus key files and a service per institution.

The ``database`` fixture (SQLite and a throw-away PostgreSQL) is borrowed from the storage
tests' conftest, loaded under its own module name so the two conftests do not collide.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from smsguard.bootstrap import build_customer_service
from smsguard.customers import CustomerService
from smsguard.protect import generate_key_file
from smsguard.settings import Settings
from smsguard.store import Database
from smsguard.store.institutions import add_institution

_spec = importlib.util.spec_from_file_location(
    "_store_fixtures", Path(__file__).parents[1] / "store" / "conftest.py"
)
assert _spec is not None and _spec.loader is not None
_store = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_store)

pg_server = _store.pg_server
pg_template = _store.pg_template
database = _store.database


@pytest.fixture
def settings(tmp_path: Path, database: Database) -> Settings:
    """Settings whose key files exist and whose database is the test database."""
    home = tmp_path / "home"
    (home / "keys").mkdir(parents=True)
    url = database.engine.url.render_as_string(hide_password=False)
    configured = Settings(home=home, database_url=url)
    generate_key_file(configured.effective_master_key_file)
    generate_key_file(configured.effective_index_key_file)
    return configured


@pytest.fixture
def bank(database: Database) -> int:
    return add_institution(database, code="bank-a", name="Bank A").id


@pytest.fixture
def service(settings: Settings, database: Database, bank: int) -> CustomerService:
    return build_customer_service(settings, database, bank)
