"""``smsguard report`` end to end: write each format, verify the signed JSON, refuse a change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from report_helpers import Scenario
from tools import require

from smsguard.cli import main
from smsguard.reports.pdf import FONT_CANDIDATES


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``smsguard`` in-process; return exit code, stdout, stderr."""
    code = 0
    try:
        main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def cli_env(scenario: Scenario, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The scenario's database and time zone as the CLI sees them; its home."""
    settings = scenario.bank.settings
    monkeypatch.setenv("SMSGUARD_HOME", str(settings.home))
    monkeypatch.setenv("SMSGUARD_DATABASE_URL", str(settings.database_url))
    monkeypatch.setenv("SMSGUARD_TIMEZONE", settings.timezone)
    return settings.home


def _vkey(capsys: pytest.CaptureFixture[str]) -> str:
    code, out, err = run(capsys, "log", "pubkey", "--institution", "bank-a")
    assert code == 0, err
    return out.strip()


def test_a_signed_report_is_written_and_verifies(
    scenario: Scenario, cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.json"
    code, said, err = run(capsys, "report", "--institution", "bank-a", "--period",
                          scenario.period, "--format", "json", "--out", str(out))  # fmt: skip
    assert code == 0, err
    vkey = _vkey(capsys)
    assert vkey in said
    body = json.loads(out.read_text(encoding="utf-8"))["report"]
    assert body["volumes"]["delivered"] == 3 and body["checkpoint"]["size"] == 3
    (tmp_path / "bank-a.vkey").write_text(vkey + "\n")
    code, said, err = run(capsys, "report", "verify", str(out), "--vkey",
                          str(tmp_path / "bank-a.vkey"))  # fmt: skip
    assert code == 0, err
    assert said.startswith(f"OK: report of bank-a for {scenario.period}")
    assert "log checkpoint of size 3 verified" in said

    out.write_text(out.read_text(encoding="utf-8").replace('"delivered": 3', '"delivered": 4'))
    code, said, err = run(capsys, "report", "verify", str(out), "--vkey", vkey)
    assert code == 2 and said == ""
    assert "error [report-error]" in err and "does not match the signed digest" in err


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_the_readable_formats_are_written(
    fmt: str, scenario: Scenario, cli_env: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    if fmt == "pdf":
        require("a CJK font", any(path.is_file() for path in FONT_CANDIDATES))
    out = tmp_path / f"report.{fmt}"
    code, _, err = run(capsys, "report", "--institution", "bank-a", "--period",
                       scenario.period, "--format", fmt, "--out", str(out))  # fmt: skip
    assert code == 0, err
    assert out.read_bytes()[:4] == (b"PK\x03\x04" if fmt == "xlsx" else b"%PDF")


def test_usage_errors_name_the_problem(
    cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "report", "--institution", "bank-a", "--period", "2026-13",
                       "--out", str(tmp_path / "r.json"))  # fmt: skip
    assert code == 2 and "months run 01 to 12" in err
    code, _, err = run(capsys, "report", "--institution", "bank-a")
    assert code == 2 and "missing --period, --out" in err
    code, _, err = run(capsys, "report", "--institution", "nobody", "--period", "2026-01",
                       "--out", str(tmp_path / "r.json"))  # fmt: skip
    assert code == 2 and "institution 'nobody' has no transparency-log key" in err
    code, _, err = run(capsys, "report", "--institution", "nobody", "--period", "2026-01",
                       "--format", "xlsx", "--out", str(tmp_path / "r.xlsx"))  # fmt: skip
    assert code == 2 and "no institution with code 'nobody'" in err
