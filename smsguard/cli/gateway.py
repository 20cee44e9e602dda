"""``smsguard campaigns``, ``smsguard send`` and ``smsguard worker``: the sending gateway.

Each command names the institution and, where people act, the user (``--as``) whose roles
the governance core checks. The worker runs until SIGTERM or Ctrl-C, finishing its current
batch first, so stopping it never leaves a message half-recorded.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

import click

from smsguard.cli._context import CliState

if TYPE_CHECKING:
    from smsguard.gateway.service import Gateway
    from smsguard.store import Database

T = TypeVar("T")
_INSTITUTION = click.option("--institution", "code", required=True, help="Institution code.")
_ACTOR = click.option("--as", "username", required=True, help="Username of the person acting.")


@contextmanager
def _database(state: CliState, code: str) -> Iterator[tuple[Database, int]]:
    from smsguard.bootstrap import build_database
    from smsguard.customers import institution_id_for

    database = build_database(state.settings)
    try:
        yield database, institution_id_for(database, code)
    finally:
        database.dispose()


def _with_gateway(state: CliState, code: str, work: Callable[[Gateway], T]) -> T:
    from smsguard.bootstrap import build_gateway

    with _database(state, code) as (database, institution_id):
        return work(build_gateway(state.settings, database, institution_id, state.screener()))


@click.group("campaigns")
def campaigns() -> None:
    """Start, pause, resume and watch approved campaigns."""


@campaigns.command("start")
@click.argument("campaign_id", type=int)
@_INSTITUTION
@_ACTOR
@click.pass_obj
def start_command(state: CliState, campaign_id: int, code: str, username: str) -> None:
    """Start an approved campaign: queue one checked message per audience member."""
    summary = _with_gateway(state, code, lambda g: g.start(username, campaign_id))
    click.echo(f"campaign {campaign_id}: {summary.queued} queued, {summary.refused} refused")
    for reason, count in sorted(summary.reasons.items(), key=lambda item: -item[1]):
        click.echo(f"  refused {count}: {reason}")


@campaigns.command("pause")
@click.argument("campaign_id", type=int)
@_INSTITUTION
@_ACTOR
@click.pass_obj
def pause_command(state: CliState, campaign_id: int, code: str, username: str) -> None:
    """Stop handing the campaign's messages over (workers notice within a second)."""
    _with_gateway(state, code, lambda g: g.pause(username, campaign_id))
    click.echo(f"campaign {campaign_id}: paused")


@campaigns.command("resume")
@click.argument("campaign_id", type=int)
@_INSTITUTION
@_ACTOR
@click.pass_obj
def resume_command(state: CliState, campaign_id: int, code: str, username: str) -> None:
    """Continue a paused campaign where it stopped."""
    _with_gateway(state, code, lambda g: g.resume(username, campaign_id))
    click.echo(f"campaign {campaign_id}: running")


@campaigns.command("status")
@click.argument("campaign_id", type=int)
@_INSTITUTION
@click.pass_obj
def status_command(state: CliState, campaign_id: int, code: str) -> None:
    """The campaign's state and its messages by state."""
    status = _with_gateway(state, code, lambda g: g.status(campaign_id))
    click.echo(f"campaign {status.campaign_id} ({status.name}): {status.state}")
    for name, count in sorted(status.messages.items()):
        click.echo(f"  {name}: {count}")


@click.command("send")
@click.option("--template", "template", required=True, help="Template name (latest approved).")
@click.option("--to", "phone", required=True, help="The customer's phone number.")
@click.option("--var", "pairs", multiple=True, help="A variable as NAME=VALUE (repeat).")
@_INSTITUTION
@_ACTOR
@click.pass_obj
def send_command(
    state: CliState, template: str, phone: str, pairs: tuple[str, ...], code: str, username: str
) -> None:
    """Queue one service message to a customer; a worker hands it over."""
    from smsguard.protect import mask_phone

    values = _pairs(pairs)
    plan = _with_gateway(state, code, lambda g: g.send(username, template, phone, values))
    click.echo(f"{mask_phone(phone)}: {plan.state} ({plan.reason})")


def _pairs(pairs: tuple[str, ...]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--var")
        values[name.strip()] = value.strip()
    return values


@click.command("worker")
@_INSTITUTION
@click.option("--until-idle", is_flag=True, help="Stop when nothing is due instead of waiting.")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=500, show_default=True)
@click.option(
    "--lease",
    type=click.FloatRange(0.5, 3600),
    default=30.0,
    show_default=True,
    help="Seconds a claimed batch stays reserved; after that a crashed worker's claim is settled.",
)
@click.pass_obj
def worker_command(
    state: CliState, code: str, until_idle: bool, batch_size: int, lease: float
) -> None:
    """Drain the institution's outbox through the configured provider until stopped."""
    from smsguard.bootstrap import build_worker
    from smsguard.gateway.worker import WorkerOptions

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    options = WorkerOptions(batch_size=batch_size, lease=timedelta(seconds=lease))
    with _database(state, code) as (database, institution_id):
        worker, sending = build_worker(state.settings, database, institution_id, options)
        try:
            for service in sending.services:
                service.start()
            handled = worker.run(stop, until_idle=until_idle)
        finally:
            for service in sending.services:
                service.stop()
            sending.provider.close()
    click.echo(f"worker stopped after handing over {handled} message(s)")


@click.command("verify")
@click.argument("text")
@click.option("--phone", required=True, help="The number that received the SMS.")
@click.option(
    "--at",
    "around",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%d"]),
    default=None,
    help="About when it arrived (ISO with zone, or a date); default: any time.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the answer with its proof as JSON.")
@_INSTITUTION
@click.pass_obj
def verify_command(
    state: CliState, text: str, phone: str, around: datetime | None, as_json: bool, code: str
) -> None:
    """Is TEXT, received on --phone, a genuine SMS of the institution? Exit 0 if so, 1 if not."""
    import json

    from smsguard.bootstrap import build_consumer_verifier

    if around is not None and around.tzinfo is None:
        around = around.replace(tzinfo=UTC)
    with _database(state, code) as (database, institution_id):
        verifier = build_consumer_verifier(state.settings, database, institution_id)
        answer = verifier.verify(text, phone, around)
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2, sort_keys=True))
    else:
        click.echo(answer.summary)
    if not answer.genuine:
        raise click.exceptions.Exit(1)
