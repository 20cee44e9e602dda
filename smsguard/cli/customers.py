"""``smsguard customers``: import with consent evidence, look up, withdraw, handle replies.

Every phone number this prints is masked: the CLI has no reveal, because a reveal needs an
authenticated actor with a role and a purpose, which the API's user accounts provide.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from smsguard.cli._context import CliState

if TYPE_CHECKING:
    from smsguard.customers import CustomerService

T = TypeVar("T")
_INSTITUTION = click.option("--institution", "code", required=True, help="Institution code.")


def _with_service(state: CliState, code: str, work: Callable[[CustomerService], T]) -> T:
    """Run ``work`` with the institution's customer service, closing the database after."""
    from smsguard.bootstrap import build_customer_service, build_database
    from smsguard.customers import institution_id_for

    database = build_database(state.settings)
    try:
        institution_id = institution_id_for(database, code)
        return work(build_customer_service(state.settings, database, institution_id))
    finally:
        database.dispose()


@click.group("customers")
def customers() -> None:
    """Customers of an institution: stored encrypted, found by a keyed index."""


@customers.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_INSTITUTION
@click.pass_obj
def import_command(state: CliState, file: Path, code: str) -> None:
    """Import FILE (CSV or TSV with phone and consent_* columns) in one transaction."""
    from smsguard.customers.rows import read_table

    rows = read_table(file)
    summary = _with_service(state, code, lambda service: service.import_customers(rows))
    click.echo(f"{file.name}: {summary.inserted} customer(s) added, {summary.updated} updated")


@customers.command("find")
@click.argument("phone")
@_INSTITUTION
@click.pass_obj
def find_command(state: CliState, phone: str, code: str) -> None:
    """Look PHONE up through the blind index and print the customer, masked, with consents."""

    def find(service: CustomerService) -> None:
        found = service.find_by_phone(phone)
        if found is None:
            raise click.ClickException("no such customer")
        student = "yes" if found.is_student else "no"
        click.echo(f"customer {found.customer_id}: {found.masked_phone}")
        click.echo(f"birth year: {found.birth_year or '-'}; student: {student}")
        for record in service.consents(found.customer_id):
            when = record.recorded_at.isoformat(timespec="seconds")
            click.echo(f"{when}\t{record.purpose}\t{record.status}\t{record.source}")

    _with_service(state, code, find)


@customers.command("withdraw")
@click.argument("phone")
@_INSTITUTION
@click.option("--source", required=True, help="Where the withdrawal came from, e.g. sms-reply.")
@click.option("--evidence", default="", help="Proof kept, e.g. the message id of the reply.")
@click.option("--purpose", "purposes", multiple=True, help="Purpose(s); default: all on record.")
@click.pass_obj
def withdraw_command(
    state: CliState, phone: str, code: str, source: str, evidence: str, purposes: tuple[str, ...]
) -> None:
    """Record that PHONE withdrew consent; effective for every send decision from now on."""
    withdrawn = _with_service(
        state,
        code,
        lambda service: service.withdraw(
            phone, source=source, evidence=evidence, purposes=purposes
        ),
    )
    click.echo(f"consent withdrawn for: {', '.join(withdrawn) or '(no purposes on record)'}")


@customers.command("reply")
@click.argument("phone")
@click.argument("text")
@_INSTITUTION
@click.pass_obj
def reply_command(state: CliState, phone: str, text: str, code: str) -> None:
    """Handle TEXT, an SMS reply from PHONE received now: opt-outs withdraw, complaints are kept."""
    from datetime import UTC, datetime

    received_at = datetime.now(UTC)
    outcome = _with_service(
        state, code, lambda service: service.handle_reply(phone, text, received_at=received_at)
    )
    if not outcome.known_customer:
        click.echo(f"{outcome.masked_phone}: no such customer; reply ({outcome.kind}) audited")
        return
    click.echo(f"{outcome.masked_phone}: reply classified {outcome.kind}")
    if outcome.withdrawn:
        click.echo(f"consent withdrawn for: {', '.join(outcome.withdrawn)}")
    if outcome.complaint_recorded:
        click.echo("complaint recorded for the complaints desk")
