"""Migrations: they create the schema from nothing, are idempotent and match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from smsguard.store import Database, current_revision, head_revision, status, upgrade
from smsguard.store.models import Base

TABLES = {"institutions", "users", "customers", "consents", "audit_events", "data_keys"}


def test_upgrade_from_empty_creates_every_table_and_is_idempotent(
    empty_database: Database,
) -> None:
    assert current_revision(empty_database) is None
    assert not status(empty_database).up_to_date
    assert upgrade(empty_database) == head_revision()
    assert upgrade(empty_database) == head_revision()  # second run: nothing to do, no error
    tables = set(inspect(empty_database.engine).get_table_names())
    assert tables >= TABLES | {"alembic_version"}
    assert status(empty_database).up_to_date


def test_migrated_schema_matches_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_sqlite_connections_use_wal_and_enforce_foreign_keys(tmp_path: object) -> None:
    database = Database.from_url(f"sqlite:///{tmp_path}/nested/dir/w.db")
    try:
        with database.engine.connect() as connection:
            journal = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
            foreign_keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
            busy = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
    finally:
        database.dispose()
    assert (journal, foreign_keys, busy) == ("wal", 1, 5000)
