"""Two institutions share fraud indicators through ``smsguard intel export`` and ``import``.

Two SMSGUARD_HOMEs on one machine, each with its own database, driven through the real entry
point (``smsguard.cli.main``) in process. Bank A confirms a fraud URL and a fraudster's
sender number and exports a signed STIX feed; bank B, holding the consortium key and
trusting A's feed key, imports it, and its ``smsguard check`` then blocks a new SMS carrying
that URL and flags an SMS from that number. The feed holds no number in clear, nor any
unkeyed hash of one, and cannot be imported twice.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from cli_runner import Run, in_process, ok

FRAUD_URL = "https://icbc-refund.top/claim?id=7"
FRAUD_SENDER = "17000001234"
E164 = "+86" + FRAUD_SENDER


def _runner(home: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    """``smsguard --home HOME ARGS…`` in process: (exit code, stdout, stderr)."""
    return in_process(home, capsys, "--home", str(home))


def _institution(run: Run, code: str) -> None:
    ok(run, "db", "upgrade")
    ok(run, "institutions", "add", f"Bank {code}", "--code", code)
    for name in ("olga", "omar"):
        ok(run, "users", "add", name, "--institution", code, "--role", "compliance_officer",
           "--certified-until", "2099-12-31")  # fmt: skip


def _confirmed(run: Run, code: str, kind: str, value: str) -> None:
    """An indicator entered by one officer and confirmed by the other (four eyes)."""
    out = ok(run, "intel", "add", "--kind", kind, value, "--institution", code, "--as", "olga")
    ident = out.split()[-1]
    ok(run, "intel", "confirm", ident, "--institution", code, "--as", "omar")


def _rules(run: Run, *args: str) -> tuple[str, set[str]]:
    verdict = json.loads(ok(run, "check", "--json", *args))
    return verdict["verdict"], {finding["rule"] for finding in verdict["findings"]}


def test_indicators_travel_from_one_institution_to_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SMSGUARD_CONFIG", raising=False)
    monkeypatch.setenv("SMSGUARD_RISK_SCORING", "false")  # the rules and intel decide here
    a = _runner(tmp_path / "a", capsys)
    b = _runner(tmp_path / "b", capsys)

    # Bank A: institution, consortium key, feed key, two confirmed indicators, export.
    _institution(a, "bank-a")
    ok(a, "intel", "key", "init")
    vkey = ok(a, "intel", "feed-key", "init", "--institution", "bank-a").rsplit(": ", 1)[1].strip()
    _confirmed(a, "bank-a", "url", FRAUD_URL)
    _confirmed(a, "bank-a", "phone", FRAUD_SENDER)
    feed = tmp_path / "feed.json"
    out = ok(a, "intel", "export", "--format", "stix", str(feed), "--institution", "bank-a")
    assert "2 indicator(s) from bank-a, feed #1" in out

    # No number in clear, and no unkeyed hash of it, anywhere in the file.
    text = feed.read_text(encoding="utf-8")
    for form in (FRAUD_SENDER, E164, E164[1:], "170 0000 1234"):
        assert form not in text
        for digest in (hashlib.sha256, hashlib.sha1, hashlib.md5):
            assert digest(form.encode()).hexdigest() not in text
    assert "x-smsguard-phone-hash" in text and FRAUD_URL in text

    # Bank B: before the import, the URL and the number mean nothing.
    _institution(b, "bank-b")
    sms = f"【工商银行】您有一笔退款待领取，请于今日内登录 {FRAUD_URL} 办理，逾期作废"
    assert "INTEL_URL" not in _rules(b, sms)[1]

    # B takes the consortium key and trusts A's feed key, then imports.
    ok(b, "intel", "key", "import", str(tmp_path / "a" / "keys" / "consortium.keys"))
    ok(b, "intel", "peer", "add", "bank-a", vkey)
    out = ok(b, "intel", "import", str(feed), "--institution", "bank-b")
    assert "2 added" in out and "feed #1 from bank-a: 2 indicator(s) taken, 0 refused" in out
    listed = ok(b, "intel", "list", "--institution", "bank-b", "--json")
    rows = [json.loads(line) for line in listed.splitlines()]
    assert {(r["kind"], r["source"], r["peer"], r["status"]) for r in rows} == {
        ("url", "bank-a", "bank-a", "confirmed"),
        ("phone-hash", "bank-a", "bank-a", "confirmed"),
    }
    assert FRAUD_SENDER not in listed

    # B's screening now blocks the URL and flags the sender number.
    verdict, rules = _rules(b, sms)
    assert verdict == "block" and "INTEL_URL" in rules
    verdict, rules = _rules(
        b, "您好，明天下午三点开会，请准时参加。", "--sender-number", FRAUD_SENDER
    )
    assert "INTEL_SENDER" in rules and verdict in ("review", "block")
    assert (
        "INTEL_SENDER" not in _rules(b, "您好，明天下午开会。", "--sender-number", "17000009999")[1]
    )

    # The same feed again is a replay.
    code, _, err = b("intel", "import", str(feed), "--institution", "bank-b")
    assert code == 2 and "invalid-feed" in err and "replayed" in err


def test_a_revocation_reaches_the_peer_as_a_new_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Revoking moves the indicator's STIX ``modified`` on, and the peer drops it."""
    monkeypatch.delenv("SMSGUARD_CONFIG", raising=False)
    monkeypatch.setenv("SMSGUARD_RISK_SCORING", "false")
    a = _runner(tmp_path / "a", capsys)
    b = _runner(tmp_path / "b", capsys)
    _institution(a, "bank-a")
    vkey = ok(a, "intel", "feed-key", "init", "--institution", "bank-a").rsplit(": ", 1)[1].strip()
    _confirmed(a, "bank-a", "url", FRAUD_URL)
    first, second = tmp_path / "1.json", tmp_path / "2.json"
    ok(a, "intel", "export", str(first), "--institution", "bank-a")
    ok(a, "intel", "revoke", "1", "--reason", "a legitimate site", "--institution", "bank-a",
       "--as", "olga")  # fmt: skip
    ok(a, "intel", "export", str(second), "--institution", "bank-a")

    def indicator(path: Path) -> dict[str, object]:
        objects = json.loads(path.read_text(encoding="utf-8"))["bundle"]["objects"]
        (found,) = [obj for obj in objects if obj["type"] == "indicator"]
        return found

    old, new = indicator(first), indicator(second)
    assert old["id"] == new["id"] and new["revoked"] is True and "revoked" not in old
    assert str(new["modified"]) > str(old["modified"])  # same-format UTC timestamps

    _institution(b, "bank-b")
    ok(b, "intel", "peer", "add", "bank-a", vkey)
    ok(b, "intel", "import", str(first), "--institution", "bank-b")
    sms = f"【工商银行】您有一笔退款待领取，请登录 {FRAUD_URL} 办理"
    assert "INTEL_URL" in _rules(b, sms)[1]
    assert "1 revoked" in ok(b, "intel", "import", str(second), "--institution", "bank-b")
    assert "INTEL_URL" not in _rules(b, sms)[1]
