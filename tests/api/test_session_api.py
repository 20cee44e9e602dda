"""Logging in, API keys, CSRF, and the one error shape."""

from __future__ import annotations

from api_harness import PASSWORD, Api

from smsguard.governance.credentials import set_password


def test_an_api_key_identifies_its_user_and_scopes(api: Api) -> None:
    answer = api.client("mia").get("/api/v1/me")
    assert answer.status_code == 200
    body = answer.json()
    assert body["username"] == "mia" and body["roles"] == ["marketer"]
    assert "template.draft" in body["permissions"] and "template.approve" not in body["permissions"]


def test_requests_without_credentials_get_401_with_the_error_shape(api: Api) -> None:
    answer = api.anonymous().get("/api/v1/me")
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "authentication-required"
    bad = api.anonymous().get("/api/v1/me", headers={"Authorization": "Bearer sgk_nope_nope"})
    assert bad.status_code == 401


def test_a_revoked_key_stops_working(api: Api) -> None:
    admin = api.client("root")
    keys = admin.get("/api/v1/api-keys").json()
    mia_key = next(key for key in keys if key["username"] == "mia")
    assert admin.delete(f"/api/v1/api-keys/{mia_key['id']}").status_code == 204
    assert api.client("mia").get("/api/v1/me").status_code == 401


def test_a_key_cannot_carry_more_than_its_users_roles(api: Api) -> None:
    answer = api.client("root").post(
        "/api/v1/api-keys",
        json={"name": "too-much", "username": "mia", "scopes": ["template.approve"]},
    )
    assert answer.status_code == 403
    assert "template.approve" in answer.json()["error"]["message"]


def test_a_new_key_is_shown_once_and_works(api: Api) -> None:
    made = api.client("root").post(
        "/api/v1/api-keys", json={"name": "crm", "username": "mia", "scopes": ["screen.use"]}
    )
    assert made.status_code == 201
    token = made.json()["token"]
    listed = api.client("root").get("/api/v1/api-keys").json()
    assert all("token" not in key for key in listed)
    client = api.anonymous()
    client.headers["Authorization"] = f"Bearer {token}"
    assert client.get("/api/v1/me").json()["scopes"] == ["screen.use"]
    refused = client.post(
        "/api/v1/api-keys", json={"name": "x", "username": "mia", "scopes": ["screen.use"]}
    )
    assert refused.status_code == 403


def test_login_sets_a_session_and_unsafe_calls_need_the_csrf_token(api: Api) -> None:
    client = api.login("mia")
    assert client.get("/api/v1/me").json()["via"] == "session"
    ok = client.post("/api/v1/screen", json={"text": "【某银行】您的账单已出。回复TD退订"})
    assert ok.status_code == 200
    del client.headers["X-CSRF-Token"]
    refused = client.post("/api/v1/screen", json={"text": "你好"})
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]


def test_wrong_passwords_and_unknown_users_get_the_same_answer(api: Api) -> None:
    set_password(api.database, api.institution_ids["bank-a"], "mia", PASSWORD)
    client = api.anonymous()
    wrong = client.post(
        "/api/v1/session", json={"institution": "bank-a", "username": "mia", "password": "x"}
    )
    nobody = client.post(
        "/api/v1/session", json={"institution": "bank-a", "username": "zed", "password": "x"}
    )
    assert wrong.status_code == nobody.status_code == 401
    assert wrong.json() == nobody.json()


def test_logins_are_rate_limited_per_client(api: Api) -> None:
    client = api.anonymous()
    form = {"institution": "bank-a", "username": "zed", "password": "x"}
    codes = [client.post("/api/v1/session", json=form).status_code for _ in range(12)]
    assert codes[:10] == [401] * 10 and codes[-1] == 429
    limited = client.post("/api/v1/session", json=form)
    assert int(limited.headers["Retry-After"]) >= 1


def test_logout_ends_the_session(api: Api) -> None:
    client = api.login("olga")
    assert client.delete("/api/v1/session").status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_bad_json_is_a_422_naming_the_field(api: Api) -> None:
    answer = api.client("mia").post("/api/v1/screen", json={"txt": "x"})
    assert answer.status_code == 422
    body = answer.json()["error"]
    assert body["code"] == "invalid-request" and "text" in body["message"]


def test_unknown_routes_use_the_error_shape(api: Api) -> None:
    answer = api.client("mia").get("/api/v1/nothing-here")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "not-found"
