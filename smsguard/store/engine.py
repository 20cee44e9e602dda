"""Engines and transactions: the only place that knows which database smsguard talks to.

Two backends are supported and nothing else. SQLite is the zero-setup default, tuned for one
machine with a few writers: WAL journal (readers never block the writer), foreign keys on
(SQLite leaves them off unless asked, per connection) and a busy timeout so a second process
waits for a lock instead of failing at once. PostgreSQL is for shared deployments and is
always reached through psycopg 3, whatever driver the URL names; pooled connections are
checked before use (a restarted server's dead connections are replaced, not reported) and a
connection attempt gives up after ``CONNECT_TIMEOUT_S`` unless the URL sets its own.

Every driver error that leaves this module is a :class:`~smsguard.errors.StorageError` whose
message carries the URL with its password hidden, so logs and terminals never show secrets.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from smsguard.errors import StorageError

BUSY_TIMEOUT_MS = 5_000
# Seconds a PostgreSQL connection attempt may take (unless the URL says otherwise): a host
# that vanished without a reset would otherwise hold a worker for the kernel's TCP timeout.
CONNECT_TIMEOUT_S = 10
_POSTGRES_DRIVER = "postgresql+psycopg"


def parse_url(raw: str) -> URL:
    """The URL as SQLAlchemy reads it, with PostgreSQL pinned to psycopg 3."""
    try:
        url = make_url(raw)
    except ArgumentError as exc:
        raise StorageError(f"database URL {raw!r} is not a valid URL") from exc
    backend = url.get_backend_name()
    if backend == "postgresql":
        return url.set(drivername=_POSTGRES_DRIVER)
    if backend == "sqlite":
        return url
    raise StorageError(
        f"database URL {safe_url(url)} uses {backend!r}; smsguard supports sqlite and postgresql"
    )


def safe_url(url: URL) -> str:
    """The URL for messages: password hidden."""
    return url.render_as_string(hide_password=True)


def create_database_engine(raw_url: str) -> Engine:
    """An engine for ``raw_url`` with the per-backend settings described above."""
    url = parse_url(raw_url)
    try:
        if url.get_backend_name() == "sqlite":
            return _sqlite_engine(url)
        connect_args = (
            {} if "connect_timeout" in url.query else {"connect_timeout": CONNECT_TIMEOUT_S}
        )
        return create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    except (NoSuchModuleError, ArgumentError) as exc:
        raise StorageError(f"cannot open database {safe_url(url)}: {exc}") from exc


def _sqlite_engine(url: URL) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _tune_sqlite_connection)
    return engine


def _tune_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    """Pragmas are per connection in SQLite, so each new pooled connection gets them."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


class Database:
    """An engine plus the session factory built on it; one per process and database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, raw_url: str) -> Database:
        """A database for ``raw_url``; nothing is connected until first use."""
        return cls(create_database_engine(raw_url))

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @property
    def display_url(self) -> str:
        """The URL for messages, password hidden."""
        return safe_url(self.engine.url)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed when the block ends and rolled back on any error,
        so a failure never leaves half of a unit of work behind."""
        with self.sessions() as session, storage_errors(self), session.begin():
            yield session

    def dispose(self) -> None:
        """Close pooled connections (tests, and before a PostgreSQL database is dropped)."""
        self.engine.dispose()


@contextmanager
def storage_errors(database: Database) -> Iterator[None]:
    """Turn SQLAlchemy and driver failures into StorageError, keeping the cause chained."""
    try:
        yield
    except DBAPIError as exc:
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise StorageError(f"database {database.display_url}: {detail}") from exc
    except SQLAlchemyError as exc:
        raise StorageError(f"database {database.display_url}: {exc}") from exc
