"""Every route of the application, tried with every role that lacks its action.

The routes are read from the application itself, so a route added later is covered the day
it is added: it either names its action with ``permit(...)`` or is on the short list of
routes that need no particular role, and the test fails otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from api_harness import ROLE_USER, Api
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from smsguard.api.app import API_PREFIX, OTHER_ROUTERS, ROUTERS
from smsguard.api.security import ACTIONS
from smsguard.governance.roles import Role

# Routes any authenticated caller may use, and routes for the public (rate-limited), for
# SMS providers (authenticated by the institution's inbound token) or for load balancers
# (liveness and readiness).
ANY_CALLER = {("GET", "/api/v1/me"), ("DELETE", "/api/v1/session")}
OPEN_PREFIXES = ("/api/v1/session", "/api/v1/verify", "/api/v1/fraud-reports",
                 "/api/v1/log/", "/api/v1/inbound/", "/api/v1/openapi.json",
                 "/healthz", "/readyz")  # fmt: skip


def _action(dependant: Dependant) -> str | None:
    for dependency in dependant.dependencies:
        action = getattr(dependency.call, "action", None) or _action(dependency)
        if action:
            return str(action)
    return None


def guarded_routes(api: Api) -> Iterator[tuple[str, str, str | None]]:
    """(method, path, action) of every API route (the routers as the application mounts
    them; the OpenAPI document confirms none is missing)."""
    seen = set()
    mounted = [(API_PREFIX, router) for router in ROUTERS] + list(OTHER_ROUTERS)
    for prefix, router in mounted:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            for method in sorted(route.methods):
                seen.add((method.lower(), prefix + route.path))
                yield method, prefix + route.path, _action(route.dependant)
    documented = {
        (method, path) for path, item in api.app.openapi()["paths"].items() for method in item
    }
    assert documented <= seen


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_route_names_its_action_or_is_deliberately_open(api: Api) -> None:
    unguarded = [
        (method, path)
        for method, path, action in guarded_routes(api)
        if action is None and (method, path) not in ANY_CALLER
        and not (path + "/").startswith(OPEN_PREFIXES) and not path.startswith(OPEN_PREFIXES)
    ]  # fmt: skip
    assert not unguarded, f"routes without permit(...): {unguarded}"


def test_every_role_without_the_action_is_refused(api: Api) -> None:
    clients = {role: api.client(role) for role in Role}
    checked = 0
    for method, path, action in guarded_routes(api):
        if action is None:
            continue
        for role, client in clients.items():
            if role in ACTIONS[action]:
                continue
            answer = client.request(method, _concrete(path), json={})
            assert answer.status_code == 403, (method, path, role, answer.text)
            assert answer.json()["error"]["code"] == "permission-denied"
            checked += 1
    assert checked > 0


def test_anonymous_callers_get_401_on_every_guarded_route(api: Api) -> None:
    client = api.anonymous()
    for method, path, action in guarded_routes(api):
        if action is None and (method, path) not in ANY_CALLER:
            continue
        answer = client.request(method, _concrete(path), json={})
        assert answer.status_code == 401, (method, path, answer.text)


def test_a_key_without_the_scope_is_refused_even_when_the_role_allows(api: Api) -> None:
    made = api.client("root").post(
        "/api/v1/api-keys", json={"name": "narrow", "username": "olga", "scopes": ["audit.read"]}
    )
    client = api.anonymous()
    client.headers["Authorization"] = f"Bearer {made.json()['token']}"
    answer = client.post("/api/v1/screen", json={"text": "你好"})
    assert answer.status_code == 403 and "scope" in answer.json()["error"]["message"]
    assert ROLE_USER[Role.COMPLIANCE_OFFICER] == "olga"


# A valid body for each route that takes a row id, so the request reaches the row lookup.
ID_ROUTE_BODIES: dict[tuple[str, str], dict[str, object] | None] = {
    ("DELETE", "/api/v1/api-keys/{key_id}"): None,
    ("GET", "/api/v1/templates/{template_id}"): None,
    ("POST", "/api/v1/templates/{template_id}/versions"): {
        "body": "【某银行】您的账单已出。回复TD退订"
    },
    ("GET", "/api/v1/template-versions/{version_id}"): None,
    ("POST", "/api/v1/template-versions/{version_id}/screen"): None,
    ("POST", "/api/v1/template-versions/{version_id}/submit"): None,
    ("POST", "/api/v1/template-versions/{version_id}/approve"): {},
    ("POST", "/api/v1/template-versions/{version_id}/reject"): {"reason": "no"},
    ("GET", "/api/v1/campaigns/{campaign_id}"): None,
    ("POST", "/api/v1/campaigns/{campaign_id}/approve"): None,
    ("POST", "/api/v1/campaigns/{campaign_id}/start"): None,
    ("POST", "/api/v1/campaigns/{campaign_id}/pause"): None,
    ("POST", "/api/v1/campaigns/{campaign_id}/resume"): None,
    ("POST", "/api/v1/campaigns/{campaign_id}/complete"): None,
    ("GET", "/api/v1/campaigns/{campaign_id}/series"): None,
    ("GET", "/api/v1/campaigns/{campaign_id}/audience"): None,
    ("POST", "/api/v1/campaigns/{campaign_id}/audience/explain"): {"customer_id": 1},
    ("GET", "/api/v1/complaints/{complaint_id}"): None,
    ("POST", "/api/v1/complaints/{complaint_id}/assign"): {"assignee": "otto"},
    ("POST", "/api/v1/complaints/{complaint_id}/extend"): {"reason": "complex"},
    ("POST", "/api/v1/complaints/{complaint_id}/resolve"): {"text": "done"},
    ("POST", "/api/v1/complaints/{complaint_id}/close"): None,
    ("POST", "/api/v1/complaints/{complaint_id}/reopen"): {"reason": "new-facts"},
    ("POST", "/api/v1/complaints/{complaint_id}/recategorise"): {
        "category": "harassment",
        "reason": "misfiled",
    },
    ("POST", "/api/v1/alerts/actions/{action_id}/reverse"): {"reason": "checked"},
    ("POST", "/api/v1/fraud-reports/{report_id}/review"): {"decision": "confirmed"},
    ("POST", "/api/v1/indicators/from-fraud-report/{report_id}"): None,
    ("POST", "/api/v1/indicators/{indicator_id}/confirm"): None,
    ("POST", "/api/v1/indicators/{indicator_id}/revoke"): {"reason": "typo"},
}
BODY = "【某银行】{name}您好，您的账单{amount}已出，请于{due:date}前还款。回复TD退订"


def _bank_a_rows(api: Api) -> dict[str, int]:
    """Ids of one row of each kind in bank-a, made through the API."""
    mia, olga = api.client("mia"), api.client("olga")
    made = mia.post("/api/v1/templates", json={"name": "bill", "body": BODY})
    assert made.status_code == 201, made.text
    version = made.json()
    mia.post(f"/api/v1/template-versions/{version['id']}/screen")
    mia.post(f"/api/v1/template-versions/{version['id']}/submit")
    olga.post(f"/api/v1/template-versions/{version['id']}/approve", json={})
    campaign = mia.post("/api/v1/campaigns", json={
        "name": "dec", "template_version_id": version["id"], "audience": {"all": True},
        "starts_at": "2026-12-01T02:00:00Z", "rate_limit_per_minute": 60,
        "variables": {"amount": "1000元", "due": "2026-12-15"},
    })  # fmt: skip
    complaint = olga.post("/api/v1/complaints", json={
        "phone": "13900000009", "category": "sms_marketing", "text": "不要再发了",
    })  # fmt: skip
    fraud = api.anonymous().post(
        "/api/v1/fraud-reports", json={"text": "您的账户已冻结", "institution": "bank-a"}
    )
    indicator = olga.post("/api/v1/indicators", json={"kind": "domain", "value": "dai.example.cn"})
    keys = api.client("root").get("/api/v1/api-keys").json()
    for answer in (campaign, complaint, fraud, indicator):
        assert answer.status_code == 201, answer.text
    reports = olga.get("/api/v1/fraud-reports").json()
    return {
        "key_id": keys[0]["id"], "template_id": version["template_id"],
        "version_id": version["id"], "campaign_id": campaign.json()["id"],
        "complaint_id": complaint.json()["id"], "action_id": 1,
        "report_id": reports[0]["id"],
        "indicator_id": indicator.json()["created"][0],
    }  # fmt: skip


def test_another_institutions_rows_do_not_exist_for_the_caller(api: Api) -> None:
    routes = {(m, p): action for m, p, action in guarded_routes(api) if "_id}" in p}
    assert set(routes) == set(ID_ROUTE_BODIES), "give each new route with an id a body here"
    ids = _bank_a_rows(api)
    for (method, path), action in routes.items():
        assert action is not None
        role = min(ACTIONS[action])  # any role allowed to act, from bank-b
        url = re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)
        answer = api.client(role, "bank-b").request(
            method, url, json=ID_ROUTE_BODIES[(method, path)]
        )
        assert answer.status_code == 404, (method, path, role, answer.text)
