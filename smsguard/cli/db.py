"""``smsguard db`` and ``smsguard institutions``: migrate the governance database and manage
its tenants.

Both groups take the database from settings (``database_url``, else SQLite under ``--home``).
Failures are StorageError, which the entry point prints as one line without a traceback.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from smsguard.cli._context import CliState

if TYPE_CHECKING:  # the CLI starts without importing SQLAlchemy until a db command runs
    from smsguard.store import Database


def _database(state: CliState) -> Database:
    from smsguard.bootstrap import build_database

    return build_database(state.settings)


@click.group("db")
def db() -> None:
    """The governance database: create or upgrade its schema, show its revision."""


@db.command("upgrade")
@click.pass_obj
def upgrade_command(state: CliState) -> None:
    """Apply pending migrations (safe to run again)."""
    from smsguard.store import upgrade

    database = _database(state)
    try:
        revision = upgrade(database)
    finally:
        database.dispose()
    click.echo(f"{database.display_url}: schema at revision {revision}")


@db.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.pass_obj
def status_command(state: CliState, as_json: bool) -> None:
    """Show the database's schema revision and whether migrations are pending."""
    from smsguard.store import status

    database = _database(state)
    try:
        found = status(database)
    finally:
        database.dispose()
    if as_json:
        payload = {"current": found.current, "head": found.head, "up_to_date": found.up_to_date}
        click.echo(json.dumps(payload))
        return
    state_text = "up to date" if found.up_to_date else "upgrade needed: run `smsguard db upgrade`"
    click.echo(f"database: {database.display_url}")
    click.echo(f"current revision: {found.current or '(none)'}")
    click.echo(f"head revision: {found.head} ({state_text})")


@click.group("institutions")
def institutions() -> None:
    """Institutions (banks, lenders): the tenants whose data is kept apart."""


@institutions.command("add")
@click.argument("name")
@click.option("--code", required=True, help="Short unique handle, e.g. demo-bank.")
@click.pass_obj
def add_command(state: CliState, name: str, code: str) -> None:
    """Register an institution called NAME."""
    from smsguard.store.institutions import add_institution

    database = _database(state)
    try:
        created = add_institution(database, code=code, name=name)
    finally:
        database.dispose()
    click.echo(f"added institution {created.code} (id {created.id}): {created.name}")


@institutions.command("list")
@click.pass_obj
def list_command(state: CliState) -> None:
    """List institutions, one per line: id, code, name."""
    from smsguard.store.institutions import list_institutions

    database = _database(state)
    try:
        found = list_institutions(database)
    finally:
        database.dispose()
    for institution in found:
        click.echo(f"{institution.id}\t{institution.code}\t{institution.name}")
