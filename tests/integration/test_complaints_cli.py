"""``smsguard complaints`` as an operator drives it: exit codes, output, clear errors.

Runs the real entry point (``smsguard.cli.main``) in process on one SQLite home. Setting up
goes through ``smsguard`` commands; what has no command yet (approving the acknowledgement
template, a web-form complaint, a customer's SMS reply) goes through the library.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cli_runner import Run, in_process, ok
from sqlalchemy import select

from smsguard.bootstrap import build_customer_service, build_database
from smsguard.complaints.wiring import build_complaints
from smsguard.customers import institution_id_for
from smsguard.governance import templates
from smsguard.screening.engine import Screener
from smsguard.settings import Settings
from smsguard.store import tenant_session
from smsguard.store.models import User

CUSTOMERS = (
    "phone\tname\tbirth_year\tis_student\tconsent_purpose\tconsent_source\t"
    "consent_evidence\tconsent_at\n"
    "13800000001\t王芳\t1985\tno\tloan_marketing\tapp\tform 1\t2025-01-01T00:00:00+08:00\n"
    "13800000002\t李雷\t1990\tno\tloan_marketing\tapp\tform 2\t2025-01-01T00:00:00+08:00\n"
)
ACK_BODY = "【某银行】您的投诉（编号{case:integer}）已收到，我们将在15日内答复。"
BANK = ("--institution", "bank-a")


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    """``smsguard --home HOME ARGS…`` in process: (exit code, stdout, stderr)."""
    home = tmp_path / "home"
    return in_process(home, capsys, "--home", str(home))


@pytest.fixture
def bank(run: Run, tmp_path: Path, screener: Screener) -> Settings:
    """A bank with staff, keys, two customers, an approved acknowledgement template and one
    web complaint (#1) received an hour ago."""
    ok(run, "db", "upgrade")
    ok(run, "institutions", "add", "Bank A", "--code", "bank-a")
    ok(run, "users", "add", "mia", *BANK, "--role", "marketer")
    for name in ("olga", "chen"):
        ok(run, "users", "add", name, *BANK, "--role", "compliance_officer",
           "--certified-until", "2099-12-31")  # fmt: skip
    ok(run, "users", "add", "ada", *BANK, "--role", "admin")
    ok(run, "keys", "init")
    (tmp_path / "customers.tsv").write_text(CUSTOMERS, encoding="utf-8")
    ok(run, "customers", "import", str(tmp_path / "customers.tsv"), *BANK)
    settings = Settings(home=tmp_path / "home")
    database = build_database(settings)
    try:
        institution = institution_id_for(database, "bank-a")
        _approve_ack(database, institution, screener)
        desk = build_complaints(settings, database, institution, notices=False)
        hour_ago = datetime.now(UTC) - timedelta(hours=1)
        desk.intake("web", 1, "fees_rates", "利率写得不清楚", received_at=hour_ago)
    finally:
        database.dispose()
    return settings


def _approve_ack(database: object, institution: int, screener: Screener) -> None:
    with tenant_session(database, institution) as session:  # type: ignore[arg-type]
        mia = session.scalars(select(User).where(User.username == "mia")).one()
        olga = session.scalars(select(User).where(User.username == "olga")).one()
        version = templates.create_draft(session, mia, "complaint-ack", ACK_BODY)
        screened = templates.screen_version(session, mia, version.id, screener)
        templates.submit(session, mia, version.id)
        note = "service notice" if screened.verdict == "review" else None
        templates.approve(session, olga, version.id, justification=note)


def test_a_case_from_list_to_reopening(run: Run, bank: Settings) -> None:
    listed = ok(run, "complaints", "list", *BANK)
    assert listed.startswith("#1 received") and "fees_rates" in listed
    assert ok(run, "complaints", "list", "--status", "closed", *BANK) == ""
    assert "acknowledgement queued" in ok(run, "complaints", "acknowledge", "1", *BANK)
    assert "assigned to chen" in ok(run, "complaints", "assign", "1", "chen", *BANK,
                                    "--as", "ada")  # fmt: skip
    assert "extended" in ok(run, "complaints", "extend", "1", "--reason", "complex", *BANK,
                            "--as", "chen")  # fmt: skip
    moved = ok(run, "complaints", "recategorise", "1", "harassment", "--reason", "misfiled",
               *BANK, "--as", "chen")  # fmt: skip
    assert moved == "complaint 1: now in category harassment\n"
    assert "resolved" in ok(run, "complaints", "resolve", "1", "--text", "已更正", *BANK,
                            "--as", "chen")  # fmt: skip
    assert "closed" in ok(run, "complaints", "close", "1", *BANK, "--as", "chen")
    assert "reopened" in ok(run, "complaints", "reopen", "1", "--reason", "disputed-decision",
                            *BANK, "--as", "chen")  # fmt: skip
    shown = ok(run, "complaints", "show", "1", *BANK)
    steps = [line.split()[3] for line in shown.splitlines()[2:]]
    assert steps == ["receive", "acknowledgement_queued", "acknowledge", "assign", "extend",
                     "recategorise", "resolve", "close", "reopen"]  # fmt: skip
    assert '"to_category": "harassment"' in shown
    assert "利率" not in shown and "已更正" not in shown, "texts are never printed"
    assert shown.startswith("#1 assigned ") and "round 2" in shown


def test_reminders_collect_acknowledge_and_remind(run: Run, bank: Settings) -> None:
    database = build_database(bank)
    try:
        institution = institution_id_for(database, "bank-a")
        eight_days_ago = datetime.now(UTC) - timedelta(days=8)
        desk = build_complaints(bank, database, institution, notices=False)
        desk.intake("web", 2, "collection", "催收电话太多", received_at=eight_days_ago)
        customers = build_customer_service(bank, database, institution)
        customers.handle_reply("+8613800000001", "我要投诉", received_at=datetime.now(UTC))
    finally:
        database.dispose()
    swept = ok(run, "complaints", "reminders", *BANK)
    assert "complaint 3: opened from an SMS reply" in swept
    assert "complaint 2: statutory deadline" in swept and "50%" in swept
    assert "NOT sent" not in swept, "every pending case was acknowledged"
    assert ok(run, "complaints", "reminders", *BANK) == "", "each reminder once"
    listed = ok(run, "complaints", "list", "--status", "acknowledged", *BANK)
    assert [line.split()[0] for line in listed.splitlines()] == ["#1", "#2", "#3"]
    figures = json.loads(ok(run, "complaints", "stats", "--json", *BANK))
    assert (figures["total"], figures["by_channel"]) == (3, {"web": 2, "sms": 1})
    assert figures["by_status"] == {"acknowledged": 3}
    plain = ok(run, "complaints", "stats", "--since", "2000-01-01", *BANK)
    assert "by_category: {'collection': 1, 'fees_rates': 1, 'sms_marketing': 1}" in plain


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("show", "999"), "error [not-found]: no complaint 999 in this institution"),
        (("acknowledge", "999"), "no complaint 999 in this institution"),
        (("assign", "1", "chen", "--as", "mia"), "error [permission-denied]: user 'mia' may not"),
        (("resolve", "1", "--text", "x", "--as", "mia"), "permission-denied"),
        (
            ("recategorise", "1", "harassment", "--reason", "x", "--as", "mia"),
            "permission-denied",
        ),
        (
            ("recategorise", "1", "rudeness", "--reason", "misfiled", "--as", "chen"),
            "category must be one of",
        ),
        (("extend", "1", "--reason", "Complex Case!", "--as", "chen"), "cannot extend"),
        (("close", "1", "--as", "ghost"), "no active user 'ghost'"),
    ],
)
def test_a_bad_id_or_wrong_role_is_a_clear_error(
    run: Run, bank: Settings, args: tuple[str, ...], needle: str
) -> None:
    code, out, err = run("complaints", *args, *BANK)
    assert code == 2 and out == ""
    assert needle in err


def test_usage_mistakes_are_click_errors(run: Run, bank: Settings) -> None:
    code, _out, err = run("complaints", "show", "abc", *BANK)
    assert code == 2 and "'abc' is not a valid integer" in err
    code, _out, err = run("complaints", "assign", "1", "chen", *BANK)
    assert code == 2 and "Missing option '--as'" in err
    code, _out, err = run("complaints", "list", "--institution", "nowhere")
    assert code == 2 and "nowhere" in err
