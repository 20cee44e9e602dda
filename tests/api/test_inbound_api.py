"""Provider pushes: Aliyun's JSON and Kannel's callbacks settle messages and record opt-outs."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from api_harness import Api
from sqlalchemy import select
from traffic import GOOD, message_states, send_campaign

from smsguard.gateway.inbound_push import token_file
from smsguard.store import tenant_session
from smsguard.store.models import Consent

TOKEN = "t0ken-" + "x" * 26


@pytest.fixture
def pushes(api: Api) -> Api:
    token_file(api.settings, "bank-a").write_text(TOKEN + "\n", encoding="utf-8")
    return api


def _url(path: str, token: str = TOKEN, code: str = "bank-a") -> str:
    return f"/api/v1/inbound/{code}/{token}/{path}"


def _aliyun_report(key: str, success: bool = True) -> list[dict[str, object]]:
    return [{
        "phone_number": next(iter(GOOD)), "send_time": "2026-12-01 10:00:01",
        "report_time": "2026-12-01 10:00:05", "success": success,
        "err_code": "DELIVERED" if success else "MK:0001", "err_msg": "用户接收成功",
        "sms_size": "1", "biz_id": "932702304080415357^0", "out_id": key,
    }]  # fmt: skip


def test_an_aliyun_delivery_report_settles_the_message(pushes: Api) -> None:
    sent = send_campaign(pushes)
    first, second = sent.keys[:2]
    client = pushes.anonymous()
    answer = client.post(_url("aliyun/report"), content=json.dumps(_aliyun_report(first)))
    assert answer.status_code == 200 and answer.json()["code"] == 0
    failed = client.post(_url("aliyun/report"), json=_aliyun_report(second, success=False))
    assert failed.status_code == 200
    states = message_states(pushes)
    assert states[first] == "delivered" and states[second] == "undelivered"


def test_an_aliyun_reply_records_the_opt_out(pushes: Api) -> None:
    send_campaign(pushes)
    phone = next(iter(GOOD))
    body = [{"phone_number": phone, "send_time": "2026-12-01 10:05:00", "content": "TD",
             "sign_name": "某银行", "dest_code": "1234", "sequence_id": 1234567}]  # fmt: skip
    answer = pushes.anonymous().post(_url("aliyun/mo"), json=body)
    assert answer.status_code == 200
    with tenant_session(pushes.database, pushes.institution_ids["bank-a"]) as session:
        states = set(session.scalars(select(Consent.status)))
    assert "withdrawn" in states


def test_kannel_callbacks_settle_and_record_replies(pushes: Api) -> None:
    sent = send_campaign(pushes)
    client = pushes.anonymous()
    dlr = client.get(_url(f"kannel/dlr?type=1&mid={sent.keys[0]}&ts=1764554405&fid=abc&smsc=x"))
    assert dlr.status_code == 200 and dlr.text == "ok\n"
    assert message_states(pushes)[sent.keys[0]] == "delivered"
    intermediate = client.get(_url(f"kannel/dlr?type=8&mid={sent.keys[1]}"))
    assert intermediate.status_code == 200
    assert message_states(pushes)[sent.keys[1]] == "sent"
    phone = list(GOOD)[1]
    form = f"sender=%2B86{phone}&receiver=1234&text={quote('退订')}&charset=UTF-8&coding=0&ts="
    mo = client.post(_url("kannel/mo"), content=form,
                     headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert mo.status_code == 200


def test_bad_payloads_are_400_never_500(pushes: Api) -> None:
    client = pushes.anonymous()
    for body in (b"not json", b"{}", b"[1, 2]"):
        answer = client.post(_url("aliyun/report"), content=body)
        assert answer.status_code == 400, body
    assert client.get(_url("kannel/dlr?type=99&mid=x")).status_code == 400
    assert client.get(_url("kannel/mo?text=hi")).status_code == 400


def test_a_wrong_token_is_401_and_no_token_configured_is_404(pushes: Api) -> None:
    client = pushes.anonymous()
    assert client.post(_url("aliyun/report", token="nope"), json=[]).status_code == 401
    token_file(pushes.settings, "bank-b").unlink(missing_ok=True)
    assert client.post(_url("aliyun/report", code="bank-b"), json=[]).status_code == 404
    assert client.post(_url("aliyun/report", code="bank-z"), json=[]).status_code == 404


def test_bank_a_token_does_not_open_bank_b(pushes: Api) -> None:
    token_file(pushes.settings, "bank-b").write_text("another-token-" + "y" * 20)
    answer = pushes.anonymous().post(_url("aliyun/report", code="bank-b"), json=[])
    assert answer.status_code == 401


def test_token_guessing_is_rate_limited(pushes: Api) -> None:
    client = pushes.anonymous()
    codes = [client.post(_url("aliyun/report", token=f"guess{i}"), json=[]).status_code
             for i in range(40)]  # fmt: skip
    assert codes[0] == 401 and codes[-1] == 429


def test_the_cli_writes_a_private_token_that_the_endpoints_accept(pushes: Api) -> None:
    from click.testing import CliRunner

    from smsguard.cli import cli

    result = CliRunner().invoke(
        cli, ["--home", str(pushes.settings.home), "keys", "inbound-token", "bank-b"]
    )
    assert result.exit_code == 0, result.output
    token = result.output.split("/api/v1/inbound/bank-b/")[1].split("/")[0]
    path = token_file(pushes.settings, "bank-b")
    assert path.stat().st_mode & 0o777 == 0o600
    answer = pushes.anonymous().post(_url("aliyun/report", token=token, code="bank-b"), json=[])
    assert answer.status_code == 200, answer.text
