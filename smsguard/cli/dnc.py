"""``smsguard dnc``: do-not-contact lists (add, remove, import, count).

Numbers are normalised and stored only as the institution's keyed phone index
(smsguard/targeting/dnc.py); nothing printed here contains a number. Every change names the
acting user (``--as``) and a reason, and is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from smsguard.cli._context import CliState

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from smsguard.protect import BlindIndexer
    from smsguard.targeting.dnc import DncChange

T = TypeVar("T")
_INSTITUTION = click.option("--institution", "code", required=True, help="Institution code.")
_ACTOR = click.option("--as", "username", required=True, help="Username of the person acting.")
_LIST = click.option("--list", "list_name", default="default", show_default=True,
                     help="List name (a-z, 0-9, '.', '_', '-').")  # fmt: skip
_REASON = click.option("--reason", required=True, help="Why (kept in the list and the audit).")


def _run(state: CliState, code: str, work: Callable[[Session, BlindIndexer], T]) -> T:
    """Run ``work`` in the institution's tenant session with its blind indexer."""
    from smsguard.bootstrap import build_blind_indexer, build_database
    from smsguard.customers import institution_id_for
    from smsguard.store import tenant_session

    database = build_database(state.settings)
    try:
        institution_id = institution_id_for(database, code)
        indexer = build_blind_indexer(state.settings, institution_id)
        with tenant_session(database, institution_id) as session:
            return work(session, indexer)
    finally:
        database.dispose()


def _change(
    state: CliState,
    code: str,
    username: str,
    numbers: list[tuple[int, str]],
    apply: Callable[..., DncChange],
    list_name: str,
    reason: str,
) -> DncChange:
    from smsguard.governance.users import active_user
    from smsguard.targeting.dnc import index_numbers

    def work(session: Session, indexer: BlindIndexer) -> DncChange:
        indexes = index_numbers(indexer, numbers)  # validated before anything is written
        actor = active_user(session, username)
        return apply(session, actor, list_name, indexes, reason=reason)

    return _run(state, code, work)


@click.group("dnc")
def dnc() -> None:
    """Do-not-contact lists: numbers never marketed to, stored only as a keyed index."""


@dnc.command("add")
@click.argument("phones", nargs=-1, required=True)
@_INSTITUTION
@_ACTOR
@_LIST
@_REASON
@click.pass_obj
def add_command(
    state: CliState, phones: tuple[str, ...], code: str, username: str, list_name: str, reason: str
) -> None:
    """Put PHONES on a do-not-contact list."""
    from smsguard.targeting.dnc import add

    numbers = list(enumerate(phones, start=1))
    change = _change(state, code, username, numbers, add, list_name, reason)
    click.echo(f"list {change.list_name}: {change.changed} added, {change.unchanged} already on it")


@dnc.command("remove")
@click.argument("phones", nargs=-1, required=True)
@_INSTITUTION
@_ACTOR
@_LIST
@_REASON
@click.pass_obj
def remove_command(
    state: CliState, phones: tuple[str, ...], code: str, username: str, list_name: str, reason: str
) -> None:
    """Take PHONES off a do-not-contact list (compliance officer or admin)."""
    from smsguard.targeting.dnc import remove

    numbers = list(enumerate(phones, start=1))
    change = _change(state, code, username, numbers, remove, list_name, reason)
    click.echo(f"list {change.list_name}: {change.changed} removed, {change.unchanged} not on it")


@dnc.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_INSTITUTION
@_ACTOR
@_LIST
@_REASON
@click.pass_obj
def import_command(
    state: CliState, file: Path, code: str, username: str, list_name: str, reason: str
) -> None:
    """Put every number of FILE on a list (one a line, or a CSV/TSV with a phone column);
    all or none: a bad number is reported by line and nothing is stored."""
    from smsguard.targeting.dnc import add, read_numbers

    change = _change(state, code, username, read_numbers(file), add, list_name, reason)
    click.echo(
        f"{file.name} -> list {change.list_name}: {change.changed} added, "
        f"{change.unchanged} already on it"
    )


@dnc.command("count")
@_INSTITUTION
@click.pass_obj
def count_command(state: CliState, code: str) -> None:
    """How many numbers each do-not-contact list holds."""
    from smsguard.targeting.dnc import counts

    found = _run(state, code, lambda session, _indexer: counts(session))
    if not found:
        click.echo("no do-not-contact lists")
    for name, count in found.items():
        click.echo(f"{name}\t{count}")
