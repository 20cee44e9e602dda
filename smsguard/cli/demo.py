"""``smsguard demo``: screen the shipped example SMS and explain each verdict.

``make serve`` runs this until the HTTP service exists; it needs no set-up and no network.
"""

from __future__ import annotations

import sys

import click

from smsguard.cli._context import CliState
from smsguard.cli.render import render_report
from smsguard.demo import demo_messages, demo_senders


@click.command()
@click.pass_obj
def demo(state: CliState) -> None:
    """Screen the demo messages and explain each verdict."""
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
