"""Provider pushes: the token fails closed, bodies parse or are an InputError."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smsguard.errors import InputError, NotFound, Unauthenticated
from smsguard.gateway.inbound_push import (
    MAX_BODY,
    aliyun_replies,
    aliyun_reports,
    check_inbound_token,
    kannel_fields,
    kannel_report,
    token_file,
)
from smsguard.settings import Settings

TOKEN = "s3cret-" + "z" * 20


def test_the_token_fails_closed(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    with pytest.raises(NotFound):
        check_inbound_token(settings, "bank-a", TOKEN)
    token_file(settings, "bank-a").parent.mkdir(parents=True)
    token_file(settings, "bank-a").write_text("short")
    with pytest.raises(NotFound):  # too short to be a secret: as if none were configured
        check_inbound_token(settings, "bank-a", "short")
    token_file(settings, "bank-a").write_text(TOKEN + "\n")
    check_inbound_token(settings, "bank-a", TOKEN)
    with pytest.raises(Unauthenticated):
        check_inbound_token(settings, "bank-a", TOKEN + "x")
    with pytest.raises(NotFound):
        check_inbound_token(settings, "../etc", TOKEN)


def test_aliyun_bodies() -> None:
    report = [{"out_id": "k1", "biz_id": "b", "success": False, "err_code": "MK:0001",
               "report_time": "2026-12-01 10:00:05"}]  # fmt: skip
    (parsed,) = aliyun_reports(json.dumps(report).encode())
    assert parsed.message_id == "k1" and parsed.status == "undelivered"
    up = [{"phone_number": "13800000001", "content": "TD", "send_time": "2026-12-01 10:00:05"}]
    assert aliyun_replies(json.dumps(up).encode())[0].text == "TD"
    for bad in (b"", b"{}", b"[1]", b"\xff", b"[" + b" " * MAX_BODY + b"]"):
        with pytest.raises(InputError):
            aliyun_reports(bad)


def test_kannel_fields_from_query_and_form() -> None:
    fields = kannel_fields("type=1", b"mid=k9&ts=1764554405", form=True)
    report = kannel_report(fields)
    assert report is not None and report.message_id == "k9" and report.status == "delivered"
    assert kannel_report(kannel_fields("type=4&mid=k9", b"", form=False)) is None
