"""The command line, run as users run it: a real process, real files, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SENDERS = Path(__file__).parents[2] / "smsguard" / "demo" / "senders"


@pytest.fixture(autouse=True)
def _shared_home(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every CLI process of the session uses one home, so the matcher compiles once."""
    monkeypatch.setenv("SMSGUARD_HOME", str(home))


def env(**extra: str) -> dict[str, str]:
    return {**os.environ, **extra}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "smsguard", *args],
        capture_output=True,
        text=True,
        env=env(),
        check=False,
    )


def test_check_json_is_stable() -> None:
    result = run("check", "--json", "【好借银行】贷款秒批，点击 t.cn/abc 申请")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["verdict"] == "block"
    rules = {f["rule"] for f in data["findings"]}
    assert {"GUARANTEED_APPROVAL", "URL_SHORTENER"} <= rules
    assert data["rulebook"].count("+") == 1


def test_check_report_marks_spans_and_basis() -> None:
    result = run("check", "不看征信，当天放款")
    assert result.returncode == 0
    assert "⟦不看征信⟧" in result.stdout and "basis:" in result.stdout


def test_check_with_sender_profile() -> None:
    text = "【好借银行】贷款年化利率7.2%-18%，详见 haojie-loans.top，客服95500，拒收请回复R"
    result = run("check", "--json", "--sender", str(SENDERS / "good-bank.yaml"), text)
    rules = {f["rule"] for f in json.loads(result.stdout)["findings"]}
    assert "URL_NOT_OFFICIAL" in rules


def test_fail_on_sets_exit_code() -> None:
    assert run("check", "--fail-on", "block", "贷款秒批").returncode == 1
    assert run("check", "--fail-on", "block", "晚上见").returncode == 0


def test_empty_text_is_a_clear_error_without_traceback() -> None:
    result = run("check", "")
    assert result.returncode == 2
    assert "error [invalid-input]: text is empty" in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_utf8_on_stdin() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "smsguard", "check", "-"],
        input=b"\xff\xfe bad",
        capture_output=True,
        env=env(),
        check=False,
    )
    assert result.returncode == 2
    assert b"not valid UTF-8" in result.stderr and b"Traceback" not in result.stderr


def test_bad_rule_file_names_file_rule_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "rules:\n  - id: MY_RULE\n    title: x y z\n    category: fraud\n    severity: block\n"
        "    message: m m m\n    basis: [{source: me}]\n    match: {patterns: ['(']}\n"
        "    examples: {positive: [a], negative: [b]}\n",
        encoding="utf-8",
    )
    result = run("rules", "check", str(bad))
    assert result.returncode == 2
    assert str(bad) in result.stderr and "MY_RULE" in result.stderr and "patterns" in result.stderr


def test_missing_sender_profile() -> None:
    result = run("check", "--sender", "/no/such.yaml", "hello")
    assert result.returncode == 2 and "cannot read sender profile" in result.stderr


def test_bad_environment_is_named() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "smsguard", "check", "hi"],
        capture_output=True,
        text=True,
        env=env(SMSGUARD_WORKERS="lots"),
        check=False,
    )
    assert result.returncode == 2 and "workers" in result.stderr


@pytest.mark.parametrize("workers", ["1", "2"])
def test_scan_keeps_fields_skips_bad_rows_and_summarises(tmp_path: Path, workers: str) -> None:
    source = tmp_path / "in.tsv"
    source.write_bytes(
        "id\ttext\na1\t【好借银行】贷款秒批，点击申请\n".encode()
        + b"a2\t\xff\xfe broken\n"
        + "a3\t晚上一起吃饭\n".encode()
        + b"a4\t\n"
        + "a5\t不看征信，黑户可贷\n".encode()
    )
    out = tmp_path / "out.jsonl"
    result = run("scan", str(source), "--out", str(out), "--workers", workers)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a1", "a3", "a5"]
    assert [r["verdict"] for r in rows] == ["block", "pass", "block"]
    assert [r["risk"] for r in rows][1] == "ham"
    assert all(0.0 <= r["p_fraud"] <= 1.0 for r in rows)
    assert "line 3: skipped" in result.stderr and "line 5: skipped" in result.stderr
    assert "screened" in result.stderr and "block" in result.stderr


def test_scan_csv_to_tsv(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text('id,sms\n1,"贷款秒批, 当天放款"\n2,你好\n', encoding="utf-8")
    out = tmp_path / "out.tsv"
    result = run("scan", str(source), "--out", str(out), "--workers", "1")
    assert result.returncode == 0, result.stderr
    header, *lines = out.read_text(encoding="utf-8").splitlines()
    assert header.split("\t")[:3] == ["id", "sms", "verdict"]
    assert len(lines) == 2 and lines[0].split("\t")[2] == "block"


def test_check_json_carries_the_risk_assessment() -> None:
    result = run("check", "--json", "钱直接打到这个卡上 6222 0212 3456 7890 123 张伟 工商银行")
    assert result.returncode == 0, result.stderr
    risk = json.loads(result.stdout)["risk"]
    assert set(risk) == {"label", "probabilities", "explanation", "templates", "model"}
    assert risk["label"] == "fraud"
    assert set(risk["probabilities"]) == {"ham", "spam", "fraud"}
    assert risk["explanation"] and risk["templates"]


def test_a_template_the_operator_adds_blocks_its_variants() -> None:
    reported = "【安心借】您的贷款已审批通过，需先缴纳解冻保证金500元至指定账户，联系王经理办理放款"
    added = run("fingerprints", "add", "case-17", reported, "--category", "user")
    assert added.returncode == 0, added.stderr
    variant = "【安心借】您的贷款已审批通过，需先缴纳解冻保证金800元至指定帐户，联系李经理办理放款!"
    result = run("check", "--json", variant)
    risk = json.loads(result.stdout)["risk"]
    assert [hit["template_id"] for hit in risk["templates"]][:1] == ["case-17"]
    assert "FRAUD_TEMPLATE" in {f["rule"] for f in json.loads(result.stdout)["findings"]}
    assert run("fingerprints", "remove", "case-17").returncode == 0
    again = json.loads(run("check", "--json", variant).stdout)["risk"]
    assert "case-17" not in [hit["template_id"] for hit in again["templates"]]


def test_demo_runs() -> None:
    result = run("demo", "--screen-examples")
    assert result.returncode == 0, result.stderr
    assert "BLOCK" in result.stdout and "PASS" in result.stdout
