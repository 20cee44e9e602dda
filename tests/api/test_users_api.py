"""Admins manage the institution's people over HTTP; every change is audited."""

from __future__ import annotations

from api_harness import PASSWORD, Api
from sqlalchemy import insert

from smsguard.governance.audit import DECRYPT_SUSPENDED
from smsguard.store import tenant_session
from smsguard.store.models import AuditEvent


def test_an_admin_adds_a_user_who_can_then_log_in(api: Api) -> None:
    root = api.client("root")
    made = root.post("/api/v1/users", json={
        "username": "nina", "roles": ["compliance_officer"], "certified_until": "2027-06-30",
        "password": PASSWORD,
    })  # fmt: skip
    assert made.status_code == 201, made.text
    assert made.json()["roles"] == ["compliance_officer"] and made.json()["active"]
    login = api.anonymous().post("/api/v1/session", json={
        "institution": "bank-a", "username": "nina", "password": PASSWORD})  # fmt: skip
    assert login.status_code == 200
    listed = [user["username"] for user in root.get("/api/v1/users").json()]
    assert "nina" in listed and all(
        "password" not in key for key in root.get("/api/v1/users").json()[0]
    )
    trail = root.get("/api/v1/audit/events").json()
    actions = [event["action"] for event in trail["events"]]
    assert "user.create" in actions and "password.set" in actions


def test_bad_users_are_refused_with_the_reason(api: Api) -> None:
    root = api.client("root")
    taken = root.post("/api/v1/users", json={"username": "mia", "roles": ["marketer"]})
    assert taken.status_code == 400 and "already exists" in taken.json()["error"]["message"]
    certified = root.post("/api/v1/users", json={
        "username": "max", "roles": ["marketer"], "certified_until": "2027-01-01"})  # fmt: skip
    assert certified.status_code == 400
    assert root.post("/api/v1/users", json={"username": "x", "roles": ["boss"]}).status_code == 422
    short = root.post(
        "/api/v1/users", json={"username": "y", "roles": ["auditor"], "password": "short"}
    )
    assert short.status_code == 422


def test_deactivating_ends_sessions_and_keys(api: Api) -> None:
    session = api.login("mia")
    key = api.client("mia")
    root = api.client("root")
    answer = root.post("/api/v1/users/mia/deactivate")
    assert answer.status_code == 200 and answer.json()["active"] is False
    assert session.get("/api/v1/me").status_code == 401
    assert key.get("/api/v1/me").status_code == 401
    assert root.post("/api/v1/users/root/deactivate").status_code == 400
    assert root.post("/api/v1/users/nobody/deactivate").status_code == 404


def test_an_admin_sets_a_password_and_lifts_a_suspension(api: Api) -> None:
    root = api.client("root")
    assert root.post("/api/v1/users/ada/password", json={"password": PASSWORD}).status_code == 204
    tenant = api.institution_ids["bank-a"]
    with tenant_session(api.database, tenant) as session:
        session.execute(insert(AuditEvent.__table__), [{
            "institution_id": tenant, "actor": "monitor", "action": DECRYPT_SUSPENDED,
            "target_type": "user", "target_id": "olga", "detail": {"reason": "test"}}])  # fmt: skip
    suspended = {u["username"]: u["decrypt_suspended"] for u in root.get("/api/v1/users").json()}
    assert suspended["olga"] is True
    lifted = root.post("/api/v1/users/olga/restore-decrypt", json={"reason": "checked with olga"})
    assert lifted.status_code == 200 and lifted.json()["decrypt_suspended"] is False
    own = api.client("olga").post("/api/v1/users/olga/restore-decrypt", json={"reason": "me"})
    assert own.status_code == 400


def test_only_admins_manage_users(api: Api) -> None:
    for who in ("mia", "olga", "ada", "rex"):
        client = api.client(who)
        assert client.get("/api/v1/users").status_code == 403
        assert client.post("/api/v1/users/mia/deactivate").status_code == 403
