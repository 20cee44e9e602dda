"""The dashboard through its forms: login, permissions, CSRF, the workflow, i18n, CSP."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from harness import PASSWORD, Web, csrf_of, post_form

from smsguard.api.security import SESSION_COOKIE

BLOCKED = "【某银行】秒批 不看征信，马上到账。回复TD退订"
COMPLIANT = "【某银行】{name}您好，您的账单{amount}已出，请于{due:date}前还款。回复TD退订"
FRAUD = "您的贷款账户因银行卡号填写错误已冻结，需缴纳解冻金3000元后方可提现"
# Pages, who may open each, and someone who may not.
PAGES = {
    "/screen": ("mia", "ada"),
    "/templates": ("ada", "rex"),
    "/review": ("olga", "mia"),
    "/campaigns": ("mia", "rex"),
    "/alerts": ("olga", "rex"),
    "/complaints": ("olga", "mia"),
    "/audit": ("ada", "mia"),
}


def verdict_of(html: str) -> str:
    found = re.search(r'data-testid="verdict" data-verdict="(\w*)"', html)
    assert found is not None, "no verdict on the page"
    return found.group(1)


def state_of(html: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}" data-state="(\w+)"', html)
    assert found is not None, f"no {testid} on the page"
    return found.group(1)


def test_login_sets_the_session_and_goes_to_next(web: Web) -> None:
    client = web.login("mia")
    assert SESSION_COOKIE in client.cookies
    home = client.get("/")
    assert home.status_code == 200
    assert 'data-testid="user">mia<' in home.text and 'data-role="marketer"' in home.text
    assert 'data-testid="nav-templates"' in home.text and 'data-testid="nav-audit"' not in home.text
    again = web.anonymous()
    web.login("mia")  # the password is set
    answer = again.post(
        "/login",
        data={
            "institution": "bank-a",
            "username": "mia",
            "password": PASSWORD,
            "next": "/templates",
        },
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/templates"


def test_a_wrong_password_shows_the_form_again(web: Web) -> None:
    web.login("mia")
    client = web.anonymous()
    answer = client.post(
        "/login", data={"institution": "bank-a", "username": "mia", "password": "wrong password!"}
    )
    assert answer.status_code == 401 and 'data-testid="login-failed"' in answer.text
    assert SESSION_COOKIE not in client.cookies


def test_next_never_leaves_the_site(web: Web) -> None:
    web.login("mia")
    answer = web.anonymous().post(
        "/login",
        data={
            "institution": "bank-a",
            "username": "mia",
            "password": PASSWORD,
            "next": "//x.example",
        },
    )
    assert answer.headers["location"] == "/"


def test_logout_ends_the_session(web: Web) -> None:
    client = web.login("mia")
    assert post_form(client, "/", "/logout").status_code == 303  # type: ignore[attr-defined]
    assert client.get("/").status_code == 303
    other = web.login("olga")
    assert other.get("/logout").status_code == 303
    assert other.get("/templates").headers["location"].startswith("/login")


def test_pages_redirect_to_login_when_nobody_is_logged_in(web: Web) -> None:
    answer = web.anonymous().get("/templates?x=1")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Ftemplates%3Fx%3D1"
    assert web.anonymous().get("/login").status_code == 200


def test_a_form_without_the_csrf_token_is_refused(web: Web) -> None:
    client = web.login("mia")
    refused = client.post("/screen", data={"text": "hello"})
    assert refused.status_code == 403 and 'data-testid="error"' in refused.text
    wrong = client.post("/screen", data={"text": "hello", "csrf_token": "0" * 32})
    assert wrong.status_code == 403
    assert client.post("/templates", data={"name": "x", "body": BLOCKED}).status_code == 403


@pytest.mark.parametrize("path", sorted(PAGES))
def test_each_page_opens_for_an_allowed_role_and_refuses_another(web: Web, path: str) -> None:
    allowed, refused = PAGES[path]
    assert web.login(allowed).get(path).status_code == 200
    answer = web.login(refused).get(path)
    assert answer.status_code == 403 and 'data-status="403"' in answer.text
    assert "Traceback" not in answer.text


def test_log_and_unknown_pages(web: Web) -> None:
    client = web.login("ada")
    log = client.get("/log")
    assert log.status_code == 200 and 'data-testid="checkpoint-none"' in log.text
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and 'data-status="404"' in missing.text
    assert client.get("/templates/versions/999").status_code == 404
    assert client.get("/complaints/999").status_code == 404


def test_the_playground_marks_the_offending_spans(web: Web) -> None:
    client = web.login("mia")
    answer = post_form(client, "/screen", "/screen", text=BLOCKED)
    html = answer.text  # type: ignore[attr-defined]
    assert verdict_of(html) == "block"
    assert '<mark data-testid="span">' in html and 'data-testid="finding"' in html
    marks = re.findall(r'<mark data-testid="span">([^<]+)</mark>', html)
    assert any(part in BLOCKED for part in marks)


def _draft(client: TestClient, name: str, body: str) -> str:
    answer = post_form(client, "/templates", "/templates", name=name, body=body)
    assert answer.status_code == 303  # type: ignore[attr-defined]
    location: str = answer.headers["location"]  # type: ignore[attr-defined]
    assert location.startswith("/templates/versions/")
    return location


def test_draft_revise_submit_approve_through_the_forms(web: Web) -> None:
    mia, olga = web.login("mia"), web.login("olga")
    first = _draft(mia, "bill", BLOCKED)
    page = mia.get(first).text
    assert state_of(page, "version-state") == "screened" and verdict_of(page) == "block"
    assert '<mark data-testid="span">' in page
    revised = post_form(mia, first, f"{first}/revise", body=COMPLIANT)
    second = revised.headers["location"]  # type: ignore[attr-defined]
    assert second != first and verdict_of(mia.get(second).text) == "pass"
    assert post_form(mia, second, f"{second}/submit").status_code == 303  # type: ignore[attr-defined]
    assert state_of(mia.get(second).text, "version-state") == "submitted"
    assert 'data-testid="approve"' not in mia.get(second).text  # the author never decides
    queue = olga.get("/review").text
    assert 'data-testid="review-item"' in queue and second in queue
    approved = post_form(olga, second, f"{second}/approve", justification="")
    assert approved.status_code == 303  # type: ignore[attr-defined]
    assert state_of(olga.get(second).text, "version-state") == "approved"
    assert second not in olga.get("/review").text


def test_a_refused_step_shows_a_friendly_error(web: Web) -> None:
    mia, olga = web.login("mia"), web.login("olga")
    version = _draft(mia, "promo", BLOCKED)
    post_form(mia, version, f"{version}/submit")
    refused = post_form(olga, version, f"{version}/approve")
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "block" in refused.text and 'data-status="400"' in refused.text  # type: ignore[attr-defined]
    rejected = post_form(olga, version, f"{version}/reject", reason="misleading")
    assert rejected.status_code == 303  # type: ignore[attr-defined]
    assert state_of(olga.get(version).text, "version-state") == "rejected"


def test_a_campaign_is_created_approved_and_started_through_the_forms(web: Web) -> None:
    mia, olga = web.login("mia"), web.login("olga")
    version = _draft(mia, "bill", COMPLIANT)
    post_form(mia, version, f"{version}/submit")
    post_form(olga, version, f"{version}/approve")
    version_id = version.rsplit("/", 1)[1]
    created = post_form(
        mia, "/campaigns", "/campaigns", name="december", template_version_id=version_id,
        rate_limit_per_minute="600", starts_at="2026-12-01T09:00",
        variables="amount=1000元\ndue=2026-12-15",
    )  # fmt: skip
    assert created.status_code == 303, created.text  # type: ignore[attr-defined]
    campaign = created.headers["location"]  # type: ignore[attr-defined]
    assert state_of(mia.get(campaign).text, "campaign-state") == "draft"
    assert 'data-testid="review-item" data-kind="campaign"' in olga.get("/review").text
    assert post_form(olga, campaign, f"{campaign}/approve").status_code == 303  # type: ignore[attr-defined]
    page = mia.get(campaign).text
    assert state_of(page, "campaign-state") == "approved" and 'data-testid="campaign-start"' in page
    assert 'data-testid="chart"' in page and 'data-testid="sent-total"' in page
    assert post_form(mia, campaign, f"{campaign}/start").status_code == 303  # type: ignore[attr-defined]
    assert state_of(mia.get(campaign).text, "campaign-state") == "running"
    series = mia.get(f"{campaign}/series.json").json()
    assert len(series["sent"]) == 60 and series["state"] == "running"
    assert set(series) >= {"minutes", "delivered", "failed", "opt_outs", "complaints", "total_sent"}


def test_the_english_switch_changes_the_language(web: Web) -> None:
    client = web.login("mia")
    assert "营销活动" in client.get("/").text
    switched = client.get("/lang/en?next=/campaigns")
    assert switched.status_code == 303 and switched.headers["location"] == "/campaigns"
    page = client.get("/campaigns").text
    assert '<html lang="en">' in page and "New campaign" in page and "营销活动" not in page
    client.get("/lang/zh")
    assert '<html lang="zh-CN">' in client.get("/").text


def test_the_public_verify_page_answers_without_login(web: Web) -> None:
    client = web.anonymous()
    form = client.get("/verify")
    assert form.status_code == 200 and 'value="bank-a"' in form.text
    answer = client.post(
        "/verify", data={"institution": "bank-a", "phone": "13800000001", "text": FRAUD}
    )
    assert answer.status_code == 200
    assert 'data-testid="verify-answer" data-genuine="false"' in answer.text
    assert verdict_of(answer.text) == "block"
    assert "13800000001" not in answer.text


def test_the_public_verify_page_is_rate_limited(limited_web: Web) -> None:
    client = limited_web.anonymous()
    data = {"institution": "bank-a", "phone": "13800000001", "text": "hello"}
    statuses = [client.post("/verify", data=data).status_code for _ in range(4)]
    assert statuses[:2] == [200, 200] and statuses[-1] == 429


def test_no_page_carries_inline_script_or_style(web: Web) -> None:
    client = web.login("olga")
    pages = ["/", "/templates", "/review", "/campaigns", "/alerts", "/complaints", "/audit",
             "/log", "/verify", "/complain", "/login", "/no-such-page"]  # fmt: skip
    for path in pages:
        html = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert "<style" not in html and " style=" not in html, path
        assert not re.search(r"\son[a-z]+=", html), path
    answer = client.get("/")
    assert "default-src 'self'" in answer.headers["content-security-policy"]
    assert client.get("/static/chart.js").status_code == 200
    assert client.get("/static/app.css").status_code == 200


def test_the_csrf_token_on_pages_belongs_to_the_session(web: Web) -> None:
    from smsguard.governance.credentials import csrf_token

    client = web.login("mia")
    assert csrf_of(client.get("/").text) == csrf_token(client.cookies[SESSION_COOKIE])


def _running_campaign(web: Web) -> tuple[TestClient, str]:
    mia, olga = web.login("mia"), web.login("olga")
    version = _draft(mia, "bill", COMPLIANT)
    post_form(mia, version, f"{version}/submit")
    post_form(olga, version, f"{version}/approve")
    created = post_form(
        mia, "/campaigns", "/campaigns", name="december", rate_limit_per_minute="600",
        template_version_id=version.rsplit("/", 1)[1], variables="amount=1000元\ndue=2026-12-15",
    )  # fmt: skip
    campaign: str = created.headers["location"]  # type: ignore[attr-defined]
    post_form(olga, campaign, f"{campaign}/approve")
    post_form(mia, campaign, f"{campaign}/start")
    return olga, campaign


def test_the_alerts_page_shows_a_monitor_pause_and_reverses_it(web: Web) -> None:
    from smsguard.store import tenant_session
    from smsguard.store.models import AuditEvent
    from smsguard.store.workflow_models import Campaign

    olga, campaign = _running_campaign(web)
    campaign_id = int(campaign.rsplit("/", 1)[1])
    with tenant_session(web.api.database, web.api.institution_ids["bank-a"]) as session:  # type: ignore[attr-defined]
        session.get(Campaign, campaign_id).state = "paused"  # type: ignore[union-attr]
        session.add(AuditEvent(
            actor="monitor", action="campaign.pause", target_type="campaign",
            target_id=str(campaign_id),
            detail={"reason": "opt-outs 9% over 2%", "alert": {"detector": "opt_out_spike"}},
        ))  # fmt: skip
    page = olga.get("/alerts").text
    assert 'data-testid="monitor-action"' in page and "opt-outs 9% over 2%" in page
    action_id = re.search(r'data-testid="monitor-action" data-action="\w+" data-id="(\d+)"', page)
    assert action_id is not None
    reversed_ = post_form(
        olga, "/alerts", f"/alerts/actions/{action_id.group(1)}/reverse", reason="checked"
    )
    assert reversed_.status_code == 303  # type: ignore[attr-defined]
    assert state_of(olga.get(campaign).text, "campaign-state") == "running"
    assert 'data-testid="monitor-action"' not in olga.get("/alerts").text


def test_the_complaints_board_shows_deadlines(web: Web) -> None:
    desk = web.api.app.state.services.complaints(web.api.institution_ids["bank-a"])  # type: ignore[attr-defined]
    complaint_id = desk.intake("web", "13800000001", "other", "too many messages")
    olga = web.login("olga")
    board = olga.get("/complaints").text
    assert f'data-testid="complaint" data-id="{complaint_id}"' in board
    assert "13800000001" not in board and "too many messages" not in board
    shown = olga.get(f"/complaints/{complaint_id}").text
    assert 'data-testid="history-entry"' in shown and 'data-testid="complaint-status"' in shown


def test_the_home_page_counts_what_needs_the_viewers_attention(web: Web) -> None:
    officer = web.login("olga").get("/")
    assert 'data-testid="home-institution">BANK-A<' in officer.text
    assert (
        officer.text.count('data-testid="glance-count"') == 4
    )  # campaigns, review, complaints, alerts
    marketer = web.login("mia").get("/")
    assert marketer.text.count('data-testid="glance-count"') == 2  # campaigns and alerts only
