"""``smsguard audience generate``: synthetic customers for tests, demos and benchmarks.

Registered in the ``smsguard audience`` group (smsguard/cli/audience.py) with
``audience.add_command(audience_data.generate_command)``. The customers are invented
(smsguard/targeting/synthetic.py): fake ``+86 154`` numbers that no subscriber holds,
encrypted and indexed with the institution's keys like any import.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from smsguard.cli._context import CliState

if TYPE_CHECKING:
    from smsguard.store import Database

SYNTHETIC_CODE = "synthetic-bank"
SYNTHETIC_NAME = "合成数据银行 (synthetic data)"


@click.command("generate")
@click.option("--customers", type=click.IntRange(1), required=True, help="How many to generate.")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same people.")
@click.option(
    "--institution",
    "code",
    default=SYNTHETIC_CODE,
    show_default=True,
    help="Institution code (created when it is the default and missing).",
)
@click.pass_obj
def generate_command(state: CliState, customers: int, seed: int, code: str) -> None:
    """Generate synthetic customers with profiles, consent, complaints and past outcomes."""
    from smsguard.bootstrap import build_blind_indexer, build_database, build_master_key_provider
    from smsguard.targeting.synthetic import generate

    database = build_database(state.settings)
    try:
        institution_id = _institution(database, code)
        show = sys.stderr.isatty()
        summary = generate(
            database,
            institution_id,
            build_master_key_provider(state.settings),
            build_blind_indexer(state.settings, institution_id),
            customers=customers,
            seed=seed,
            progress=(lambda done: click.echo(f"\r{done:,} customers", nl=False, err=True))
            if show
            else None,
        )
        if show:
            click.echo(err=True)
    finally:
        database.dispose()
    click.echo(
        f"{summary.customers:,} synthetic customers for {code} in {summary.seconds:.1f} s: "
        f"{summary.minors:,} minors, {summary.students:,} students, {summary.no_consent:,} "
        f"without consent, {summary.withdrawn:,} withdrew, {summary.in_arrears:,} in arrears, "
        f"{summary.complaints:,} complaints, {summary.do_not_contact:,} on a do-not-contact "
        f"list, {summary.outcomes:,} past campaign outcomes"
    )


def _institution(database: Database, code: str) -> int:
    from smsguard.customers import institution_id_for
    from smsguard.errors import InputError
    from smsguard.store.institutions import add_institution

    try:
        return institution_id_for(database, code)
    except InputError:
        if code != SYNTHETIC_CODE:
            raise
    return add_institution(database, code=code, name=SYNTHETIC_NAME).id
