"""Two smsguard services share a fraud warning over HTTP, and nothing about anyone else.

Two SMSGUARD_HOMEs, two ``smsguard serve`` processes on free ports, each with its own
institution, users and keys, one consortium key (A creates it, B imports it). A consumer
reports a fraud SMS to A; an analyst of A confirms the report and the indicators derived
from it. B subscribes to A (B trusts A's feed key; A issued B an API key scoped to
``intel.read``); B's poller takes the signed feed within seconds, and B's screening then
blocks a new SMS with the fraud URL (INTEL_URL) and flags its sender (INTEL_SENDER). B's
files (database included) and logs hold neither the reporter's number nor A's customers'
numbers, in clear or as an unkeyed hash.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

import pytest
from demo_service import Service, ok, request, running

from smsguard.intel.subscribe import Subscription, add_subscription

FRAUD_URL = "https://icbc-refund.top/claim?id=7"
FRAUD_SENDER = "17000001234"
REPORTER = "13900000077"
CUSTOMERS = ("13800000001", "13800000002")
SMS = f"【工商银行】您有一笔退款待领取，请于今日内登录 {FRAUD_URL} 办理，逾期作废"
CUSTOMER_TABLE = (
    "phone\tname\tbirth_year\tis_student\tconsent_purpose\tconsent_source\t"
    "consent_evidence\tconsent_at\n"
    + "".join(
        f"{phone}\t王芳\t1985\tno\tloan_marketing\tapp\tform\t2025-01-01T00:00:00+08:00\n"
        for phone in CUSTOMERS
    )
)


def _call(
    service: Service, method: str, path: str, token: str, body: dict[str, Any] | None = None
) -> tuple[int, Any]:
    """A JSON request (POST when ``method`` says so and there is a body); (status, JSON)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if method == "POST" else None
    status, raw = request(service.url + path.lstrip("/"), data, headers)
    return status, json.loads(raw) if raw else None


def _home(home: Path, code: str) -> None:
    home.mkdir(parents=True)
    (home / "settings.yaml").write_text(
        "risk_scoring: false\nintel_poll_seconds: 1\nintel_refresh_seconds: 1\n"
    )
    ok(home, "keys", "init")
    ok(home, "db", "upgrade")
    ok(home, "institutions", "add", f"Bank {code}", "--code", code)
    for name in ("olga", "omar"):
        ok(home, "users", "add", name, "--institution", code, "--role", "compliance_officer",
           "--certified-until", "2099-12-31")  # fmt: skip
    ok(home, "users", "add", "root", "--institution", code, "--role", "admin")


def _key(home: Path, code: str, user: str, *scopes: str) -> str:
    args = [f"--scope={scope}" for scope in scopes]
    out = ok(home, "api-keys", "create", "--institution", code, "--as", "root", "--user", user,
             "--name", f"{user}-{len(scopes)}", *args)  # fmt: skip
    return out.strip().splitlines()[-1].strip()


def _forms(number: str) -> list[str]:
    return [number, "+86" + number, "86" + number]


def _secrets(numbers: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    for number in numbers:
        for form in _forms(number):
            found.append(form)
            for digest in (hashlib.sha256, hashlib.md5, hashlib.sha1):
                found.append(digest(form.encode()).hexdigest())
    return found


@pytest.mark.slow
def test_a_fraud_report_at_a_is_blocked_at_b_without_leaking_numbers(tmp_path: Path) -> None:
    a_home, b_home = tmp_path / "a", tmp_path / "b"
    _home(a_home, "bank-a")
    _home(b_home, "bank-b")

    # A: the consortium key, the feed key, its customers, a key for B and one for its analyst.
    ok(a_home, "intel", "key", "init")
    out = ok(a_home, "intel", "feed-key", "init", "--institution", "bank-a")
    vkey = out.rsplit(": ", 1)[1].strip()
    (a_home / "customers.tsv").write_text(CUSTOMER_TABLE)
    ok(a_home, "customers", "import", str(a_home / "customers.tsv"), "--institution", "bank-a")
    ok(a_home, "users", "add", "peer-bank-b", "--institution", "bank-a", "--role",
       "compliance_officer")  # fmt: skip
    for_b = _key(a_home, "bank-a", "peer-bank-b", "intel.read")
    analyst = _key(a_home, "bank-a", "olga", "complaint.handle")

    # B: the consortium key from A, trust in A's feed key, a subscription with A's key.
    ok(b_home, "intel", "key", "import", str(a_home / "keys" / "consortium.keys"))
    ok(b_home, "intel", "peer", "add", "bank-a", vkey)
    token_file = b_home / "keys" / "peer-bank-a.token"
    token_file.write_text(for_b + "\n")
    token_file.chmod(0o600)
    screen_key = _key(b_home, "bank-b", "olga", "screen.use")

    with running(a_home, "--no-worker") as a:
        add_subscription(b_home, Subscription("bank-a", a.url, token_file, "bank-b"))
        with running(b_home) as b:
            sms_b = {"text": SMS, "context": {"sender_number": FRAUD_SENDER}}
            status, before = _call(b, "POST", "api/v1/screen", screen_key, sms_b)
            assert status == 200, before
            assert not {f["rule"] for f in before["findings"]} & {"INTEL_URL", "INTEL_SENDER"}

            # A consumer reports the SMS to A; A's analyst confirms it and its indicators.
            status, receipt = _call(a, "POST", "api/v1/fraud-reports", "", {
                "text": SMS, "sender_number": FRAUD_SENDER, "institution": "bank-a",
                "reporter_phone": REPORTER,
            })  # fmt: skip
            assert status == 201, receipt
            status, reports = _call(a, "GET", "api/v1/fraud-reports", analyst)
            assert status == 200 and len(reports) == 1, reports
            report_id = reports[0]["id"]
            status, reviewed = _call(a, "POST", f"api/v1/fraud-reports/{report_id}/review",
                                     analyst, {"decision": "confirmed"})  # fmt: skip
            assert status == 200, reviewed
            ok(a_home, "intel", "from-report", str(report_id), "--institution", "bank-a",
               "--as", "olga")  # fmt: skip
            listed = ok(a_home, "intel", "list", "--institution", "bank-a", "--status",
                        "candidate", "--json")  # fmt: skip
            candidates = [json.loads(line) for line in listed.splitlines()]
            assert {"url", "phone-hash"} <= {c["kind"] for c in candidates}
            for candidate in candidates:
                ok(a_home, "intel", "confirm", str(candidate["id"]), "--institution", "bank-a",
                   "--as", "omar")  # fmt: skip

            # B's poller imports the feed and B's screening uses it within a minute.
            deadline, rules = time.monotonic() + 60, set()
            while time.monotonic() < deadline:
                status, verdict = _call(b, "POST", "api/v1/screen", screen_key, sms_b)
                rules = {f["rule"] for f in verdict["findings"]}
                if {"INTEL_URL", "INTEL_SENDER"} <= rules:
                    break
                time.sleep(1)
            assert {"INTEL_URL", "INTEL_SENDER"} <= rules, verdict
            assert verdict["verdict"] == "block"
            other = {"text": "您好，明天下午三点开会，请准时参加。",
                     "context": {"sender_number": FRAUD_SENDER}}  # fmt: skip
            _, flagged = _call(b, "POST", "api/v1/screen", screen_key, other)
            assert "INTEL_SENDER" in {f["rule"] for f in flagged["findings"]}
            # Every indicator A confirmed arrives (the domain alone already blocks the URL).
            wanted = {(c["kind"], "bank-a", "bank-a") for c in candidates}
            while time.monotonic() < deadline + 30:
                listed_b = ok(b_home, "intel", "list", "--institution", "bank-b", "--json")
                rows = [json.loads(line) for line in listed_b.splitlines()]
                if {(r["kind"], r["source"], r["peer"]) for r in rows} >= wanted:
                    break
                time.sleep(1)
            assert {(r["kind"], r["source"], r["peer"]) for r in rows} >= wanted, listed_b
        _code, b_out, b_err = b.stop()

    # Nothing of A's customers or of the reporter at B: not in any file, not in the logs.
    secrets = _secrets((REPORTER, *CUSTOMERS))
    blobs = [b_out.encode(), b_err.encode(), listed_b.encode()]
    blobs += [path.read_bytes() for path in b_home.rglob("*") if path.is_file()]
    for blob in blobs:
        for secret in secrets:
            assert secret.encode() not in blob, secret
    # The fraudster's number itself is only ever a keyed hash at B.
    database = (b_home / "smsguard.db").read_bytes()
    for secret in _secrets((FRAUD_SENDER,)):
        assert secret.encode() not in database, secret
