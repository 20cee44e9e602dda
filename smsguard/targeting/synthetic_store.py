"""Bulk writing for the synthetic generator: SQLAlchemy Core executemany on SQLite, ``COPY``
through psycopg on PostgreSQL, a block of customers per transaction.

The generator hands over plain tuples in the table's column order. Customer ids are reserved
up front as one consecutive range (the row id is bound into each ciphertext, so it must be
known before encrypting): from the sequence on PostgreSQL, after ``max(id)`` on SQLite. The
generator expects no one else to add customers meanwhile; if someone does, an insert fails
on the primary key rather than storing anything wrong.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, Table, text

from smsguard.store import Database

Row = tuple[Any, ...]


class BulkWriter(Protocol):
    """Writes rows into one table and reserves customer ids, inside one connection's
    transaction."""

    def reserve_ids(self, connection: Connection, count: int) -> int:
        """The first of ``count`` consecutive unused customer ids."""
        ...

    def write(self, connection: Connection, table: Table, columns: Sequence[str],
              rows: Sequence[Row]) -> None:  # fmt: skip
        """Insert ``rows`` (tuples in ``columns`` order) into ``table``."""
        ...

    def finish(self, connection: Connection) -> None:
        """After the last block (statistics for the planner)."""
        ...


class SqliteWriter:
    """One prepared ``INSERT`` run with executemany; values go through each column type's own
    bind processor (SQLAlchemy's), so rows are stored exactly as the ORM stores them, without
    building a parameter dictionary per row."""

    def reserve_ids(self, connection: Connection, count: int) -> int:
        del count  # the ids after max(id) are free while no one else adds customers
        last = connection.execute(text("SELECT coalesce(max(id), 0) FROM customers")).scalar()
        return int(last or 0) + 1

    def write(
        self, connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[Row]
    ) -> None:
        if not rows:
            return
        dialect = connection.dialect
        processors = [
            table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
        ]
        converted = _converted(rows, processors)
        placeholders = ", ".join("?" for _ in columns)
        statement = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({placeholders})"
        connection.exec_driver_sql(statement, converted)

    def finish(self, connection: Connection) -> None:
        connection.execute(text("ANALYZE"))


def _converted(rows: Sequence[Row], processors: Sequence[Any]) -> list[Row]:
    """Rows with each value bound as its column type binds it."""
    columns = [list(column) for column in zip(*rows, strict=True)]
    for position, process in enumerate(processors):
        if process is not None:
            columns[position] = _bound(columns[position], process)
    return list(zip(*columns, strict=True))


def _bound(values: list[Any], process: Any) -> list[Any]:
    """``process`` applied to each value, once per distinct value (dates and flags repeat)."""
    if any(isinstance(value, dict | list) for value in values[:1]):
        return [process(value) for value in values]
    memo: dict[Any, Any] = {}
    out = []
    for value in values:
        bound = memo.get(value, memo)
        if bound is memo:
            bound = memo[value] = process(value)
        out.append(bound)
    return out


class PostgresWriter:
    """``COPY … FROM STDIN`` through the psycopg connection under the SQLAlchemy one."""

    def reserve_ids(self, connection: Connection, count: int) -> int:
        sequence = "pg_get_serial_sequence('customers', 'id')"
        first = connection.execute(text(f"SELECT nextval({sequence})")).scalar_one()
        connection.execute(text(f"SELECT setval({sequence}, :last)"),
                           {"last": int(first) + count - 1})  # fmt: skip
        return int(first)

    def write(
        self, connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[Row]
    ) -> None:
        if not rows:
            return
        driver: Any = connection.connection.driver_connection
        statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for start in range(0, len(rows), _COPY_ROWS):
                copy.write(copy_text(rows[start : start + _COPY_ROWS]))

    def finish(self, connection: Connection) -> None:
        for table in (
            "customers",
            "consents",
            "customer_profiles",
            "complaints",
            "do_not_contact",
            "campaign_outcomes",
        ):
            connection.execute(text(f"ANALYZE {table}"))


_COPY_ROWS = 10_000
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(rows: Sequence[Row]) -> bytes:
    """Rows in PostgreSQL's COPY text format: tab-separated, ``\\N`` for NULL, ``t``/``f``,
    bytea as ``\\\\x`` hex, times in ISO 8601 with their offset, JSON for dicts.

    Formatting here is several times faster than psycopg's per-row ``write_row``."""
    return "".join("\t".join(map(_copy_value, row)) + "\n" for row in rows).encode()


def _copy_value(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, bytes):
        return "\\\\x" + value.hex()
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value)
    return str(value).translate(_ESCAPES)


def writer_for(database: Database) -> BulkWriter:
    """The bulk writer for the database's backend."""
    return PostgresWriter() if database.backend == "postgresql" else SqliteWriter()
