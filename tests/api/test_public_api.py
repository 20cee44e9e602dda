"""Consumers without an account: "is this SMS real?" and fraud reports, rate-limited."""

from __future__ import annotations

from api_harness import Api
from sqlalchemy import select
from traffic import PHONE, TEXT, send_campaign

from smsguard.store.signal_models import FraudReport

FRAUD = "【某银行】您的额度已提升至20万，点击 http://x.cn 解冻，需先缴解冻费，联系13912345678"
REPORTER = "13700001111"


def _report(api: Api, **changes: object) -> dict[str, object]:
    body = {"text": FRAUD, "sender_number": "10690000", "institution": "bank-a",
            "reporter_phone": REPORTER, **changes}  # fmt: skip
    answer = api.anonymous().post("/api/v1/fraud-reports", json=body)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def test_a_genuine_sms_comes_back_with_its_proof(api: Api) -> None:
    send_campaign(api)
    body = {"institution": "bank-a", "text": TEXT, "phone": PHONE}
    answer = api.anonymous().post("/api/v1/verify", json=body)
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["genuine"] and found["proof"] is not None and found["verdict"] == "pass"
    forged = api.anonymous().post("/api/v1/verify", json={**body, "text": TEXT + "!"}).json()
    assert not forged["genuine"] and forged["proof"] is None


def test_verify_refuses_bad_input(api: Api) -> None:
    client = api.anonymous()
    body = {"institution": "bank-z", "text": "x", "phone": PHONE}
    assert client.post("/api/v1/verify", json=body).status_code == 404
    body = {"institution": "bank-a", "text": "x", "phone": "12345"}
    assert client.post("/api/v1/verify", json=body).status_code == 400
    assert client.post("/api/v1/verify", json={"institution": "bank-a"}).status_code == 422


def test_a_fraud_report_is_screened_and_the_reporter_kept_only_encrypted(api: Api) -> None:
    receipt = _report(api)
    assert str(receipt["receipt"]).startswith("FR-") and receipt["verdict"] == "block"
    assert receipt["fraud"] is True and receipt["reporter_kept"] is True
    with api.database.transaction() as session:
        row = session.scalars(select(FraudReport)).one()
        assert row.reporter_ciphertext and REPORTER.encode() not in row.reporter_ciphertext
        assert row.institution_id == api.institution_ids["bank-a"]
    unclaimed = _report(api, institution=None)
    assert unclaimed["reporter_kept"] is False


def test_analysts_list_and_confirm_their_reports(api: Api) -> None:
    _report(api)
    _report(api, institution=None)
    olga = api.client("olga")
    listed = olga.get("/api/v1/fraud-reports").json()
    assert len(listed) == 1 and "13912345678" not in listed[0]["text"]
    assert REPORTER not in str(listed)
    assert len(olga.get("/api/v1/fraud-reports", params={"unclaimed": True}).json()) == 1
    url = f"/api/v1/fraud-reports/{listed[0]['id']}/review"
    done = olga.post(url, json={"decision": "confirmed", "note": "known scam"})
    assert done.status_code == 200 and done.json()["status"] == "confirmed"
    assert olga.post(url, json={"decision": "dismissed"}).status_code == 400
    assert olga.get("/api/v1/fraud-reports", params={"status": "new"}).json() == []


def test_fraud_report_roles_inputs_and_tenancy(api: Api) -> None:
    report_id = _report(api) and api.client("olga").get("/api/v1/fraud-reports").json()[0]["id"]
    url = f"/api/v1/fraud-reports/{report_id}/review"
    assert api.client("mia").get("/api/v1/fraud-reports").status_code == 403
    assert api.client("ada").post(url, json={"decision": "confirmed"}).status_code == 403
    assert api.anonymous().get("/api/v1/fraud-reports").status_code == 401
    other = api.client("olga", "bank-b")
    assert other.get("/api/v1/fraud-reports").json() == []
    assert other.post(url, json={"decision": "confirmed"}).status_code == 404
    client = api.anonymous()
    assert client.post("/api/v1/fraud-reports", json={"text": ""}).status_code == 422
    unknown = client.post("/api/v1/fraud-reports", json={"text": FRAUD, "institution": "zz"})
    assert unknown.status_code == 404
    bad = client.post("/api/v1/fraud-reports", json={"text": FRAUD, "reporter_phone": "1"})
    assert bad.status_code == 400


def test_public_endpoints_are_rate_limited(api: Api) -> None:
    client = api.anonymous()
    body = {"institution": "bank-a", "text": "你好", "phone": PHONE}
    codes = [client.post("/api/v1/verify", json=body).status_code for _ in range(40)]
    assert codes[0] == 200 and codes[-1] == 429
    limited = client.post("/api/v1/fraud-reports", json={"text": FRAUD})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
