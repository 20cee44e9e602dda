"""The audit trail over HTTP: one target's events, recent events by pages, roles, tenancy."""

from __future__ import annotations

from api_harness import Api

BODY = "【某银行】您的账单已出，请按时还款。回复TD退订"


def _drafts(api: Api, count: int) -> list[int]:
    """Version ids of ``count`` templates drafted by mia (two audit rows each)."""
    mia = api.client("mia")
    made = [
        mia.post("/api/v1/templates", json={"name": f"t{i}", "body": BODY}).json()
        for i in range(count)
    ]
    return [int(version["id"]) for version in made]


def test_the_trail_of_one_target_is_oldest_first(api: Api) -> None:
    [version_id] = _drafts(api, 1)
    api.client("mia").post(f"/api/v1/template-versions/{version_id}/screen")
    answer = api.client("olga").get(
        "/api/v1/audit", params={"target_type": "template_version", "target_id": version_id}
    )
    assert answer.status_code == 200
    events = answer.json()
    assert [e["action"] for e in events] == ["template.drafted", "template.screened"]
    assert events[1]["actor"] == "mia" and events[1]["detail"]["verdict"] == "pass"
    assert events[0]["id"] < events[1]["id"] and events[0]["target_id"] == str(version_id)


def test_recent_events_come_newest_first_in_pages(api: Api) -> None:
    _drafts(api, 3)  # six events: created + drafted per template
    auditor = api.client("ada")
    first = auditor.get("/api/v1/audit/events", params={"limit": 4}).json()
    ids = [e["id"] for e in first["events"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == 4
    assert first["next_before"] == ids[-1]
    rest = auditor.get(
        "/api/v1/audit/events", params={"limit": 4, "before": first["next_before"]}
    ).json()
    assert len(rest["events"]) >= 2 and rest["events"][0]["id"] < ids[-1]
    everything = auditor.get("/api/v1/audit/events", params={"limit": 500}).json()
    assert everything["next_before"] is None


def test_bad_queries_are_422(api: Api) -> None:
    auditor = api.client("rex")
    assert auditor.get("/api/v1/audit").status_code == 422
    assert auditor.get("/api/v1/audit", params={"target_type": "campaign"}).status_code == 422
    assert auditor.get("/api/v1/audit/events", params={"limit": 0}).status_code == 422
    assert auditor.get("/api/v1/audit/events", params={"limit": 501}).status_code == 422
    assert auditor.get("/api/v1/audit/events", params={"before": "x"}).status_code == 422


def test_marketers_may_not_read_the_audit_trail(api: Api) -> None:
    assert api.client("mia").get("/api/v1/audit/events").status_code == 403
    for reader in ("olga", "ada", "rex", "root"):
        assert api.client(reader).get("/api/v1/audit/events").status_code == 200, reader


def test_another_institutions_events_are_not_there(api: Api) -> None:
    [version_id] = _drafts(api, 1)
    other = api.client("ada", "bank-b")
    trail = other.get(
        "/api/v1/audit", params={"target_type": "template_version", "target_id": version_id}
    )
    assert trail.status_code == 200 and trail.json() == []
    actions = {e["action"] for e in other.get("/api/v1/audit/events").json()["events"]}
    assert not actions & {"template.created", "template.drafted"}
