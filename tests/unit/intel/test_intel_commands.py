"""``smsguard intel`` end to end on a SQLite home: keys, add, confirm, list, revoke."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from smsguard.bootstrap import build_database, build_screener
from smsguard.cli import cli
from smsguard.errors import InputError
from smsguard.governance.users import add_user
from smsguard.settings import Settings
from smsguard.store import upgrade
from smsguard.store.institutions import add_institution


def _run(home: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--home", str(home), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_cli_flow(tmp_path: Path) -> None:
    database = build_database(Settings(home=tmp_path))
    try:
        upgrade(database)
        add_institution(database, code="bank-a", name="Bank A")
        for name in ("olga", "omar"):
            add_user(
                database,
                institution="bank-a",
                username=name,
                roles=["compliance_officer"],
                certified_until=date(2099, 1, 1),
            )
    finally:
        database.dispose()
    assert "created" in _run(tmp_path, "intel", "key", "init")
    key_file = tmp_path / "keys" / "consortium.keys"
    assert key_file.stat().st_mode & 0o077 == 0
    assert "added" in _run(tmp_path, "intel", "key", "add-epoch", "2031-01")
    out = _run(
        tmp_path,
        "intel",
        "add",
        "--kind",
        "url",
        "https://Fake-Bank.cn/login",
        "--institution",
        "bank-a",
        "--as",
        "olga",
    )
    ident = out.split()[-1]
    phone = _run(
        tmp_path,
        "intel",
        "add",
        "--kind",
        "phone",
        "17000001234",
        "--institution",
        "bank-a",
        "--as",
        "olga",
    )
    assert "17000001234" not in _run(tmp_path, "intel", "list", "--institution", "bank-a")
    assert "confirmed" in _run(
        tmp_path, "intel", "confirm", ident, "--institution", "bank-a", "--as", "omar"
    )
    listed = _run(tmp_path, "intel", "list", "--institution", "bank-a", "--status", "confirmed")
    assert "https://fake-bank.cn/login" in listed and "phone-hash" not in listed
    verdict = build_screener(Settings(home=tmp_path, risk_scoring=False)).screen(
        "您的账户已冻结，请登录 https://fake-bank.cn/login 解冻"
    )
    assert "INTEL_URL" in {f.rule for f in verdict.findings}
    _run(
        tmp_path,
        "intel",
        "revoke",
        ident,
        "--reason",
        "test",
        "--institution",
        "bank-a",
        "--as",
        "omar",
    )
    with pytest.raises(InputError, match="allow-list"):
        _run(
            tmp_path,
            "intel",
            "add",
            "--kind",
            "phone",
            "95588",
            "--institution",
            "bank-a",
            "--as",
            "olga",
        )
    assert phone.startswith("candidate indicator")
