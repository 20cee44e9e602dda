"""``smsguard check TEXT``: screen one SMS and show why."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from smsguard.cli._context import CliState, read_sender
from smsguard.cli.render import render_report
from smsguard.screening.rulebook.schema import ALL_PURPOSES


@click.command()
@click.argument("text")
@click.option(
    "--sender",
    "sender_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Sender profile (YAML): institution, signatures, official domains and numbers.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as stable JSON.")
@click.option("--purpose", type=click.Choice(ALL_PURPOSES), help="Message purpose (else inferred).")
@click.option("--sender-number", help="The number the SMS came from (e.g. 95588, 1065…, +44…).")
@click.option(
    "--fail-on",
    type=click.Choice(["never", "review", "block"]),
    default="never",
    show_default=True,
    help="Exit 1 when the verdict is at least this severe (for scripts and CI).",
)
@click.pass_obj
def check(
    state: CliState,
    text: str,
    sender_path: Path | None,
    as_json: bool,
    purpose: str | None,
    sender_number: str | None,
    fail_on: str,
) -> None:
    """Screen one SMS. TEXT is the message, or - to read it from standard input.

    \b
    Example:
      smsguard check "【好借银行】贷款秒批，点击申请"
    """
    message: str | bytes = sys.stdin.buffer.read() if text == "-" else text
    sender = read_sender(sender_path)
    context = {"purpose": purpose, "sender_number": sender_number}
    verdict = state.screener(sender).screen(message, context=context)
    if as_json:
        click.echo(json.dumps(verdict.to_dict(), ensure_ascii=False, indent=2))
    else:
        original = message if isinstance(message, str) else message.decode("utf-8")
        click.echo(render_report(original, verdict, color=sys.stdout.isatty()))
    failing = {"never": (), "review": ("review", "block"), "block": ("block",)}[fail_on]
    if verdict.verdict in failing:
        sys.exit(1)
