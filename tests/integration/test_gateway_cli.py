"""The sending path as an operator drives it: real processes, one SQLite file, exit codes.

Setting up (institution, users, keys, customers) and every sending step goes through
``smsguard`` commands; only the template and campaign approvals, which have no command yet
(the dashboard issue adds them), are made through the library.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "unit" / "gateway"))
from gateway_helpers import approved_campaign, midday_zone

from smsguard.screening.engine import Screener
from smsguard.store import Database

CUSTOMERS = (
    "phone\tname\tbirth_year\tis_student\tconsent_purpose\tconsent_source\t"
    "consent_evidence\tconsent_at\n"
    "13800000001\t王芳\t1985\tno\tloan_marketing\tapp\tform 1\t2025-01-01T00:00:00+08:00\n"
    "13800000002\t李雷\t2010\tno\tloan_marketing\tapp\tform 2\t2025-01-01T00:00:00+08:00\n"
)
TEXT = "【某银行】王芳您好，您的账单1000元已出，请于2026-12-15前还款。回复TD退订"


@pytest.fixture
def bank_home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    (folder / "settings.yaml").write_text(f"timezone: '{midday_zone()}'\n")
    return folder


def smsguard(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SMSGUARD_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "smsguard", *args], capture_output=True,
                          text=True, env=env, check=False)  # fmt: skip


def ok(home: Path, *args: str) -> str:
    result = smsguard(home, *args)
    assert result.returncode == 0, f"{args}: {result.stderr}"
    assert "Traceback" not in result.stderr
    return result.stdout


def test_start_send_verify_from_the_command_line(bank_home: Path, screener: Screener) -> None:
    home = bank_home
    ok(home, "db", "upgrade")
    ok(home, "institutions", "add", "Bank A", "--code", "bank-a")
    ok(home, "users", "add", "mia", "--institution", "bank-a", "--role", "marketer")
    ok(home, "users", "add", "olga", "--institution", "bank-a", "--role",
       "compliance_officer", "--certified-until", "2099-12-31")  # fmt: skip
    ok(home, "keys", "init")
    (home / "customers.tsv").write_text(CUSTOMERS)
    ok(home, "customers", "import", str(home / "customers.tsv"), "--institution", "bank-a")
    database = Database.from_url(f"sqlite:///{(home / 'smsguard.db').resolve()}")
    campaign, _ = approved_campaign(database, 1, screener, starts_at=datetime.now(UTC))
    database.dispose()

    denied = smsguard(home, "campaigns", "start", str(campaign), "--institution", "bank-a",
                      "--as", "olga")  # fmt: skip
    assert denied.returncode == 2 and "permission-denied" in denied.stderr
    started = ok(home, "campaigns", "start", str(campaign), "--institution", "bank-a",
                 "--as", "mia")  # fmt: skip
    assert "1 queued, 0 refused" in started  # the minor was excluded when it was approved
    shown = ok(home, "audience", "show", str(campaign), "--institution", "bank-a", "--as", "olga",
               "--json")  # fmt: skip
    assert '"minor": 1' in shown and '"selected": 1' in shown
    assert "handing over 1 message" in ok(home, "worker", "--institution", "bank-a",
                                          "--until-idle")  # fmt: skip
    status = ok(home, "campaigns", "status", str(campaign), "--institution", "bank-a")
    assert "delivered: 1" in status and "refused" not in status

    genuine = ok(home, "verify", TEXT, "--phone", "13800000001", "--institution", "bank-a")
    assert genuine.startswith("sent by Bank A at ")
    forged = smsguard(home, "verify", TEXT.replace("1000元", "9000元"), "--phone", "13800000001",
                      "--institution", "bank-a")  # fmt: skip
    assert forged.returncode == 1 and "not in Bank A's log" in forged.stdout
    assert ok(home, "log", "checkpoint", "--institution", "bank-a").count("\n") >= 4
    for output in (started, status, genuine):
        assert "13800000001" not in output
