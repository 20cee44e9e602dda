"""``smsguard demo``: set up the demo bank that ``smsguard serve`` shows (``make serve``).

It creates what is missing under home (keys, database, the demo's settings and provider
files, the transparency log) and seeds 示例银行 with staff, customers, templates and
campaigns (smsguard/demo/seed.py); running it again changes nothing and prints the same.
``--screen-examples`` instead screens the shipped example SMS and explains each verdict
(no set-up, no network).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from smsguard.cli._context import CliState
from smsguard.cli._home import home_settings

if TYPE_CHECKING:
    from smsguard.demo.seed import DemoSummary


@click.command()
@click.option(
    "--screen-examples", is_flag=True, help="Only screen the shipped example SMS and explain them."
)
@click.pass_obj
def demo(state: CliState, screen_examples: bool) -> None:
    """Seed the demo bank (idempotent) and print the demo logins."""
    if screen_examples:
        _screen_examples(state)
        return
    from smsguard.demo.seed import seed, sending_allowed_now, write_home_files

    write_home_files(state.settings.home)
    settings = home_settings(state)
    summary = seed(settings)
    _report(settings.home, summary)
    if not sending_allowed_now(settings):
        click.echo("note: the sending window in the settings excludes now; messages wait for it")


def _report(home: Path, summary: DemoSummary) -> None:
    from smsguard.demo.seed import CODE, NAME, USERS

    click.echo(f"demo ready in {home}")
    click.echo(f"institution {CODE} ({NAME})")
    click.echo(
        f"customers: {summary.customers} ({summary.students} students, {summary.minors} "
        f"minors, {summary.withdrawn} withdrew consent: never selected, and the gateway "
        "refuses them)"
    )
    click.echo(
        f"profiles: {summary.profiles} ({summary.in_arrears} in arrears, "
        f"{summary.over_debt_limit} over the debt limit, {summary.do_not_contact} on a "
        "do-not-contact list: audience selection excludes them)"
    )
    for name, state in summary.templates:
        click.echo(f"template {name}: {state}")
    for line in summary.campaigns:
        counts = ", ".join(f"{key} {n}" for key, n in sorted(line.messages.items())) or "none"
        state = "awaiting approval" if line.state == "draft" else line.state
        click.echo(f"campaign {line.name}: {state}; messages: {counts}")
    click.echo(f"transparency log of {CODE}: {summary.log_storage}")
    click.echo()
    click.echo(f"Logins (institution {CODE}; demo passwords, change them for anything real):")
    for user in USERS:
        click.echo(f"  {user.username:<5} {user.password:<15} {', '.join(user.roles)}: {user.does}")
    click.echo("Run `smsguard serve` and open http://127.0.0.1:8000/")


def _screen_examples(state: CliState) -> None:
    from smsguard.cli.render import render_report
    from smsguard.demo import demo_messages, demo_senders

    senders = demo_senders()
    color = sys.stdout.isatty()
    screener = state.screener()
    for item in demo_messages():
        sender = senders.get(item.get("sender", ""))
        verdict = screener.screen(item["text"], sender=sender)
        who = f"sender profile: {sender.institution}" if sender else "no sender profile"
        click.echo(f"── {who}")
        click.echo(render_report(item["text"], verdict, color=color))
        click.echo()
