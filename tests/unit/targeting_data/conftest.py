"""Fixtures for the targeting data tests: key files, an institution with staff, on SQLite and
PostgreSQL (the ``database`` fixture of tests/unit/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from smsguard.bootstrap import build_blind_indexer, build_customer_service
from smsguard.customers import CustomerService
from smsguard.protect import BlindIndexer, generate_key_file
from smsguard.settings import Settings
from smsguard.store import Database, tenant_session
from smsguard.store.institutions import add_institution
from smsguard.store.models import User


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
    institution = add_institution(database, code="bank-a", name="Bank A").id
    with tenant_session(database, institution) as session:
        for name, role in (("mia", "marketer"), ("olga", "compliance_officer"), ("ada", "auditor")):
            session.add(User(username=name, display_name=name, roles=[role]))
    return institution


@pytest.fixture
def service(settings: Settings, database: Database, bank: int) -> CustomerService:
    return build_customer_service(settings, database, bank)


@pytest.fixture
def indexer(settings: Settings, bank: int) -> BlindIndexer:
    return build_blind_indexer(settings, bank)
