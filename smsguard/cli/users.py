"""``smsguard users``: add and list the people of an institution and their roles.

Roles decide what each person may do in the approval workflow (docs/governance.md). A user
is written in one transaction, so a bad role or a taken username leaves nothing behind.
"""

from __future__ import annotations

import sys
from datetime import date, datetime

import click

from smsguard.cli._context import CliState


@click.group("users")
def users() -> None:
    """Users of an institution and their roles."""


@users.command("add")
@click.argument("username")
@click.option("--institution", "institution", required=True, help="Institution code.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    help="marketer, compliance_officer, auditor, regulator or admin (repeat for more).",
)
@click.option(
    "--certified-until",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Last day of a compliance officer's training certification (YYYY-MM-DD).",
)
@click.option("--display-name", default=None, help="Full name (default: USERNAME).")
@click.pass_obj
def add_command(
    state: CliState,
    username: str,
    institution: str,
    roles: tuple[str, ...],
    certified_until: datetime | None,
    display_name: str | None,
) -> None:
    """Add USERNAME to an institution with one or more roles."""
    from smsguard.bootstrap import build_database
    from smsguard.governance.users import add_user

    day: date | None = certified_until.date() if certified_until is not None else None
    database = build_database(state.settings)
    try:
        user = add_user(
            database,
            institution=institution,
            username=username,
            roles=roles,
            certified_until=day,
            display_name=display_name,
        )
    finally:
        database.dispose()
    click.echo(
        f"added user {user.username} (id {user.id}) to {institution}: {', '.join(user.roles)}"
    )


@users.command("list")
@click.option("--institution", "institution", required=True, help="Institution code.")
@click.pass_obj
def list_command(state: CliState, institution: str) -> None:
    """List users, one per line: id, username, roles, certification end."""
    from smsguard.bootstrap import build_database
    from smsguard.governance.users import list_users

    database = build_database(state.settings)
    try:
        found = list_users(database, institution)
    finally:
        database.dispose()
    for user in found:
        until = user.certification_expires_at
        shown = until.date().isoformat() if until is not None else "-"
        click.echo(f"{user.id}\t{user.username}\t{','.join(user.roles)}\t{shown}")


@users.command("restore-decrypt")
@click.argument("username")
@click.option("--institution", "institution", required=True, help="Institution code.")
@click.option("--as", "actor", required=True, help="The admin or compliance officer acting.")
@click.option("--reason", required=True, help="Why the suspension may be lifted.")
@click.pass_obj
def restore_decrypt_command(
    state: CliState, username: str, institution: str, actor: str, reason: str
) -> None:
    """Lift the monitor's suspension of USERNAME's right to reveal customer data."""
    from smsguard.bootstrap import build_database
    from smsguard.governance.users import restore_decrypt_right

    database = build_database(state.settings)
    try:
        restore_decrypt_right(database, institution, actor=actor, username=username, reason=reason)
    finally:
        database.dispose()
    click.echo(f"{username} may reveal customer data again (restored by {actor})")


@users.command("set-password")
@click.argument("username")
@click.option("--institution", "institution", required=True, help="Institution code.")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)
@click.pass_obj
def set_password_command(
    state: CliState, username: str, institution: str, password_stdin: bool
) -> None:
    """Give USERNAME a new dashboard password (at least 12 characters); ends their sessions."""
    from smsguard.bootstrap import build_database
    from smsguard.governance.credentials import set_password
    from smsguard.governance.users import institution_id

    password = _read_password(password_stdin)
    database = build_database(state.settings)
    try:
        set_password(database, institution_id(database, institution), username, password)
    finally:
        database.dispose()
    click.echo(f"password of {username} in {institution} set; their open sessions ended")


def _read_password(from_stdin: bool) -> str:
    if not from_stdin:
        entered: str = click.prompt(
            "New password", hide_input=True, confirmation_prompt=True, err=True
        )
        return entered
    line = sys.stdin.readline()
    return line.removesuffix("\n").removesuffix("\r")
