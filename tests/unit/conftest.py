"""Storage fixtures for every unit test folder: ``database`` runs on SQLite and PostgreSQL.

They live at this level so the store, governance and customer tests all see the same
session-scoped fixtures; loading them once per folder would start one server per folder.
The PostgreSQL server is started once per session by the tests themselves (tests/pg.py). A
template database is migrated once; each test gets its own copy (CREATE DATABASE … TEMPLATE
takes milliseconds), so tests never see each other's rows. Missing PostgreSQL binaries fail
these tests with the reason: a green run always means both backends were exercised.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from smsguard.store import Database, upgrade

sys.path.insert(0, str(Path(__file__).parents[1]))
from pg import PostgresServer, PostgresUnavailable, start_postgres

BACKENDS = ("sqlite", "postgresql")
_TEMPLATE = "smsguard_template"
_names = itertools.count()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    try:
        server = start_postgres()
    except PostgresUnavailable as exc:
        pytest.fail(f"cannot run the PostgreSQL storage tests: {exc}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def pg_template(pg_server: PostgresServer) -> str:
    migrated = Database.from_url(pg_server.create_database(_TEMPLATE))
    try:
        upgrade(migrated)
    finally:
        migrated.dispose()  # a template must have no open connections when it is copied
    return _TEMPLATE


def _fresh(request: pytest.FixtureRequest, tmp_path: Path, template: str | None) -> Database:
    if request.param == "sqlite":
        return Database.from_url(f"sqlite:///{tmp_path / 'store.db'}")
    server: PostgresServer = request.getfixturevalue("pg_server")
    if template is not None:
        template = request.getfixturevalue("pg_template")
    return Database.from_url(server.create_database(f"test_{next(_names)}", template))


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database with no schema at all."""
    database = _fresh(request, tmp_path, template=None)
    yield database
    database.dispose()


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database at the head revision with no rows."""
    database = _fresh(request, tmp_path, template=_TEMPLATE)
    if database.backend == "sqlite":
        upgrade(database)
    yield database
    database.dispose()
