"""The public complaint form, the desk's handling forms and the live deadline countdown."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from harness import Web, csrf_of, post_form
from needs import need

PHONE = "13800000001"
TEXT = "每天收到三条贷款营销短信，已回复退订仍然发送"
COMPLIANT = "【某银行】{name}您好，您的账单{amount}已出，请于{due:date}前还款。回复TD退订"
FORM = {"institution": "bank-a", "phone": PHONE, "category": "harassment", "text": TEXT}


def _desk(web: Web) -> object:
    return web.api.app.state.services.complaints(web.api.institution_ids["bank-a"])  # type: ignore[attr-defined]


def _open_case(web: Web, **fields: object) -> int:
    complaint_id: int = _desk(web).intake("web", PHONE, "other", "too many messages", **fields)  # type: ignore[attr-defined]
    return complaint_id


def _status(html: str) -> str:
    found = re.search(r'data-testid="complaint-status" data-status="(\w+)"', html)
    assert found is not None, "no complaint-status on the page"
    return found.group(1)


def _actions(html: str) -> list[str]:
    return re.findall(r'data-testid="history-entry" data-kind="status" data-action="(\w+)"', html)


def _step(client: TestClient, case: str, step: str, **fields: str) -> object:
    return post_form(client, case, f"{case}/{step}", **fields)


def _no_inline_code(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)


# ---- the public form ------------------------------------------------------------------------


def test_the_public_form_opens_a_case_the_desk_sees(web: Web) -> None:
    client = web.anonymous()
    form = client.get("/complain")
    assert form.status_code == 200 and 'data-testid="complain-form"' in form.text
    assert 'value="bank-a"' in form.text and 'value="fraud_impersonation"' in form.text
    assert "诈骗与冒充" in form.text and "csrf_token" not in form.text
    answer = client.post("/complain", data={**FORM, "message_date": "2026-01-15"})
    assert answer.status_code == 200, answer.text
    found = re.search(
        r'data-testid="complaint-receipt" data-id="(\d+)" data-due="([^"]+)"', answer.text
    )
    assert found is not None
    complaint_id, due = int(found.group(1)), found.group(2)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", due)
    assert re.search(
        r'data-testid="receipt-deadline"><time[^>]*>\d{4}年\d{1,2}月\d{1,2}日', answer.text
    )
    assert PHONE not in answer.text
    view, _history = _desk(web).show(complaint_id)  # type: ignore[attr-defined]
    assert view.channel == "web" and view.category == "harassment"
    assert view.due_at.strftime("%Y-%m-%dT%H:%M:%SZ") == due  # the desk's legal deadline
    text, _resolution = _desk(web).texts(complaint_id, "olga", "test")  # type: ignore[attr-defined]
    assert text.startswith(TEXT) and "2026-01-15" in text
    olga = web.login("olga")
    board = olga.get("/complaints").text
    assert f'data-testid="complaint" data-id="{complaint_id}"' in board
    assert PHONE not in board and TEXT not in board


def test_the_receipt_speaks_english_after_the_switch(web: Web) -> None:
    client = web.anonymous()
    client.get("/lang/en?next=/complain")
    form = client.get("/complain").text
    assert "Make a complaint" in form and "Fraud or impersonation" in form
    answer = client.post("/complain", data=FORM)
    assert "Your complaint has been received" in answer.text
    months = "January|February|March|April|May|June|July|August|September|October|November|December"
    assert re.search(rf"\d{{1,2}} ({months}) \d{{4}}, \d\d:\d\d", answer.text)


def test_bad_input_shows_the_form_again_with_the_message(web: Web) -> None:
    client = web.anonymous()
    tomorrow = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    cases = {
        "problem.text": {**FORM, "text": "   "},
        "problem.phone": {**FORM, "phone": "12345"},
        "problem.institution": {**FORM, "institution": "no-such-bank"},
        "problem.category": {**FORM, "category": "spam"},
        "problem.date": {**FORM, "message_date": "15/01/2026"},
    }
    cases["problem.date-future"] = {**FORM, "message_date": tomorrow}
    cases["problem.text-long"] = {**FORM, "text": "长" * 6000}
    for key, data in cases.items():
        answer = client.post("/complain", data=data)
        assert answer.status_code == 400, (key, answer.status_code)
        shown = key.split("-")[0]
        assert f'data-testid="complain-problem" data-problem="{shown}"' in answer.text, key
        assert 'data-testid="complain-form"' in answer.text and PHONE not in answer.text
    empty = client.post("/complain", data={**FORM, "text": ""}).text
    assert "请填写投诉内容" in empty
    kept = client.post("/complain", data={**FORM, "phone": "12345"}).text
    assert TEXT in kept  # the complainant's own words are kept for the next try
    assert _desk(web).cases() == []  # type: ignore[attr-defined]


def test_the_public_form_never_fails_into_a_500(web: Web) -> None:
    client = web.anonymous()
    for data in ({}, {"message_date": "9999-99-99"}, {**FORM, "phone": "+" + "9" * 40},
                 {**FORM, "text": "x" * 30_000}, {**FORM, "institution": "x" * 500}):  # fmt: skip
        answer = client.post("/complain", data=data)
        assert answer.status_code in (400, 422), (data.keys(), answer.status_code)
        assert "Traceback" not in answer.text
    assert client.get("/complain?institution=" + "x" * 5000).status_code == 200


def test_the_public_form_is_rate_limited(limited_web: Web) -> None:
    client = limited_web.anonymous()
    statuses = [client.post("/complain", data=FORM).status_code for _ in range(4)]
    assert statuses[:2] == [200, 200] and statuses[-1] == 429
    refused = client.post("/complain", data=FORM)
    assert 'data-status="429"' in refused.text


def test_a_post_from_another_site_is_refused(web: Web) -> None:
    client = web.anonymous()
    answer = client.post("/complain", data=FORM, headers={"Sec-Fetch-Site": "cross-site"})
    assert answer.status_code == 403 and _desk(web).cases() == []  # type: ignore[attr-defined]
    same = client.post("/complain", data=FORM, headers={"Sec-Fetch-Site": "same-origin"})
    assert same.status_code == 200


def test_visitors_find_the_form_from_the_menu_and_the_verify_page(web: Web) -> None:
    client = web.anonymous()
    verify = client.get("/verify").text
    assert 'data-testid="nav-complain"' in verify and 'href="/complain"' in verify
    assert 'data-testid="verify-complain"' in verify
    answer = client.post("/verify", data={"institution": "bank-a", "phone": PHONE, "text": "x"})
    assert 'href="/complain?institution=bank-a"' in answer.text
    preselected = client.get("/complain?institution=bank-b").text
    assert '<option value="bank-b" selected>' in preselected
    assert 'data-testid="nav-complain"' not in web.login("olga").get("/").text


# ---- the desk's forms -----------------------------------------------------------------------


def test_each_desk_step_through_its_form_changes_the_case(web: Web) -> None:
    case = f"/complaints/{_open_case(web)}"
    olga = web.login("olga")
    page = olga.get(case).text
    assert 'data-testid="desk-assign"' in page and '<option value="otto">' in page
    assert '<option value="mia">' not in page  # only officers and admins handle complaints
    assert _step(olga, case, "assign", assignee="otto").status_code == 303  # type: ignore[attr-defined]
    page = olga.get(case).text
    assert _status(page) == "assigned" and 'data-testid="complaint-assignee">otto<' in page
    assert _step(olga, case, "extend", reason="complex").status_code == 303  # type: ignore[attr-defined]
    page = olga.get(case).text
    assert _status(page) == "extended" and 'name="approved_by"' in page
    assert '<option value="otto">' in page.split('name="approved_by"')[1].split("</select>")[0]
    second = _step(olga, case, "extend", reason="especially-complex", approved_by="otto")
    assert second.status_code == 303  # type: ignore[attr-defined]
    assert 'data-testid="complaint-extensions">2<' in olga.get(case).text
    moved = _step(olga, case, "recategorise", category="collection", reason="misfiled")
    assert moved.status_code == 303  # type: ignore[attr-defined]
    page = olga.get(case).text
    assert 'data-category="collection"' in page and "to_category: collection" in page
    resolution = "退还多收的费用并停止发送营销短信"
    assert _step(olga, case, "resolve", text=resolution).status_code == 303  # type: ignore[attr-defined]
    page = olga.get(case).text
    assert _status(page) == "resolved" and resolution not in page
    assert 'data-testid="countdown"' not in page  # the clock stopped
    assert _step(olga, case, "close").status_code == 303  # type: ignore[attr-defined]
    assert _status(olga.get(case).text) == "closed"
    reopened = _step(olga, case, "reopen", reason="disputed-decision")
    assert reopened.status_code == 303  # type: ignore[attr-defined]
    assert reopened.headers["location"] == case  # type: ignore[attr-defined]
    page = olga.get(case).text
    assert _status(page) == "assigned" and "round: 2" in page
    assert _actions(page) == ["receive", "assign", "extend", "extend", "recategorise", "resolve",
                              "close", "reopen"]  # fmt: skip
    assert PHONE not in page and "too many messages" not in page
    _no_inline_code(page)


def test_a_refused_step_shows_the_message_on_the_case_page(web: Web) -> None:
    case = f"/complaints/{_open_case(web)}"
    olga = web.login("olga")
    early = _step(olga, case, "close")
    assert early.status_code == 400  # type: ignore[attr-defined]
    assert 'data-testid="complaint-problem"' in early.text and "cannot close" in early.text  # type: ignore[attr-defined]
    assert 'data-testid="complaint-status"' in early.text  # type: ignore[attr-defined]
    free_text = _step(olga, case, "reopen", reason="Because I said so")
    assert free_text.status_code == 400  # type: ignore[attr-defined]
    nobody = _step(olga, case, "assign", assignee="nobody")
    assert nobody.status_code == 400 and "no active user" in nobody.text  # type: ignore[attr-defined]
    assert _step(olga, case, "resolve", text="  ").status_code == 400  # type: ignore[attr-defined]
    _step(olga, case, "assign", assignee="otto")
    _step(olga, case, "resolve", text="done")
    _step(olga, case, "close")
    closed = _step(olga, case, "recategorise", category="collection", reason="misfiled")
    assert closed.status_code == 400 and "closed" in closed.text  # type: ignore[attr-defined]
    assert _status(olga.get(case).text) == "closed"
    missing = post_form(olga, case, "/complaints/999/close")
    assert missing.status_code == 404 and 'data-status="404"' in missing.text  # type: ignore[attr-defined]


def test_the_conflict_of_interest_rule_is_shown_not_a_500(web: Web) -> None:
    from smsguard.store import tenant_session
    from smsguard.store.complaint_models import Complaint

    mia, olga = web.login("mia"), web.login("olga")
    drafted = post_form(mia, "/templates", "/templates", name="bill", body=COMPLIANT)
    version = drafted.headers["location"]  # type: ignore[attr-defined]
    post_form(mia, version, f"{version}/submit")
    post_form(olga, version, f"{version}/approve")
    complaint_id = _open_case(web)
    with tenant_session(web.api.database, web.api.institution_ids["bank-a"]) as session:  # type: ignore[attr-defined]
        row = session.get(Complaint, complaint_id)
        assert row is not None
        row.template_version_id = int(version.rsplit("/", 1)[1])
    case = f"/complaints/{complaint_id}"
    refused = _step(olga, case, "assign", assignee="olga")
    assert refused.status_code == 403  # type: ignore[attr-defined]
    assert "conflict of interest" in refused.text and 'data-testid="desk-assign"' in refused.text  # type: ignore[attr-defined]
    assert _status(olga.get(case).text) == "received"
    assert _step(olga, case, "assign", assignee="otto").status_code == 303  # type: ignore[attr-defined]


def test_users_without_complaint_handle_may_not_post_steps(web: Web) -> None:
    case = f"/complaints/{_open_case(web)}"
    mia, ada = web.login("mia"), web.login("ada")
    steps = {"assign": {"assignee": "otto"}, "extend": {"reason": "complex"},
             "recategorise": {"category": "collection", "reason": "misfiled"},
             "resolve": {"text": "x"}, "close": {}, "reopen": {"reason": "disputed"}}  # fmt: skip
    for step, fields in steps.items():
        answer = post_form(mia, "/", f"{case}/{step}", **fields)
        assert answer.status_code == 403 and 'data-status="403"' in answer.text, step  # type: ignore[attr-defined]
    page = ada.get(case).text  # an auditor reads the case but sees no handling form
    assert ada.get(case).status_code == 200 and 'data-testid="desk-' not in page
    assert post_form(ada, case, f"{case}/close").status_code == 403  # type: ignore[attr-defined]
    assert _status(web.login("olga").get(case).text) == "received"


def test_a_step_without_the_csrf_token_is_refused(web: Web) -> None:
    case = f"/complaints/{_open_case(web)}"
    olga = web.login("olga")
    assert olga.post(f"{case}/assign", data={"assignee": "otto"}).status_code == 403
    wrong = olga.post(f"{case}/assign", data={"assignee": "otto", "csrf_token": "0" * 32})
    assert wrong.status_code == 403
    other = web.login("otto")
    stolen = olga.post(
        f"{case}/assign", data={"assignee": "otto", "csrf_token": csrf_of(other.get("/").text)}
    )
    assert stolen.status_code == 403
    assert _status(olga.get(case).text) == "received"


# ---- the countdown --------------------------------------------------------------------------


def test_deadlines_carry_the_instant_and_the_words_for_the_countdown(web: Web) -> None:
    fresh = _open_case(web)
    late = _open_case(web, received_at=datetime.now(UTC) - timedelta(days=40))
    olga = web.login("olga")
    for path in ("/complaints", f"/complaints/{fresh}"):
        page = olga.get(path).text
        assert '<script src="/static/countdown.js" defer></script>' in page
        found = re.search(r'data-testid="countdown" data-deadline="([^"]+)"', page)
        assert found is not None, path
        assert datetime.strptime(found.group(1), "%Y-%m-%dT%H:%M:%SZ")
        assert 'data-text-left="剩余 {days} 天 {hours} 小时"' in page
        assert 'data-text-overdue="已超期 {days} 天 {hours} 小时"' in page
        _no_inline_code(page)
    olga.get("/lang/en")
    page = olga.get(f"/complaints/{late}").text
    assert 'data-state="overdue"' in page and re.search(r"overdue by \d+ days \d+ hours", page)
    assert 'data-text-left="{days} days {hours} hours left"' in page
    board = olga.get("/complaints").text
    assert f'data-testid="complaint" data-id="{late}" data-overdue="true"' in board
    assert f'data-testid="complaint" data-id="{fresh}" data-overdue="false"' in board
    script = olga.get("/static/countdown.js")
    assert script.status_code == 200 and "data-text-overdue" in script.text
    assert "30000" in script.text


def test_the_new_pages_carry_no_inline_script_or_style(web: Web) -> None:
    client = web.anonymous()
    _no_inline_code(client.get("/complain").text)
    _no_inline_code(client.post("/complain", data=FORM).text)
    _no_inline_code(client.post("/complain", data={**FORM, "text": ""}).text)


# The countdown script run by node against a tiny stand-in for the page (node comes with the
# SMPP peer's install script; without it the test fails, naming that script).
NODE_PAGE = r"""
const fs = require("fs");
function element(attributes) {
  const classes = new Set();
  return {
    attributes, textContent: "",
    getAttribute(name) { return name in this.attributes ? this.attributes[name] : null; },
    setAttribute(name, value) { this.attributes[name] = String(value); },
    classList: { toggle(name, on) { if (on) { classes.add(name); } else { classes.delete(name); } },
                 contains(name) { return classes.has(name); } },
    closest() { return null; },
  };
}
const words = {"data-text-left": "{days} days {hours} hours left",
               "data-text-overdue": "overdue by {days} days {hours} hours"};
const hour = 3600000, now = Date.now();
const at = (ms) => new Date(now + ms).toISOString();
const soon = element({"data-deadline": at(2 * 86400000 + 5 * hour + 60000), ...words});
const late = element({"data-deadline": at(-26 * hour - 60000), ...words});
let every = 0;
global.window = { setInterval(fn, ms) { every = ms; } };
global.document = { readyState: "complete", querySelectorAll() { return [soon, late]; } };
eval(fs.readFileSync(process.argv[2], "utf8"));
console.log(JSON.stringify({soon: soon.textContent, late: late.textContent, every,
  soonState: soon.attributes["data-state"], lateState: late.attributes["data-state"],
  lateClass: late.classList.contains("overdue")}));
"""


def test_the_countdown_script_writes_the_time_left_and_overdue(tmp_path: Path) -> None:
    node = shutil.which("node")
    need("Node.js", node, ".ci/install-smpp-peer")
    assert node is not None
    script = Path(__file__).parents[2] / "smsguard" / "web" / "static" / "countdown.js"
    runner = tmp_path / "run.js"
    runner.write_text(NODE_PAGE, encoding="utf-8")
    done = subprocess.run([node, str(runner), str(script)], capture_output=True, text=True,
                          check=True, timeout=30)  # fmt: skip
    shown = json.loads(done.stdout)
    assert shown["soon"] == "2 days 5 hours left" and shown["soonState"] == "left"
    assert shown["late"] == "overdue by 1 days 2 hours" and shown["lateState"] == "overdue"
    assert shown["lateClass"] is True and shown["every"] == 30_000
