"""The complaints desk over HTTP: intake, list, show, the handling steps, statistics."""

from __future__ import annotations

from api_harness import Api
from fastapi.testclient import TestClient
from traffic import PHONE, customers_of

TEXT = "你们的短信凌晨三点发来，我要投诉"


def _intake(client: TestClient, **changes: object) -> int:
    body = {"phone": PHONE, "category": "harassment", "text": TEXT, **changes}
    answer = client.post("/api/v1/complaints", json=body)
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def test_intake_by_phone_opens_a_case_without_echoing_the_text(api: Api) -> None:
    customers_of(api)
    olga = api.client("olga")
    case = _intake(olga)
    shown = olga.get(f"/api/v1/complaints/{case}")
    assert shown.status_code == 200
    body = shown.json()
    assert body["channel"] == "api" and body["status"] == "received"
    assert body["customer_id"] is not None
    assert body["deadline"]["open"] and not body["deadline"]["overdue"]
    assert body["history"][0]["action"] == "receive"
    assert TEXT not in shown.text and PHONE not in shown.text


def test_an_unknown_number_is_kept_encrypted_and_a_customer_id_works(api: Api) -> None:
    customers_of(api)
    olga = api.client("olga")
    stranger = olga.get(f"/api/v1/complaints/{_intake(olga, phone='13911112222')}").json()
    assert stranger["customer_id"] is None
    known = _intake(olga, phone=None, customer_id=1)
    assert olga.get(f"/api/v1/complaints/{known}").json()["customer_id"] == 1


def test_the_handling_steps_move_the_case(api: Api) -> None:
    customers_of(api)
    olga = api.client("olga")
    case = _intake(olga)
    base = f"/api/v1/complaints/{case}"
    assigned = olga.post(f"{base}/assign", json={"assignee": "otto"})
    assert assigned.status_code == 200 and assigned.json()["complaint"]["status"] == "assigned"
    extended = olga.post(f"{base}/extend", json={"reason": "complex"})
    assert extended.json()["complaint"]["extensions"] == 1
    assert extended.json()["notice"] is None
    resolved = olga.post(f"{base}/resolve", json={"text": "已核实并停止发送"})
    assert resolved.json()["complaint"]["status"] == "resolved"
    assert "已核实" not in resolved.text
    assert olga.post(f"{base}/close").json()["complaint"]["status"] == "closed"
    reopened = olga.post(f"{base}/reopen", json={"reason": "new-evidence"})
    assert reopened.json()["complaint"]["status"] in ("received", "assigned")
    assert reopened.json()["complaint"]["round"] == 2
    actions = [entry["action"] for entry in olga.get(base).json()["history"]]
    assert actions[:2] == ["receive", "assign"] and "reopen" in actions


def test_list_filters_by_status_and_stats_count(api: Api) -> None:
    customers_of(api)
    olga = api.client("olga")
    first, _second = _intake(olga), _intake(olga, category="fees_rates")
    olga.post(f"/api/v1/complaints/{first}/assign", json={"assignee": "otto"})
    assert (
        olga.post(f"/api/v1/complaints/{first}/resolve", json={"text": "done"}).status_code == 200
    )
    listed = api.client("ada").get("/api/v1/complaints", params={"status": "open"})
    assert listed.status_code == 200 and len(listed.json()) == 1
    assert len(olga.get("/api/v1/complaints").json()) == 2
    stats = olga.get("/api/v1/complaints/stats").json()
    assert stats["total"] == 2 and stats["resolved"] == 1
    assert stats["by_category"] == {"fees_rates": 1, "harassment": 1}


def test_bad_input_is_400_or_422(api: Api) -> None:
    customers_of(api)
    olga = api.client("olga")
    both = {"phone": PHONE, "customer_id": 1, "category": "harassment", "text": TEXT}
    assert olga.post("/api/v1/complaints", json=both).status_code == 422
    wrong = {"phone": PHONE, "category": "weather", "text": TEXT}
    assert olga.post("/api/v1/complaints", json=wrong).status_code == 422
    bad_phone = {"phone": "12", "category": "harassment", "text": TEXT}
    assert olga.post("/api/v1/complaints", json=bad_phone).status_code == 400
    case = _intake(olga)
    assert olga.post(f"/api/v1/complaints/{case}/close").status_code == 400
    nobody = olga.post(f"/api/v1/complaints/{case}/assign", json={"assignee": "zed"})
    assert nobody.status_code == 400
    assert olga.get("/api/v1/complaints", params={"status": "lost"}).status_code == 422
    reversed_period = {"since": "2026-12-01", "until": "2026-11-01"}
    assert olga.get("/api/v1/complaints/stats", params=reversed_period).status_code == 400


def test_roles_are_enforced(api: Api) -> None:
    customers_of(api)
    case = _intake(api.client("olga"))
    mia = api.client("mia")
    assert mia.get("/api/v1/complaints").status_code == 403
    assert mia.post("/api/v1/complaints", json={"phone": PHONE, "category": "harassment",
                                                "text": TEXT}).status_code == 403  # fmt: skip
    auditor = api.client("ada")
    assert auditor.get(f"/api/v1/complaints/{case}").status_code == 200
    assert auditor.post(f"/api/v1/complaints/{case}/close").status_code == 403
    assert api.anonymous().get("/api/v1/complaints").status_code == 401


def test_another_institutions_case_is_not_found(api: Api) -> None:
    customers_of(api)
    case = _intake(api.client("olga"))
    other = api.client("olga", "bank-b")
    assert other.get(f"/api/v1/complaints/{case}").status_code == 404
    assert (
        other.post(f"/api/v1/complaints/{case}/assign", json={"assignee": "otto"}).status_code
        == 404
    )
    assert other.get("/api/v1/complaints").json() == []


def test_recategorising_changes_the_category_and_is_in_the_history(api: Api) -> None:
    customers_of(api)
    olga = api.client("olga")
    case = _intake(olga, category="sms_marketing")
    base = f"/api/v1/complaints/{case}"
    moved = olga.post(f"{base}/recategorise", json={"category": "harassment", "reason": "misfiled"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["complaint"]["category"] == "harassment"
    history = olga.get(base).json()["history"]
    assert history[-1]["action"] == "recategorise"
    refused = olga.post(f"{base}/recategorise", json={"category": "nonsense", "reason": "x1"})
    assert refused.status_code == 422
    assert api.client("mia").post(f"{base}/recategorise", json={
        "category": "harassment", "reason": "misfiled"}).status_code == 403  # fmt: skip
