"""Analysts' intel routes: propose, confirm by another officer, list, revoke."""

from __future__ import annotations

from datetime import UTC, datetime

from api_harness import Api

from smsguard.intel.phones import epoch_of, init_key_file

URL = "http://icbc-jiedong.cn/pay"
NUMBER = "17000001234"


def _propose(api: Api, kind: str, value: str, who: str = "olga") -> int:
    answer = api.client(who).post("/api/v1/indicators", json={"kind": kind, "value": value})
    assert answer.status_code == 201, answer.text
    return int(answer.json()["created"][0])


def test_a_proposal_is_confirmed_by_another_officer_and_can_be_revoked(api: Api) -> None:
    made = _propose(api, "url", URL)
    own = api.client("olga").post(f"/api/v1/indicators/{made}/confirm")
    assert own.status_code == 403
    confirmed = api.client("otto").post(f"/api/v1/indicators/{made}/confirm")
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["value"] == URL and confirmed.json()["stix_id"].startswith(
        "indicator--"
    )
    listed = api.client("olga").get("/api/v1/indicators", params={"status": "confirmed"}).json()
    assert [row["id"] for row in listed] == [made]
    revoked = api.client("otto").post(f"/api/v1/indicators/{made}/revoke", json={"reason": "typo"})
    assert revoked.status_code == 200 and revoked.json()["revoked"] is True


def test_a_sender_number_is_stored_only_as_its_keyed_hash(api: Api) -> None:
    init_key_file(api.settings.effective_consortium_key_file, epoch_of(datetime.now(UTC)))
    made = _propose(api, "phone", NUMBER)
    row = next(r for r in api.client("olga").get("/api/v1/indicators").json() if r["id"] == made)
    assert row["kind"] == "phone-hash" and len(row["value"]) == 64
    assert NUMBER not in api.client("olga").get("/api/v1/indicators").text


def test_official_domains_and_bad_values_are_refused(api: Api) -> None:
    olga = api.client("olga")
    official = olga.post("/api/v1/indicators", json={"kind": "domain", "value": "icbc.com.cn"})
    assert official.status_code == 400
    assert (
        olga.post("/api/v1/indicators", json={"kind": "url", "value": "ftp://x"}).status_code == 400
    )
    assert (
        olga.post("/api/v1/indicators", json={"kind": "ip", "value": "1.2.3.4"}).status_code == 422
    )


def test_roles_and_institutions_are_kept_apart(api: Api) -> None:
    made = _propose(api, "domain", "dai-kuan.example.cn")
    assert api.client("mia").get("/api/v1/indicators").status_code == 403
    assert (
        api.client("otto", "bank-b").post(f"/api/v1/indicators/{made}/confirm").status_code == 404
    )
