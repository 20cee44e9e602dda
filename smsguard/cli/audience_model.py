"""``smsguard audience train`` and ``smsguard audience fairness CAMPAIGN``.

``train`` fits the propensity model on the institution's own campaign outcomes, prints the
report and writes the model (``$SMSGUARD_HOME/targeting/<code>/propensity.json`` unless
``--out``) with the report next to it (``….report.txt``). ``fairness`` compares selection
rates of a campaign's audience across regions and age bands (docs/targeting-model.md).
Neither prints a phone number, a name or an ID number: only counts and model figures.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from smsguard.cli._context import CliState

if TYPE_CHECKING:
    from smsguard.store import Database
    from smsguard.targeting.propensity import ClockedScorer

_INSTITUTION = click.option(
    "--institution", "code", default=None,
    help="Institution code (default: the only institution in the database).",
)  # fmt: skip


def _institution(database: Database, code: str | None) -> tuple[int, str]:
    from sqlalchemy import select

    from smsguard.errors import InputError, NotFound
    from smsguard.store.models import Institution

    with database.transaction() as session:
        query = select(Institution.id, Institution.code).order_by(Institution.code)
        if code is not None:
            query = query.where(Institution.code == code.strip())
        found = session.execute(query.limit(2)).all()
    if code is not None and not found:
        raise NotFound(f"no institution with code {code!r}; see `smsguard institutions list`")
    if not found:
        raise InputError("there is no institution in the database; add one first")
    if len(found) > 1:
        raise InputError("there are several institutions; name one with --institution")
    return int(found[0][0]), str(found[0][1])


@click.command("train")
@_INSTITUTION
@click.option("--seed", default=13, show_default=True, help="Seed of the held-out split.")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Model file (default: targeting/<code>/propensity.json under the home).",
)  # fmt: skip
@click.option(
    "--created", type=click.DateTime(["%Y-%m-%d"]), default=None,
    help="Date to record (default: SOURCE_DATE_EPOCH's date, else today in UTC).",
)  # fmt: skip
@click.option("--l2", default=1.0, show_default=True, help="L2 penalty on the coefficients.")
@click.pass_context
def train_command(
    ctx: click.Context, code: str | None, seed: int, out: Path | None,
    created: datetime | None, l2: float,
) -> None:  # fmt: skip
    """Train the propensity model on past campaign outcomes; print and write its report."""
    from smsguard.bootstrap import build_database
    from smsguard.errors import InputError
    from smsguard.store.tenancy import tenant_session
    from smsguard.targeting.propensity import default_model_path, save_model
    from smsguard.targeting.propensity_report import render_report
    from smsguard.targeting.propensity_train import TrainConfig, load_training_data, train

    if l2 < 0:
        raise InputError(f"--l2 must not be negative; got {l2}")
    state = ctx.ensure_object(CliState)
    database = build_database(state.settings)
    try:
        institution_id, institution = _institution(database, code)
        with tenant_session(database, institution_id) as session:
            data = load_training_data(session)
    finally:
        database.dispose()
    day: date | None = created.date() if created is not None else None
    model = train(data, institution, TrainConfig(seed=seed, l2=l2, created=day))
    path = out or default_model_path(state.settings, institution)
    save_model(model, path)
    report = render_report(model)
    report_path = path.with_name(path.stem + ".report.txt")
    report_path.write_text(report, encoding="utf-8")
    click.echo(report, nl=False)
    click.echo(f"\nmodel -> {path}\nreport -> {report_path}")


@click.command("fairness")
@click.argument("campaign", type=int)
@_INSTITUTION
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the JSON report to this file.")  # fmt: skip
@click.option("--ratio", default=0.8, show_default=True,
              help="Flag a group below this share of the highest group's rate.")  # fmt: skip
@click.option("--min-group", default=100, show_default=True,
              help="Eligible customers a group needs before it can be flagged.")  # fmt: skip
@click.option("--max-p", type=float, default=None,
              help="Also require a two-proportion p-value below this to flag.")  # fmt: skip
@click.option("--model", "model_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Propensity model for a preview that ranks (default: the "
              "institution's).")  # fmt: skip
@click.pass_context
def fairness_command(
    ctx: click.Context, campaign: int, code: str | None, as_json: bool, out: Path | None,
    ratio: float, min_group: int, max_p: float | None, model_path: Path | None,
) -> None:  # fmt: skip
    """Compare CAMPAIGN's selection rates across regions and age bands; flag large gaps."""
    from smsguard._files import write_atomically
    from smsguard.bootstrap import build_database
    from smsguard.store.tenancy import tenant_session
    from smsguard.targeting.fairness import FairnessThresholds
    from smsguard.targeting.fairness_campaign import campaign_fairness
    from smsguard.targeting.fairness_text import render_text
    from smsguard.targeting.policy import policy_for

    state = ctx.ensure_object(CliState)
    limits = FairnessThresholds(ratio=ratio, min_group_size=min_group, max_p_value=max_p)
    policy = policy_for(state.settings)
    now = datetime.now(UTC)
    database = build_database(state.settings)
    try:
        institution_id, institution = _institution(database, code)
        scorer = _scorer(state, institution, model_path, now)
        with tenant_session(database, institution_id) as session:
            report = campaign_fairness(
                session, campaign, policy, now, scorer=scorer, thresholds=limits
            )
    finally:
        database.dispose()
    if out is not None:
        write_atomically(out, report.to_json().encode("utf-8"), mode=0o644)
    click.echo(report.to_json() if as_json else render_text(report), nl=False)


def _scorer(
    state: CliState, institution: str, path: Path | None, now: datetime
) -> ClockedScorer | None:
    """The institution's model if there is one (only a ranking preview needs it)."""
    from smsguard.targeting.propensity import default_model_path, load_model

    chosen = path or default_model_path(state.settings, institution)
    if path is None and not chosen.exists():
        return None
    return load_model(chosen).at(now)
