"""``smsguard audience preview | show | explain`` against a home folder with a SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from targeting_world import Person, add_people, bank, draft_campaign

from smsguard.cli import cli
from smsguard.governance import campaigns
from smsguard.screening.engine import Screener
from smsguard.store import Database, tenant_session, upgrade
from smsguard.store.models import AuditEvent, User


@pytest.fixture
def bank_home(tmp_path: Path, screener: Screener) -> tuple[Path, int, list[int]]:
    folder = tmp_path / "bank-home"
    folder.mkdir()
    database = Database.from_url(f"sqlite:///{folder / 'smsguard.db'}")
    upgrade(database)
    institution = bank(database, "bank-c")
    ids = add_people(database, institution, [Person(credit_band="A"), Person(is_student=True),
                                              Person(credit_band="D")])  # fmt: skip
    campaign_id = draft_campaign(database, institution, screener, {"credit_band": {"in": ["A"]}})
    with tenant_session(database, institution) as session:
        olga = session.scalars(select(User).where(User.username == "olga")).one()
        campaigns.approve(session, olga, campaign_id)
    database.dispose()
    (folder / "targeting.yaml").write_text("max_debt_ratio: 0.4\n")
    return folder, campaign_id, ids


def run(folder: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--home", str(folder), "audience", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_preview_counts_a_definition_file(
    bank_home: tuple[Path, int, list[int]], tmp_path: Path
) -> None:
    folder, _, _ = bank_home
    definition = tmp_path / "a.yaml"
    definition.write_text("not:\n  credit_band: {in: [A]}\n")
    out = json.loads(run(folder, "preview", str(definition), "--institution", "bank-c",
                         "--as", "mia", "--json"))  # fmt: skip
    assert (out["base"], out["exclusions"]["student"], out["selected"]) == (2, 1, 1)
    assert out["policy"]["max_debt_ratio"] == 0.4
    text = run(folder, "preview", str(definition), "--institution", "bank-c", "--as", "mia",
               "--lang", "en")  # fmt: skip
    assert "selected: 1" in text and "student: 1" in text and "§A11" in text


def test_show_prints_the_frozen_report(bank_home: tuple[Path, int, list[int]]) -> None:
    folder, campaign_id, _ = bank_home
    text = run(folder, "show", str(campaign_id), "--institution", "bank-c", "--as", "olga")
    assert "入选: 1" in text and "SHA-256" in text


def test_explain_is_for_oversight_roles_and_audited(bank_home: tuple[Path, int, list[int]]) -> None:
    folder, campaign_id, ids = bank_home
    text = run(folder, "explain", str(campaign_id), str(ids[1]), "--institution", "bank-c",
               "--as", "olga", "--lang", "en")  # fmt: skip
    assert "not in the campaign's audience" in text and "[applies] student" in text
    refused = CliRunner().invoke(cli, ["--home", str(folder), "audience", "explain",
                                       str(campaign_id), str(ids[1]), "--institution", "bank-c",
                                       "--as", "mia"])  # fmt: skip
    assert refused.exit_code != 0
    database = Database.from_url(f"sqlite:///{folder / 'smsguard.db'}")
    with tenant_session(database, 1) as session:
        audited = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "audience.explained")
        ).one()
        assert audited.detail == {"customer_id": ids[1]}
    database.dispose()
