"""``smsguard audience``: preview an audience definition, show a frozen one, explain one
customer (docs/targeting.md).

The group is the place for every targeting command; other modules add theirs with
``audience.add_command(...)`` in ``smsguard/cli/__init__.py`` and may reuse :func:`acting`,
:func:`scorer_for` and the options defined here, so this file stays small.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import click

from smsguard.cli._context import CliState

if TYPE_CHECKING:
    from smsguard.store.models import User
    from smsguard.store.tenancy import TenantSession
    from smsguard.targeting.ports import Scorer
    from smsguard.targeting.selection import AudienceReport

INSTITUTION = click.option("--institution", "code", required=True, help="Institution code.")
ACTOR = click.option("--as", "username", required=True, help="Username of the person acting.")
AS_JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
LANG = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)


@click.group("audience")
def audience() -> None:
    """Who a campaign is for: preview, show and explain audiences."""


@contextmanager
def acting(state: CliState, code: str, username: str,
           action: str) -> Iterator[tuple[TenantSession, User]]:  # fmt: skip
    """A tenant session of the institution and the user, who must be allowed ``action``."""
    from sqlalchemy import select

    from smsguard.bootstrap import build_database
    from smsguard.customers import institution_id_for
    from smsguard.errors import NotFound
    from smsguard.governance.roles import require
    from smsguard.store import tenant_session
    from smsguard.store.models import User

    database = build_database(state.settings)
    try:
        with tenant_session(database, institution_id_for(database, code)) as session:
            user = session.scalars(select(User).where(User.username == username)).first()
            if user is None:
                raise NotFound(f"no user {username!r} in institution {code!r}")
            require(user, action)
            yield session, user
    finally:
        database.dispose()


def scorer_for(state: CliState, code: str, now: datetime) -> Scorer | None:
    """The institution's trained propensity model at ``now``, when there is one."""
    from smsguard.targeting.propensity import default_model_path, load_model

    path = default_model_path(state.settings, code)
    return load_model(path).at(now) if path.exists() else None


def read_definition(path: Path) -> Any:
    """A definition file: JSON when it ends in .json, YAML otherwise (YAML reads JSON too)."""
    from smsguard._yaml import read_yaml
    from smsguard.errors import InputError

    if path.suffix.lower() == ".json":
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"audience file {path}: {exc}") from exc
    return read_yaml(path, what="audience file", error=InputError)


@audience.command("preview")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@INSTITUTION
@ACTOR
@AS_JSON
@LANG
@click.pass_obj
def preview(state: CliState, file: Path, code: str, username: str, as_json: bool,
            lang: Literal["zh", "en"]) -> None:  # fmt: skip
    """Count who FILE (YAML or JSON) would select now, and why the others are out."""
    from smsguard.targeting.language import parse_audience
    from smsguard.targeting.policy import policy_for
    from smsguard.targeting.selection import audience_report

    definition = parse_audience(read_definition(file))
    now = datetime.now(UTC)
    with acting(state, code, username, "campaign.read") as (session, _user):
        scorer = scorer_for(state, code, now) if definition.rank else None
        report = audience_report(session, definition, policy_for(state.settings), now, scorer)
    _print_report(report, as_json, lang)


@audience.command("show")
@click.argument("campaign_id", type=int)
@INSTITUTION
@ACTOR
@AS_JSON
@LANG
@click.pass_obj
def show(state: CliState, campaign_id: int, code: str, username: str, as_json: bool,
         lang: Literal["zh", "en"]) -> None:  # fmt: skip
    """The audience frozen into CAMPAIGN_ID at approval: counts, size and digest."""
    from smsguard.errors import InputError
    from smsguard.governance.campaigns import get
    from smsguard.targeting.selection import AudienceReport

    with acting(state, code, username, "campaign.read") as (session, _user):
        campaign = get(session, campaign_id)
        if campaign.audience_report is None:
            raise InputError(f"campaign {campaign_id} is not approved: no audience is frozen")
        report = AudienceReport.from_dict(campaign.audience_report)
    _print_report(report, as_json, lang)


@audience.command("explain")
@click.argument("campaign_id", type=int)
@click.argument("customer_id", type=int)
@INSTITUTION
@ACTOR
@AS_JSON
@LANG
@click.pass_obj
def explain_command(state: CliState, campaign_id: int, customer_id: int, code: str,
                    username: str, as_json: bool, lang: Literal["zh", "en"]) -> None:  # fmt: skip
    """Why customer CUSTOMER_ID (row id) is in or out of CAMPAIGN_ID's audience (audited)."""
    from smsguard.governance import audit
    from smsguard.governance.campaigns import get
    from smsguard.targeting.explain import explain
    from smsguard.targeting.policy import policy_for

    with acting(state, code, username, "audit.read") as (session, user):
        campaign = get(session, campaign_id)
        found = explain(session, campaign, customer_id, policy_for(state.settings),
                        datetime.now(UTC))  # fmt: skip
        audit.record(session, user, "audience.explained", ("campaign", campaign_id),
                     customer_id=customer_id)  # fmt: skip
    if as_json:
        click.echo(json.dumps(found.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(found.lines(lang)))


def _print_report(report: AudienceReport, as_json: bool, lang: Literal["zh", "en"]) -> None:
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        from smsguard.targeting.report_text import report_lines

        click.echo("\n".join(report_lines(report, lang)))
