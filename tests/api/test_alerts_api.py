"""Monitor alerts over HTTP: stored alerts listed, actions in force, reversing them."""

from __future__ import annotations

from datetime import UTC, datetime

from api_harness import Api
from sqlalchemy import select
from traffic import approved_campaign, customers_of

from smsguard.bootstrap import build_gateway
from smsguard.gateway.watch import GatewayWatch
from smsguard.monitor.alerts import Action, Alert, Subject
from smsguard.monitor_alerts import save_alerts
from smsguard.store import tenant_session
from smsguard.store.workflow_models import Campaign


def _alert(action: Action, kind: str, subject: str, severity: str = "act") -> Alert:
    return Alert(
        detector="opt_out_spike", severity=severity,  # type: ignore[arg-type]
        subject=Subject(kind, subject, "1"),  # type: ignore[arg-type]
        explanation=f"{kind} {subject}: opt-outs at 9.0% of 200 delivered (threshold 5.0%)",
        action=action, at=datetime.now(UTC), numbers={"rate": 0.09, "delivered": 200},
    )  # fmt: skip


def _running_campaign(api: Api) -> int:
    tenant = api.institution_ids["bank-a"]
    customers_of(api)
    campaign_id, _ = approved_campaign(api.database, tenant, api.app.state.services.screener)
    build_gateway(api.settings, api.database, tenant, api.app.state.services.screener).begin(
        "mia", campaign_id
    )
    return campaign_id


def _raise(api: Api, *alerts: Alert) -> None:
    """What the worker's watch does: act on each alert, then keep it."""
    tenant = api.institution_ids["bank-a"]
    watch = GatewayWatch(api.database, tenant)
    for alert in alerts:
        if alert.severity == "act":
            watch._act(alert)
    save_alerts(api.database, tenant, list(alerts))


def _state(api: Api, campaign_id: int) -> str:
    with tenant_session(api.database, api.institution_ids["bank-a"]) as session:
        return str(session.scalar(select(Campaign.state).where(Campaign.id == campaign_id)))


def test_alerts_are_listed_filtered_and_paged(api: Api) -> None:
    campaign = _running_campaign(api)
    _raise(api, _alert(Action.NONE, "campaign", str(campaign), "warn"),
           _alert(Action.PAUSE_CAMPAIGN, "campaign", str(campaign)))  # fmt: skip
    mia = api.client("mia")
    page = mia.get("/api/v1/alerts").json()
    assert page["total"] == 2
    acted = mia.get("/api/v1/alerts", params={"severity": "act"}).json()["items"]
    assert len(acted) == 1 and acted[0]["action_audit_id"] is not None
    assert acted[0]["numbers"]["delivered"] == 200
    one = mia.get("/api/v1/alerts", params={"limit": 1, "offset": 1}).json()
    assert one["total"] == 2 and len(one["items"]) == 1
    other = mia.get("/api/v1/alerts", params={"subject_kind": "user"}).json()
    assert other["total"] == 0


def test_reversing_a_pause_resumes_the_campaign(api: Api) -> None:
    campaign = _running_campaign(api)
    _raise(api, _alert(Action.PAUSE_CAMPAIGN, "campaign", str(campaign)))
    assert _state(api, campaign) == "paused"
    olga = api.client("olga")
    held = olga.get("/api/v1/alerts/actions").json()
    assert [a["action"] for a in held] == ["pause_campaign"]
    back = olga.post(f"/api/v1/alerts/actions/{held[0]['id']}/reverse", json={"reason": "checked"})
    assert back.status_code == 200 and back.json()["in_force"] is False
    assert _state(api, campaign) == "running"
    assert olga.get("/api/v1/alerts/actions").json() == []
    again = olga.post(f"/api/v1/alerts/actions/{held[0]['id']}/reverse", json={"reason": "x"})
    assert again.status_code == 400


def test_a_reapproval_must_be_cleared_before_its_pause(api: Api) -> None:
    campaign = _running_campaign(api)
    _raise(api, _alert(Action.REQUIRE_REAPPROVAL, "campaign", str(campaign)))
    olga = api.client("olga")
    held = {a["action"]: a["id"] for a in olga.get("/api/v1/alerts/actions").json()}
    assert set(held) == {"pause_campaign", "require_reapproval"}
    url = "/api/v1/alerts/actions/{}/reverse"
    early = olga.post(url.format(held["pause_campaign"]), json={"reason": "ok"})
    assert early.status_code == 400 and "re-approval" in early.json()["error"]["message"]
    assert (
        olga.post(url.format(held["require_reapproval"]), json={"reason": "ok"}).status_code == 200
    )
    assert olga.post(url.format(held["pause_campaign"]), json={"reason": "ok"}).status_code == 200
    assert _state(api, campaign) == "running"


def test_lifting_a_decrypt_suspension_restores_it_but_not_by_the_user(api: Api) -> None:
    _raise(api, _alert(Action.SUSPEND_DECRYPT, "user", "otto"))
    held = api.client("olga").get("/api/v1/alerts/actions").json()
    assert held[0]["action"] == "suspend_decrypt" and held[0]["subject_id"] == "otto"
    url = f"/api/v1/alerts/actions/{held[0]['id']}/reverse"
    assert api.client("otto").post(url, json={"reason": "me"}).status_code == 400
    assert api.client("olga").post(url, json={"reason": "reviewed"}).status_code == 200
    assert api.client("olga").get("/api/v1/alerts/actions").json() == []


def test_roles_inputs_and_tenancy(api: Api) -> None:
    _raise(api, _alert(Action.SUSPEND_DECRYPT, "user", "otto"))
    action = api.client("olga").get("/api/v1/alerts/actions").json()[0]["id"]
    url = f"/api/v1/alerts/actions/{action}/reverse"
    assert api.client("mia").post(url, json={"reason": "x"}).status_code == 403
    assert api.client("rex").get("/api/v1/alerts").status_code == 403
    assert api.anonymous().get("/api/v1/alerts").status_code == 401
    assert api.client("olga").post(url, json={"reason": ""}).status_code == 422
    assert api.client("olga").get("/api/v1/alerts", params={"severity": "loud"}).status_code == 422
    assert api.client("olga").get("/api/v1/alerts", params={"limit": 0}).status_code == 422
    other = api.client("olga", "bank-b")
    assert other.post(url, json={"reason": "x"}).status_code == 404
    assert other.get("/api/v1/alerts").json()["total"] == 0
    assert other.get("/api/v1/alerts/actions").json() == []
