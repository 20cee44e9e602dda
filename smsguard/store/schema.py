"""Run the packaged Alembic migrations from code and report where a database stands.

The migration scripts ship inside the package (``store/migrations``), so an installed
smsguard can create or upgrade its schema without an alembic.ini or a source checkout.
Upgrading runs in one transaction on the application's own engine; on PostgreSQL a failed
migration therefore leaves the database at its previous revision.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from smsguard.store.engine import Database, storage_errors

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass(frozen=True)
class SchemaStatus:
    """Where a database stands relative to the migrations this smsguard ships."""

    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        """True when no migration is pending."""
        return self.current == self.head


def _config() -> Config:
    config = Config()
    # ConfigParser interpolates '%', which may occur in an install path.
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    return config


def head_revision() -> str:
    """The newest revision among the packaged migrations."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:  # pragma: no cover - only if the package lost its migration files
        raise RuntimeError(f"no migrations found under {MIGRATIONS}")
    return head


def upgrade(database: Database, revision: str = "head") -> str:
    """Bring the schema to ``revision`` (idempotent) and return the revision reached."""
    config = _config()
    with storage_errors(database), database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return current_revision(database) or ""


def current_revision(database: Database) -> str | None:
    """The revision recorded in the database, or None when it was never migrated."""
    with storage_errors(database), database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def status(database: Database) -> SchemaStatus:
    """The database's revision next to the packaged head."""
    return SchemaStatus(current=current_revision(database), head=head_revision())
