"""Customer fixtures on both storage backends, plus key files and a service per institution.

The ``database`` fixture (SQLite and the session's one throw-away PostgreSQL) comes from
tests/unit/conftest.py, shared with the storage and governance tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from smsguard.bootstrap import build_customer_service
from smsguard.customers import CustomerService
from smsguard.protect import generate_key_file
from smsguard.settings import Settings
from smsguard.store import Database
from smsguard.store.institutions import add_institution


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
