"""The Aliyun adapter, through the official SDK, against a local server of the documented contract.

The server checks what the adapter sends (Action, PhoneNumbers, SignName, TemplateCode,
TemplateParam, OutId) and the SDK's ACS3-HMAC-SHA256 signature, and answers as Dysmsapi
documents: HTTP 200 with a ``Code`` for business outcomes, an HTTP error status with a
``Code`` for gateway-level ones. The real service is not reachable from here.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import pytest

from smsguard.errors import ProviderError
from smsguard.gateway.providers.aliyun import AliyunConfig, AliyunProvider, AliyunTemplate
from smsguard.gateway.providers.aliyun_codec import match_template
from smsguard.gateway.providers.base import DeliveryReport, InboundSms, OutboundSms

SECRET = "test-secret"
TEMPLATES = (
    AliyunTemplate("SMS_100", "{name}您好，您的借款{amount}已到账，年化利率7.2%。退订回T"),
    AliyunTemplate("SMS_200", "您的还款日为{due:date}，请按时还款。退订回T"),
)
TEXT = "【好借银行】张三您好，您的借款5000元已到账，年化利率7.2%。退订回T"


def _canonical(method: str, path: str, query: list[tuple[str, str]], headers: Any) -> str:
    """ACS3's canonical request, computed independently of the SDK from the wire request."""
    enc = lambda s: quote(s, safe="-_.~")  # noqa: E731
    signed = _auth_part(headers, "SignedHeaders").split(";")
    return "\n".join(
        [
            method,
            path,
            "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(query)),
            "".join(f"{h}:{headers[h].strip()}\n" for h in signed),
            ";".join(signed),
            headers["x-acs-content-sha256"],
        ]
    )


def _auth_part(headers: Any, name: str) -> str:
    auth = headers["Authorization"].removeprefix("ACS3-HMAC-SHA256 ")
    return dict(part.split("=", 1) for part in auth.split(","))[name]


class Dysms(BaseHTTPRequestHandler):
    """POST / with the parameters in the query, as the SDK sends RPC-style calls."""

    server: Any

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        query = parse_qsl(url.query, keep_blank_values=True)
        params = dict(query)
        action = self.headers.get("x-acs-action") or params.get("Action", "")
        canonical = _canonical("POST", url.path, query, self.headers)
        to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
        expected = hmac.new(SECRET.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, _auth_part(self.headers, "Signature")):
            self._answer(400, {"Code": "IncompleteSignature", "Message": "bad signature"})
            return
        self.server.requests.append({"Action": action, **params})
        status, body = self.server.replies.pop(0) if self.server.replies else (200, None)
        if status == 0:  # answer too late: the client gives up after sending
            time.sleep(0.5)
            status = 200
        self._answer(status, body or self._ok(action))

    def _ok(self, action: str) -> dict[str, Any]:
        if action == "SendSms":
            return {"Code": "OK", "Message": "OK", "BizId": "900^123", "RequestId": "r-1"}
        row = {"SendStatus": 3, "ErrCode": "DELIVERED", "OutId": "m-1",
               "ReceiveDate": "2026-01-02 10:00:05", "PhoneNum": "13812345678"}  # fmt: skip
        return {"Code": "OK", "Message": "OK", "RequestId": "r-2", "TotalCount": 1,
                "SmsSendDetailDTOs": {"SmsSendDetailDTO": [row]}}  # fmt: skip

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: Any) -> None:
        """Quiet: a request line holds the phone number."""


class Sink:
    def __init__(self) -> None:
        self.reports: list[DeliveryReport] = []
        self.inbound_sms: list[InboundSms] = []

    def delivery_report(self, report: DeliveryReport) -> None:
        self.reports.append(report)

    def inbound(self, sms: InboundSms) -> None:
        self.inbound_sms.append(sms)


@pytest.fixture(scope="module")
def running_server() -> Iterator[Any]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Dysms)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def server(running_server: Any) -> Any:
    running_server.requests, running_server.replies = [], []
    return running_server


def _provider(endpoint: str, sink: Sink | None = None, timeout_ms: int = 3000) -> AliyunProvider:
    config = AliyunConfig("test-ak", SECRET, "好借银行", TEMPLATES, endpoint=endpoint,
                          protocol="HTTP", read_timeout_ms=timeout_ms)  # fmt: skip
    return AliyunProvider(config, sink)


@pytest.fixture
def aliyun(server: Any) -> AliyunProvider:
    return _provider(f"127.0.0.1:{server.server_port}", Sink())


def test_send_sms_carries_template_code_params_and_our_id(
    server: Any, aliyun: AliyunProvider
) -> None:
    sub = aliyun.submit(OutboundSms("m-1", "+8613812345678", TEXT))
    assert (sub.message_id, sub.provider_id, sub.segments) == ("m-1", "900^123", 1)
    (sent,) = server.requests
    assert {k: sent[k] for k in ("Action", "PhoneNumbers", "SignName", "TemplateCode", "OutId")} \
        == {"Action": "SendSms", "PhoneNumbers": "13812345678", "SignName": "好借银行",
            "TemplateCode": "SMS_100", "OutId": "m-1"}  # fmt: skip
    assert json.loads(sent["TemplateParam"]) == {"name": "张三", "amount": "5000元"}


def test_international_numbers_keep_their_country_code(server: Any, aliyun: AliyunProvider) -> None:
    aliyun.submit(
        OutboundSms(
            "m-2", "+85291234567", "【好借银行】您的还款日为2026-07-01，请按时还款。退订回T"
        )
    )
    assert server.requests[0]["PhoneNumbers"] == "85291234567"
    assert json.loads(server.requests[0]["TemplateParam"]) == {"due": "2026-07-01"}


@pytest.mark.parametrize(
    ("status", "code", "transient"),
    [(200, "isv.BUSINESS_LIMIT_CONTROL", True), (200, "isv.MOBILE_NUMBER_ILLEGAL", False),
     (200, "isv.SMS_TEMPLATE_ILLEGAL", False), (200, "isv.SMS_SIGNATURE_ILLEGAL", False),
     (200, "isv.AMOUNT_NOT_ENOUGH", False), (400, "Throttling.User", True),
     (503, "ServiceUnavailable", True), (404, "InvalidAccessKeyId.NotFound", False)],
)  # fmt: skip
def test_response_codes_map_to_provider_errors(
    server: Any, aliyun: AliyunProvider, status: int, code: str, transient: bool
) -> None:
    server.replies.append((status, {"Code": code, "Message": "refused", "RequestId": "r"}))
    with pytest.raises(ProviderError) as err:
        aliyun.submit(OutboundSms("m-3", "+8613812345678", TEXT))
    assert (err.value.reason, err.value.transient) == (code, transient)
    assert "13812345678" not in str(err.value)


def test_an_unreachable_service_is_transient_and_names_no_number() -> None:
    with pytest.raises(ProviderError) as err:
        _provider("127.0.0.1:1").submit(OutboundSms("m-4", "+8613812345678", TEXT))
    assert (err.value.reason, err.value.transient) == ("NETWORK", True)
    assert "13812345678" not in str(err.value)


def test_a_lost_answer_is_permanent_because_send_sms_is_not_idempotent(server: Any) -> None:
    server.replies.append((0, None))
    aliyun = _provider(f"127.0.0.1:{server.server_port}", timeout_ms=100)
    with pytest.raises(ProviderError) as err:
        aliyun.submit(OutboundSms("m-7", "+8613812345678", TEXT))
    assert (err.value.reason, err.value.transient, err.value.uncertain) == (
        "ALIYUN_NO_RESPONSE",
        False,
        True,
    )
    assert "13812345678" not in str(err.value)


def test_a_text_that_is_not_a_registered_template_is_never_sent(
    server: Any, aliyun: AliyunProvider
) -> None:
    with pytest.raises(ProviderError) as err:
        aliyun.submit(OutboundSms("m-5", "+8613812345678", TEXT + "点击 t.cn/x 领取"))
    assert (err.value.reason, err.value.transient) == ("NO_ALIYUN_TEMPLATE", False)
    with pytest.raises(ProviderError) as err:
        aliyun.submit(OutboundSms("m-6", "+8613812345678", TEXT.replace("好借银行", "别家")))
    assert err.value.reason == "SIGNATURE_MISMATCH"
    assert server.requests == []


def test_a_repeated_placeholder_must_repeat_the_same_value() -> None:
    template = AliyunTemplate("SMS_9", "{name}，{name}")
    assert match_template("【S】张三，张三", "S", [template]) == ("SMS_9", {"name": "张三"})
    with pytest.raises(ProviderError):
        match_template("【S】张三，李四", "S", [template])


def test_query_send_details_becomes_a_delivery_report(server: Any) -> None:
    sink = Sink()
    report = _provider(f"127.0.0.1:{server.server_port}", sink).query_report(
        "900^123", "+8613812345678", date(2026, 1, 2)
    )
    at = datetime(2026, 1, 2, 2, 0, 5, tzinfo=UTC)  # 10:00:05 Beijing time
    assert report == DeliveryReport("m-1", "900^123", "delivered", "", at)
    assert sink.reports == [report]
    sent = server.requests[0]
    assert (sent["Action"], sent["BizId"], sent["SendDate"]) == (
        "QuerySendDetails",
        "900^123",
        "20260102",
    )


def test_pushed_sms_reports_and_replies_reach_the_sink(server: Any) -> None:
    sink = Sink()
    aliyun = _provider(f"127.0.0.1:{server.server_port}", sink)
    reports = [
        {"phone_number": "13812345678", "send_time": "2026-01-02 10:00:00",
         "report_time": "2026-01-02 10:00:03", "success": False, "err_code": "MK:0012",
         "err_msg": "失败", "sms_size": "1", "biz_id": "900^123", "out_id": "m-1"},
    ]  # fmt: skip
    ups = [
        {"phone_number": "13812345678", "send_time": "2026-01-02 11:00:00", "content": "退订",
         "sign_name": "好借银行", "dest_code": "1234", "sequence_id": 1234567890},
    ]  # fmt: skip
    assert aliyun.handle_report_push(json.dumps(reports).encode()) == {"code": 0, "msg": "接收成功"}
    aliyun.handle_up_push(json.dumps(ups, ensure_ascii=False).encode())
    (report,) = sink.reports
    assert (report.message_id, report.provider_id, report.status, report.reason) == (
        "m-1", "900^123", "undelivered", "MK:0012")  # fmt: skip
    (reply,) = sink.inbound_sms
    assert (reply.sender, reply.text, reply.recipient, reply.provider_id) == (
        "13812345678", "退订", "1234", "1234567890")  # fmt: skip
    assert reply.received_at == datetime(2026, 1, 2, 3, 0, tzinfo=UTC)
