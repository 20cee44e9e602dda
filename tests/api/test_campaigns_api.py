"""Campaigns and service messages over HTTP, from a blocked draft to queued messages."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from api_harness import Api
from fastapi.testclient import TestClient
from test_customers_api import PHONES, customer

sys.path.insert(0, str(Path(__file__).parents[1] / "unit" / "targeting"))
from targeting_world import give_profiles

START = "2026-12-01T09:00:00+08:00"
BLOCKED = "【某银行】秒批 不看征信，马上到账。回复TD退订"
COMPLIANT = "【某银行】{name}您好，您的账单{amount}已出，请于{due:date}前还款。回复TD退订"
VALUES = {"amount": "1000元", "due": "2026-12-15"}


def ok(answer: Any, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


def campaign_form(version_id: int, **changes: object) -> dict[str, object]:
    form: dict[str, object] = {
        "name": "december", "template_version_id": version_id, "audience": {"all": True},
        "starts_at": START, "rate_limit_per_minute": 600, "variables": VALUES,
    }  # fmt: skip
    form.update(changes)
    return form


def approved_version(api: Api, name: str = "bill") -> int:
    mia, olga = api.client("mia"), api.client("olga")
    version_id = int(
        ok(mia.post("/api/v1/templates", json={"name": name, "body": COMPLIANT}), 201)["id"]
    )
    ok(mia.post(f"/api/v1/template-versions/{version_id}/screen"))
    ok(mia.post(f"/api/v1/template-versions/{version_id}/submit"))
    ok(olga.post(f"/api/v1/template-versions/{version_id}/approve"))
    return version_id


def approved_campaign(api: Api) -> int:
    created = ok(
        api.client("mia").post("/api/v1/campaigns", json=campaign_form(approved_version(api))), 201
    )
    ok(api.client("olga").post(f"/api/v1/campaigns/{created['id']}/approve"))
    return int(created["id"])


def import_customers(client: TestClient) -> None:
    rows = [customer(phone) for phone in PHONES]
    assert ok(client.post("/api/v1/customers/import", json={"customers": rows}))["inserted"] == 3


def test_the_whole_maker_checker_flow_ends_with_queued_messages(api: Api) -> None:
    mia, olga = api.client("mia"), api.client("olga")
    import_customers(mia)
    give_profiles(api.database, api.institution_ids["bank-a"])  # targeting needs a profile
    version = ok(mia.post("/api/v1/templates", json={"name": "bill", "body": BLOCKED}), 201)
    assert ok(mia.post(f"/api/v1/template-versions/{version['id']}/screen"))["verdict"] == "block"
    revised = ok(
        mia.post(f"/api/v1/templates/{version['template_id']}/versions", json={"body": COMPLIANT}),
        201,
    )
    url = f"/api/v1/template-versions/{revised['id']}"
    assert ok(mia.post(f"{url}/screen"))["verdict"] == "pass"
    assert ok(mia.post(f"{url}/submit"))["state"] == "submitted"
    assert ok(olga.post(f"{url}/approve"))["state"] == "approved"
    campaign = ok(mia.post("/api/v1/campaigns", json=campaign_form(revised["id"])), 201)
    assert (campaign["state"], campaign["created_by"]) == ("draft", "mia")
    approved = ok(olga.post(f"/api/v1/campaigns/{campaign['id']}/approve"))
    assert (approved["state"], approved["approved_by"]) == ("approved", "olga")
    started = ok(mia.post(f"/api/v1/campaigns/{campaign['id']}/start"))
    assert (started["queued"], started["refused"]) == (3, 0)
    status = ok(mia.get(f"/api/v1/campaigns/{campaign['id']}"))
    assert status["state"] == "running" and status["messages"] == {"queued": 3}
    assert not any(phone in str(started) + str(status) for phone in PHONES)
    trail = ok(
        api.client("ada").get(
            "/api/v1/audit", params={"target_type": "campaign", "target_id": campaign["id"]}
        )
    )
    assert [e["action"] for e in trail] == [
        "campaign.created",
        "campaign.approved",
        "campaign.start",
        "customer.names_revealed",  # rendering {name} decrypts names, audited per batch
    ]


def test_pause_resume_and_complete_follow_the_state_machine(api: Api) -> None:
    campaign_id = approved_campaign(api)
    mia, root = api.client("mia"), api.client("root")
    early = mia.post(f"/api/v1/campaigns/{campaign_id}/pause")
    assert early.status_code == 400 and "'approved'" in early.json()["error"]["message"]
    ok(mia.post(f"/api/v1/campaigns/{campaign_id}/start"))
    assert (
        ok(api.client("olga").post(f"/api/v1/campaigns/{campaign_id}/pause"))["state"] == "paused"
    )
    assert ok(mia.post(f"/api/v1/campaigns/{campaign_id}/resume"))["state"] == "running"
    assert ok(root.post(f"/api/v1/campaigns/{campaign_id}/complete"))["state"] == "completed"
    assert mia.post(f"/api/v1/campaigns/{campaign_id}/resume").status_code == 400


def test_the_list_and_the_series(api: Api) -> None:
    campaign_id = approved_campaign(api)
    listed = ok(api.client("ada").get("/api/v1/campaigns"))
    assert [(c["id"], c["state"]) for c in listed] == [(campaign_id, "approved")]
    series = ok(
        api.client("mia").get(f"/api/v1/campaigns/{campaign_id}/series", params={"minutes": 5})
    )
    assert len(series["minutes"]) == 5
    assert set(series["minutes"][0]) == {
        "minute",
        "sent",
        "delivered",
        "failed",
        "opt_outs",
        "complaints",
    }
    assert (
        api.client("mia").get(f"/api/v1/campaigns/{campaign_id}/series?minutes=0").status_code
        == 422
    )
    assert (
        len(ok(api.client("mia").get(f"/api/v1/campaigns/{campaign_id}/series"))["minutes"]) == 60
    )


def test_bad_campaigns_are_refused_with_400_or_422(api: Api) -> None:
    mia = api.client("mia")
    version_id = approved_version(api)
    naive = mia.post(
        "/api/v1/campaigns", json=campaign_form(version_id, starts_at="2026-12-01T09:00:00")
    )
    assert naive.status_code == 400 and "time zone" in naive.json()["error"]["message"]
    audience = mia.post(
        "/api/v1/campaigns", json=campaign_form(version_id, audience={"everyone": 1})
    )
    assert audience.status_code == 400
    missing = mia.post("/api/v1/campaigns", json=campaign_form(version_id, variables={}))
    assert missing.status_code == 400 and "missing" in missing.json()["error"]["message"]
    assert (
        mia.post(
            "/api/v1/campaigns", json=campaign_form(version_id, rate_limit_per_minute=0)
        ).status_code
        == 422
    )
    assert (
        mia.post("/api/v1/campaigns", json=campaign_form(version_id, starts_at="soon")).status_code
        == 422
    )
    draft = ok(mia.post("/api/v1/templates", json={"name": "raw", "body": COMPLIANT}), 201)
    unapproved = mia.post("/api/v1/campaigns", json=campaign_form(draft["id"], name="raw"))
    assert unapproved.status_code == 400 and "not approved" in unapproved.json()["error"]["message"]


def test_roles_and_four_eyes(api: Api) -> None:
    version_id = approved_version(api)
    assert (
        api.client("olga").post("/api/v1/campaigns", json=campaign_form(version_id)).status_code
        == 403
    )
    created = ok(api.client("mia").post("/api/v1/campaigns", json=campaign_form(version_id)), 201)
    assert api.client("mia").post(f"/api/v1/campaigns/{created['id']}/approve").status_code == 403
    assert api.client("root").post(f"/api/v1/campaigns/{created['id']}/start").status_code == 403
    assert api.client("rex").get("/api/v1/campaigns").status_code == 403


def test_another_institutions_campaigns_do_not_exist(api: Api) -> None:
    campaign_id = approved_campaign(api)
    other = api.client("mia", "bank-b")
    assert other.get("/api/v1/campaigns").json() == []
    for answer in (
        other.get(f"/api/v1/campaigns/{campaign_id}"),
        other.get(f"/api/v1/campaigns/{campaign_id}/series"),
        other.post(f"/api/v1/campaigns/{campaign_id}/start"),
        api.client("olga", "bank-b").post(f"/api/v1/campaigns/{campaign_id}/approve"),
        api.client("root", "bank-b").post(f"/api/v1/campaigns/{campaign_id}/complete"),
    ):
        assert answer.status_code == 404, answer.text
    version_id = approved_version(api, "other")
    foreign = other.post("/api/v1/campaigns", json=campaign_form(version_id))
    assert foreign.status_code == 404


def test_a_service_message_is_queued_and_answers_with_the_masked_number(api: Api) -> None:
    mia = api.client("mia")
    import_customers(mia)
    approved_version(api)
    form = {"template": "bill", "phone": PHONES[0], "values": VALUES}
    sent = ok(mia.post("/api/v1/messages", json=form), 202)
    assert sent["state"] == "queued" and sent["masked_phone"] == "+86 138****0001"
    assert PHONES[0] not in str(sent) and "text" not in sent
    stranger = mia.post("/api/v1/messages", json={**form, "phone": "13900000999"})
    assert stranger.status_code == 400
    assert mia.post("/api/v1/messages", json={**form, "template": "nope"}).status_code == 400
    assert mia.post("/api/v1/messages", json={**form, "phone": "not a phone"}).status_code == 400
    assert api.client("olga").post("/api/v1/messages", json=form).status_code == 403
    assert api.client("mia", "bank-b").post("/api/v1/messages", json=form).status_code == 400
