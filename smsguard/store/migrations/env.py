"""Alembic environment, driven only from code: smsguard.store.schema hands over a connection.

There is no alembic.ini at run time; the caller puts an open connection into
``config.attributes["connection"]`` so migrations run inside the caller's transaction and on
exactly the engine (and SQLite pragmas) the application uses.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from smsguard.store.models import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


_connection = context.config.attributes.get("connection")
if not isinstance(_connection, Connection):
    raise RuntimeError("smsguard migrations run through smsguard.store.upgrade(), not the CLI")
_run(_connection)
