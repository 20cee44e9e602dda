"""``smsguard rules``: list, show and check rulebooks."""

from __future__ import annotations

import json
from pathlib import Path

import click

from smsguard.cli._context import CliState
from smsguard.screening.compile import compile_rulebook
from smsguard.screening.rulebook.loader import load_rulebook


@click.group()
def rules() -> None:
    """Inspect the rulebook."""


@rules.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_obj
def list_rules(state: CliState, as_json: bool) -> None:
    """List every rule with its severity and category."""
    book = load_rulebook(state.settings.rules_paths)
    if as_json:
        rows = [r.model_dump(mode="json", exclude={"examples"}) for r in book.rules]
        click.echo(json.dumps({"rulebook": book.version, "rules": rows}, ensure_ascii=False))
        return
    click.echo(f"rulebook {book.version}: {len(book.rules)} rules")
    for rule in book.rules:
        click.echo(f"  {rule.severity:<6} {rule.category:<17} {rule.id:<30} {rule.title}")


@rules.command("show")
@click.argument("rule_id")
@click.pass_obj
def show_rule(state: CliState, rule_id: str) -> None:
    """Show one rule in full, with its legal basis and examples."""
    book = load_rulebook(state.settings.rules_paths)
    for rule in book.rules:
        if rule.id == rule_id.upper():
            data = rule.model_dump(mode="json", exclude_none=True)
            click.echo(json.dumps(data, ensure_ascii=False, indent=2))
            return
    raise click.ClickException(f"no rule {rule_id!r}; see `smsguard rules list`")


@rules.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.pass_obj
def check_rules(state: CliState, paths: tuple[Path, ...]) -> None:
    """Validate and compile the rulebook plus extra rule files or folders."""
    book = load_rulebook((*state.settings.rules_paths, *paths))
    compiled = compile_rulebook(book)
    click.echo(
        f"ok: rulebook {book.version}, {len(book.rules)} rules, "
        f"matcher backend {compiled.matcher.backend}"
    )
