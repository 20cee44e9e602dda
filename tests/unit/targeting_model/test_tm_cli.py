"""`smsguard audience train` and `smsguard audience fairness`, invoked through click."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner
from tm_world import add_audience, add_outcomes, add_people, campaign, institution, random_people

from smsguard.cli._context import CliState
from smsguard.cli.audience_model import fairness_command, train_command
from smsguard.settings import Settings
from smsguard.store import Database, upgrade
from smsguard.store.tenancy import tenant_session


def _home(tmp_path: Path) -> tuple[Path, int]:
    home = tmp_path / "home"
    home.mkdir()
    database = Database.from_url(Settings(home=home).effective_database_url)
    try:
        upgrade(database)
        own = institution(database)
        crowd = random_people(800)
        with tenant_session(database, own) as session:
            add_people(session, crowd, consent=True)
            add_outcomes(session, campaign(session, "past"), crowd)
            frozen = campaign(session, "now", frozen=True)
            ids = [p.id for p in crowd if p.region != "11" or p.id % 4 == 0]
            add_audience(session, frozen, ids)
    finally:
        database.dispose()
    return home, frozen


def test_train_then_fairness(tmp_path: Path) -> None:
    home, frozen = _home(tmp_path)
    runner = CliRunner()
    args = ["--seed", "5", "--created", "2026-11-01"]
    first = runner.invoke(train_command, args, obj=CliState(home=home))
    assert first.exit_code == 0, first.output
    model = home / "targeting" / "bank-a" / "propensity.json"
    saved = model.read_bytes()
    assert "AUC" in first.output and "calibration by decile" in first.output
    assert "credit band only" in first.output and "never used: region, birth_year" in first.output
    assert (home / "targeting" / "bank-a" / "propensity.report.txt").is_file()
    again = runner.invoke(
        train_command, [*args, "--institution", "bank-a"], obj=CliState(home=home)
    )
    assert again.exit_code == 0 and model.read_bytes() == saved  # reproducible

    out = tmp_path / "fair.json"
    text = runner.invoke(
        fairness_command, [str(frozen), "--out", str(out)], obj=CliState(home=home)
    )
    assert text.exit_code == 0, text.output
    assert "! 11 北京" in text.output and "年龄段 / age band" in text.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["flags"] == ["region:11"]
    as_json = runner.invoke(fairness_command, [str(frozen), "--json", "--min-group", "10000"],
                            obj=CliState(home=home))  # fmt: skip
    assert json.loads(as_json.output)["flags"] == []
    for output in (first.output, text.output, as_json.output):
        assert not re.search(r"(?<!\d)1\d{10}(?!\d)", output)  # no phone number anywhere


def test_errors_are_clear(tmp_path: Path) -> None:
    home, _ = _home(tmp_path)
    runner = CliRunner()
    unknown = runner.invoke(train_command, ["--institution", "nope"], obj=CliState(home=home))
    assert unknown.exit_code != 0 and "no institution with code 'nope'" in str(unknown.exception)
    missing = runner.invoke(fairness_command, ["999"], obj=CliState(home=home))
    assert "no campaign 999" in str(missing.exception)
