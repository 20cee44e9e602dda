"""Templates over HTTP: drafting, screening, the maker-checker decisions, roles and tenancy."""

from __future__ import annotations

from api_harness import Api
from fastapi.testclient import TestClient

BLOCKED = "【某银行】秒批 不看征信，马上到账。回复TD退订"
COMPLIANT = "【某银行】{name}您好，您的账单{amount}已出，请于{due:date}前还款。回复TD退订"
REVIEW = "【某银行】年化利率低至3.6%，欢迎申请。回复TD退订"


def draft(client: TestClient, name: str, body: str) -> dict[str, object]:
    answer = client.post("/api/v1/templates", json={"name": name, "body": body})
    assert answer.status_code == 201, answer.text
    created: dict[str, object] = answer.json()
    return created


def screened_and_submitted(api: Api, name: str, body: str) -> int:
    """A version drafted, screened and submitted by mia; its id."""
    mia = api.client("mia")
    version_id = int(str(draft(mia, name, body)["id"]))
    assert mia.post(f"/api/v1/template-versions/{version_id}/screen").status_code == 200
    assert mia.post(f"/api/v1/template-versions/{version_id}/submit").status_code == 200
    return version_id


def test_a_blocked_text_is_screened_block_with_findings_and_can_never_be_approved(
    api: Api,
) -> None:
    mia = api.client("mia")
    version = draft(mia, "promo", BLOCKED)
    assert (version["state"], version["version"], version["author"]) == ("draft", 1, "mia")
    screened = mia.post(f"/api/v1/template-versions/{version['id']}/screen").json()
    assert screened["state"] == "screened" and screened["verdict"] == "block"
    assert screened["findings"] and screened["rulebook_version"]
    assert {"rule", "severity", "span", "basis"} <= set(screened["findings"][0])
    mia.post(f"/api/v1/template-versions/{version['id']}/submit")
    refused = api.client("olga").post(f"/api/v1/template-versions/{version['id']}/approve")
    assert refused.status_code == 400
    assert "block" in refused.json()["error"]["message"]


def test_a_revision_is_a_new_version_and_the_list_shows_the_latest(api: Api) -> None:
    mia = api.client("mia")
    first = draft(mia, "bill", BLOCKED)
    revised = mia.post(
        f"/api/v1/templates/{first['template_id']}/versions", json={"body": COMPLIANT}
    )
    assert revised.status_code == 201
    assert revised.json()["version"] == 2
    assert revised.json()["variables"] == {"name": "name", "amount": "amount", "due": "date"}
    listed = api.client("olga").get("/api/v1/templates").json()
    assert [(t["name"], t["latest"]["version"], t["latest"]["state"]) for t in listed] == [
        ("bill", 2, "draft")
    ]
    shown = api.client("ada").get(f"/api/v1/templates/{first['template_id']}").json()
    assert [v["version"] for v in shown["versions"]] == [1, 2]


def test_a_review_verdict_needs_a_justification_which_is_kept(api: Api) -> None:
    version_id = screened_and_submitted(api, "rates", REVIEW)
    olga = api.client("olga")
    assert olga.get(f"/api/v1/template-versions/{version_id}").json()["verdict"] == "review"
    bare = olga.post(f"/api/v1/template-versions/{version_id}/approve")
    assert bare.status_code == 400 and "justification" in bare.json()["error"]["message"]
    note = "rate stated as an annual rate; checked with legal"
    approved = olga.post(
        f"/api/v1/template-versions/{version_id}/approve", json={"justification": note}
    )
    assert approved.status_code == 200
    body = approved.json()
    assert (body["state"], body["decided_by"], body["justification"]) == ("approved", "olga", note)


def test_a_rejection_needs_a_reason(api: Api) -> None:
    version_id = screened_and_submitted(api, "bill", COMPLIANT)
    otto = api.client("otto")
    assert otto.post(f"/api/v1/template-versions/{version_id}/reject", json={}).status_code == 422
    blank = otto.post(f"/api/v1/template-versions/{version_id}/reject", json={"reason": "  "})
    assert blank.status_code == 400
    rejected = otto.post(
        f"/api/v1/template-versions/{version_id}/reject", json={"reason": "wrong due date"}
    )
    assert rejected.json()["state"] == "rejected"
    assert rejected.json()["rejection_reason"] == "wrong due date"


def test_steps_out_of_order_and_bad_bodies_are_400_or_422(api: Api) -> None:
    mia = api.client("mia")
    version = draft(mia, "bill", COMPLIANT)
    early = mia.post(f"/api/v1/template-versions/{version['id']}/submit")
    assert early.status_code == 400 and "'draft'" in early.json()["error"]["message"]
    duplicate = mia.post("/api/v1/templates", json={"name": "bill", "body": COMPLIANT})
    assert duplicate.status_code == 400
    unknown = mia.post("/api/v1/templates", json={"name": "x", "body": "您好{link}"})
    assert unknown.status_code == 400
    assert mia.post("/api/v1/templates", json={"name": "", "body": "x"}).status_code == 422
    assert mia.post("/api/v1/templates", json={"body": "x"}).status_code == 422
    assert mia.get("/api/v1/template-versions/not-a-number").status_code == 422


def test_each_step_needs_its_role(api: Api) -> None:
    version = draft(api.client("mia"), "bill", COMPLIANT)
    url = f"/api/v1/template-versions/{version['id']}"
    assert (
        api.client("olga").post("/api/v1/templates", json={"name": "o", "body": "x"}).status_code
        == 403
    )
    assert api.client("mia").post(f"{url}/approve").status_code == 403
    assert api.client("mia").post(f"{url}/reject", json={"reason": "x"}).status_code == 403
    assert api.client("ada").post(f"{url}/screen").status_code == 403
    assert api.client("rex").get("/api/v1/templates").status_code == 403
    assert api.client("olga").post(f"{url}/screen").status_code == 200


def test_another_institutions_templates_do_not_exist(api: Api) -> None:
    version = draft(api.client("mia"), "bill", COMPLIANT)
    other = api.client("mia", "bank-b")
    assert other.get("/api/v1/templates").json() == []
    assert other.get(f"/api/v1/templates/{version['template_id']}").status_code == 404
    assert other.get(f"/api/v1/template-versions/{version['id']}").status_code == 404
    screen = other.post(f"/api/v1/template-versions/{version['id']}/screen")
    assert screen.status_code == 404 and screen.json()["error"]["code"] == "not-found"
    revise = other.post(f"/api/v1/templates/{version['template_id']}/versions", json={"body": "x"})
    assert revise.status_code == 404
    approve = api.client("olga", "bank-b").post(
        f"/api/v1/template-versions/{version['id']}/approve"
    )
    assert approve.status_code == 404
