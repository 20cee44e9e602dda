"""``smsguard api-keys``: keys for an institution's systems to call the HTTP API.

A key acts for one user and only within its scopes, each of which that user's roles must
grant (docs/api.md, "Authentication"). Creating and revoking name the admin acting
(``--as``), as the API does; the token is printed once, at creation, and only its hash is
stored, so a lost token is revoked and replaced, never recovered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

import click

from smsguard.cli._context import CliState

if TYPE_CHECKING:
    from smsguard.store.models import User
    from smsguard.store.tenancy import TenantSession

T = TypeVar("T")
_INSTITUTION = click.option("--institution", "code", required=True, help="Institution code.")
_ACTOR = click.option("--as", "actor", required=True, help="The admin acting.")


@contextmanager
def _session(state: CliState, code: str) -> Iterator[TenantSession]:
    from smsguard.bootstrap import build_database
    from smsguard.governance.users import institution_id
    from smsguard.store import tenant_session

    database = build_database(state.settings)
    try:
        with tenant_session(database, institution_id(database, code)) as session:
            yield session
    finally:
        database.dispose()


def _acting(state: CliState, code: str, actor: str, work: Callable[[TenantSession, User], T]) -> T:

    from smsguard.governance.users import active_user

    with _session(state, code) as session:
        return work(session, active_user(session, actor))


@click.group("api-keys")
def api_keys() -> None:
    """API keys of an institution: create (token shown once), list, revoke."""


@api_keys.command("create")
@_INSTITUTION
@_ACTOR
@click.option("--user", "username", required=True, help="The user the key acts for.")
@click.option("--name", required=True, help="What the key is for (e.g. crm-sync).")
@click.option("--scope", "scopes", multiple=True, required=True, help="A permission (repeat).")
@click.pass_obj
def create_command(
    state: CliState, code: str, actor: str, username: str, name: str, scopes: tuple[str, ...]
) -> None:
    """Create a key for --user limited to the --scope permissions; print its token once."""
    from smsguard.complaints.access import COMPLAINT_PERMISSIONS
    from smsguard.governance.credentials import create_api_key
    from smsguard.governance.roles import PERMISSIONS

    table = {**PERMISSIONS, **COMPLAINT_PERMISSIONS}  # the actions the HTTP service knows
    token, view = _acting(state, code, actor, lambda session, user: create_api_key(
        session, user, username=username, name=name, scopes=scopes, table=table,
    ))  # fmt: skip
    click.echo(f"API key {view.id} ({view.name}) for {view.username}: {', '.join(view.scopes)}")
    click.echo(token)
    click.echo("The token is shown only now; store it safely.", err=True)


@api_keys.command("list")
@_INSTITUTION
@click.pass_obj
def list_command(state: CliState, code: str) -> None:
    """List keys, newest first: id, name, user, prefix, scopes, created, last used, revoked."""
    from smsguard.governance.credentials import list_api_keys

    with _session(state, code) as session:
        found = list_api_keys(session)
    for key in found:
        fields = (str(key.id), key.name, key.username, key.prefix, ",".join(key.scopes),
                  _day(key.created_at), _day(key.last_used_at), _day(key.revoked_at))  # fmt: skip
        click.echo("\t".join(fields))


def _day(moment: datetime | None) -> str:
    return "-" if moment is None else f"{moment:%Y-%m-%d %H:%M}"


@api_keys.command("revoke")
@click.argument("key_id", type=int)
@_INSTITUTION
@_ACTOR
@click.pass_obj
def revoke_command(state: CliState, key_id: int, code: str, actor: str) -> None:
    """Revoke key KEY_ID at once (calls with it are refused from now on)."""
    from smsguard.governance.credentials import revoke_api_key

    _acting(state, code, actor, lambda session, user: revoke_api_key(session, user, key_id))
    click.echo(f"API key {key_id} revoked")
