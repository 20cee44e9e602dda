"""Kannel adapter without Kannel: callback parsing, sendsms parameters, response mapping.

Response mapping runs against a local stdlib HTTP server that answers as smsbox does (or
fails as a network does), so the real urllib path is exercised, not a mock of it.
"""

from __future__ import annotations

import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from smsguard.errors import ProviderError
from smsguard.gateway.callback_server import CallbackServer
from smsguard.gateway.providers.base import DeliveryReport, InboundSms, OutboundSms
from smsguard.gateway.providers.kannel import (
    KannelCallbackError,
    KannelProvider,
    KannelSettings,
    coding_for,
    decode_callback_query,
    dlr_url,
    mo_get_url,
    parse_dlr,
    parse_mo,
    segments_for,
    sendsms_params,
)

PHONE = "+8613812345678"


def _q(**fields: str) -> str:
    return urllib.parse.urlencode(fields)


# --- DLR ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dlr_type", "reply", "status"),
    [
        ("1", "id:7 stat:DELIVRD", "delivered"),
        ("2", "id:7 stat:UNDELIV err:001", "undelivered"),
        ("2", "id:7 stat:EXPIRED err:027", "expired"),
        ("2", "id:7 stat:REJECTD", "rejected"),
        ("16", "SMSC refused", "rejected"),
    ],
)
def test_final_dlr_types_map_to_statuses(dlr_type: str, reply: str, status: str) -> None:
    report = parse_dlr({"mid": "m-1", "type": dlr_type, "reply": reply, "ts": "1700000000"})
    assert report == DeliveryReport(
        message_id="m-1",
        provider_id=None,
        status=status,  # type: ignore[arg-type]
        reason="" if status == "delivered" else reply,
        at=datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC),
    )


@pytest.mark.parametrize("dlr_type", ["4", "8"])
def test_intermediate_dlrs_are_not_outcomes(dlr_type: str) -> None:
    assert parse_dlr({"mid": "m-1", "type": dlr_type, "reply": "ACK/"}) is None


@pytest.mark.parametrize(
    "fields", [{"mid": "m"}, {"type": "x"}, {"type": "3"}, {"type": "1", "ts": "soon"}]
)
def test_malformed_dlrs_are_refused(fields: dict[str, str]) -> None:
    with pytest.raises(KannelCallbackError):
        parse_dlr(fields)


def test_dlr_reason_never_carries_a_phone_number() -> None:
    report = parse_dlr({"type": "2", "reply": "to 13812345678 failed", "fid": "c9"})
    assert report is not None and report.provider_id == "c9"
    assert "13812345678" not in report.reason and "failed" in report.reason


def test_dlr_url_carries_the_quoted_message_id_and_kannels_escapes() -> None:
    url = dlr_url("https://sg.example/", "batch 7/msg&1")
    base, _, query = url.partition("?")
    assert base == "https://sg.example/kannel/dlr"
    assert urllib.parse.parse_qs(query)["mid"] == ["batch 7/msg&1"]
    assert "type=%d" in query and "reply=%A" in query and "%p" not in query


# --- MO -----------------------------------------------------------------------------------


def test_mo_url_names_the_fields_parse_mo_reads() -> None:
    url = mo_get_url("http://cb:8080")
    assert url.startswith("http://cb:8080/kannel/mo?")
    assert {"sender=%p", "receiver=%P", "text=%b", "charset=%C", "ts=%T"} <= set(
        url.partition("?")[2].split("&")
    )


@pytest.mark.parametrize(
    ("raw_text", "charset", "coding"),
    [
        (urllib.parse.quote("退订".encode()), "UTF-8", "0"),
        (urllib.parse.quote("退订".encode("utf-16-be")), "UTF-16BE", "2"),
        (urllib.parse.quote("退订".encode("utf-16-be")), "", "2"),
    ],
    ids=["utf8", "ucs2-charset", "ucs2-coding-only"],
)
def test_chinese_mo_text_survives_every_encoding(raw_text: str, charset: str, coding: str) -> None:
    query = f"sender=%2B8613812345678&receiver=10690001&text={raw_text}&charset={charset}"
    sms = parse_mo(decode_callback_query(f"{query}&coding={coding}&ts=1700000000&kid=k1"))
    assert sms == InboundSms(
        sender=PHONE,
        text="退订",
        received_at=datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC),
        provider_id="k1",
        recipient="10690001",
    )


def test_mo_text_keeps_spaces_and_newlines() -> None:
    sms = parse_mo(decode_callback_query(_q(sender="1", text="TD  now\n谢谢")))
    assert sms.text == "TD  now\n谢谢"


@pytest.mark.parametrize(
    "query", ["text=TD", "sender=&text=TD", "sender=1", "sender=1&text=%FF%FE&charset=UTF-8"]
)
def test_malformed_mos_are_refused(query: str) -> None:
    with pytest.raises(KannelCallbackError):
        parse_mo(decode_callback_query(query))


def test_an_unknown_charset_is_refused() -> None:
    with pytest.raises(KannelCallbackError, match="charset"):
        decode_callback_query("sender=1&text=a&charset=NO-SUCH-CHARSET")


# --- sendsms parameters --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "coding", "segments"),
    [
        ("A" * 160, 0, 1),
        ("A" * 161, 0, 2),
        ("€" * 80, 0, 1),  # extension characters take two septets
        ("€" * 81, 0, 2),
        ("退" * 70, 2, 1),
        ("退" * 71, 2, 2),
        ("退" * 134, 2, 2),
        ("退" * 135, 2, 3),
        ("ok 😀", 2, 1),
    ],
)
def test_coding_and_segments(text: str, coding: int, segments: int) -> None:
    assert (coding_for(text), segments_for(text)) == (coding, segments)


SETTINGS = KannelSettings(
    sendsms_url="http://127.0.0.1:1/cgi-bin/sendsms",
    username="sg",
    password="pw",
    callback_base_url="http://cb",
    default_sender="10690001",
)


def test_sendsms_params_for_chinese_text() -> None:
    params = sendsms_params(SETTINGS, OutboundSms("m-1", PHONE, "退订回T"))
    assert params["text"] == "退订回T" and params["charset"] == "UTF-8"
    assert (params["coding"], params["from"], params["to"]) == ("2", "10690001", PHONE)
    assert params["dlr-mask"] == "31" and params["dlr-url"] == dlr_url("http://cb", "m-1")
    assert "smsc" not in params


def test_the_message_sender_wins_over_the_default() -> None:
    params = sendsms_params(SETTINGS, OutboundSms("m-1", PHONE, "hi", sender="95555"))
    assert (params["from"], params["coding"]) == ("95555", "0")


# --- response mapping against a local server -----------------------------------------------


class _Smsbox:
    """A stand-in smsbox: answers each request with the next scripted (status, body)."""

    def __init__(self) -> None:
        self.answer: tuple[int, str] = (202, "0: Accepted for delivery")
        self.queries: list[dict[str, list[str]]] = []
        self.silence = ""  # "hang": never answer; "close": drop the connection unanswered
        self.release = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.queries.append(urllib.parse.parse_qs(self.path.partition("?")[2]))
                if owner.silence == "hang":
                    owner.release.wait(10)
                if owner.silence:
                    self.close_connection = True
                    return
                status, body = owner.answer
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cgi-bin/sendsms"


@pytest.fixture
def smsbox() -> Iterator[_Smsbox]:
    box = _Smsbox()
    thread = threading.Thread(target=box.server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield box
    box.release.set()
    box.server.shutdown()
    box.server.server_close()


def _provider(url: str, timeout: float = 5.0) -> KannelProvider:
    return KannelProvider(
        KannelSettings(url, "sg", "pw", "http://cb", "10690001", None, 31, timeout)
    )


@pytest.mark.parametrize(
    "answer",
    [(202, "0: Accepted for delivery"), (202, "3: Queued for later delivery"), (200, "Sent.")],
)
def test_accepted_answers_are_submissions(smsbox: _Smsbox, answer: tuple[int, str]) -> None:
    smsbox.answer = answer
    text = "【好借银行】" + "退" * 70
    submission = _provider(smsbox.url).submit(OutboundSms("m-1", PHONE, text))
    assert (submission.message_id, submission.segments) == ("m-1", 2)
    sent = smsbox.queries[0]
    assert (sent["text"], sent["to"], sent["coding"]) == ([text], [PHONE], ["2"])
    assert sent["dlr-url"] == [dlr_url("http://cb", "m-1")]


@pytest.mark.parametrize(
    ("answer", "transient"),
    [
        ((403, "Authorization failed for sendsms"), False),
        ((400, "Empty receiver number not allowed, rejected"), False),
        ((503, "Temporal failure, try again later."), True),
        ((500, ""), True),
    ],
)
def test_refusals_carry_kannels_reason(
    smsbox: _Smsbox, answer: tuple[int, str], transient: bool
) -> None:
    smsbox.answer = answer
    with pytest.raises(ProviderError) as caught:
        _provider(smsbox.url).submit(OutboundSms("m-1", PHONE, "hi"))
    assert caught.value.transient is transient
    assert caught.value.reason == (answer[1] or f"HTTP {answer[0]}")


def test_a_refusal_quoting_the_number_is_masked(smsbox: _Smsbox) -> None:
    smsbox.answer = (403, "Number 13812345678 is not allowed")
    with pytest.raises(ProviderError) as caught:
        _provider(smsbox.url).submit(OutboundSms("m-1", PHONE, "hi"))
    assert "13812345678" not in caught.value.reason + str(caught.value)


def test_an_unrecognised_success_is_uncertain_not_retried(smsbox: _Smsbox) -> None:
    smsbox.answer = (202, "something else")
    with pytest.raises(ProviderError) as caught:
        _provider(smsbox.url).submit(OutboundSms("m-1", PHONE, "hi"))
    assert (caught.value.transient, caught.value.uncertain) == (False, True)


@pytest.mark.parametrize("silence", ["hang", "close"])
def test_no_answer_after_sending_is_uncertain(smsbox: _Smsbox, silence: str) -> None:
    smsbox.silence = silence
    with pytest.raises(ProviderError) as caught:
        _provider(smsbox.url, timeout=0.5).submit(OutboundSms("m-1", PHONE, "hi"))
    assert (caught.value.transient, caught.value.uncertain) == (False, True)
    assert len(smsbox.queries) == 1  # the request did reach "Kannel"


def test_a_refused_connection_is_transient() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago and has no listener
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ProviderError) as caught:
        _provider(f"http://127.0.0.1:{port}/cgi-bin/sendsms").submit(
            OutboundSms("m-1", PHONE, "hi")
        )
    assert caught.value.transient is True
    assert "13812345678" not in str(caught.value) and "pw" not in caught.value.reason


# --- the callback server -------------------------------------------------------------------


class _Sink:
    def __init__(self) -> None:
        self.reports: list[DeliveryReport] = []
        self.inbound_sms: list[InboundSms] = []
        self.fail = False

    def delivery_report(self, report: DeliveryReport) -> None:
        if self.fail:
            raise RuntimeError(f"database down while storing {PHONE}")
        self.reports.append(report)

    def inbound(self, sms: InboundSms) -> None:
        self.inbound_sms.append(sms)


@pytest.fixture
def callbacks() -> Iterator[tuple[CallbackServer, _Sink]]:
    sink = _Sink()
    with CallbackServer(sink) as server:
        yield server, sink


def _call(url: str, data: bytes | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, data=data)
    if data is not None:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_callback_server_routes_dlrs_and_mos(callbacks: tuple[CallbackServer, _Sink]) -> None:
    server, sink = callbacks
    ucs2 = urllib.parse.quote("退订".encode("utf-16-be"))
    assert _call(f"{server.url}/kannel/dlr?mid=m-1&type=1&reply=ok&ts=1700000000")[0] == 200
    assert _call(f"{server.url}/kannel/dlr?mid=m-1&type=8&reply=ACK%2F")[0] == 200
    mo = f"{server.url}/kannel/mo?sender=%2B8613812345678&text={ucs2}&coding=2"
    assert _call(mo) == (200, "ok\n")
    post = _call(f"{server.url}/kannel/mo", _q(sender="10086", text="TD").encode())
    assert post[0] == 200
    assert [(r.message_id, r.status) for r in sink.reports] == [("m-1", "delivered")]
    assert [(s.sender, s.text) for s in sink.inbound_sms] == [(PHONE, "退订"), ("10086", "TD")]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/kannel/dlr?type=banana&p=13812345678", 400),
        ("/kannel/mo?text=TD&receiver=13812345678", 400),
        ("/kannel/mo?sender=13812345678&text=%FF&charset=UTF-8", 400),
        ("/elsewhere?sender=13812345678", 404),
    ],
)
def test_bad_callbacks_get_a_short_answer_without_the_number(
    callbacks: tuple[CallbackServer, _Sink], path: str, status: int
) -> None:
    server, sink = callbacks
    got_status, body = _call(server.url + path)
    assert got_status == status
    assert "13812345678" not in body and "Traceback" not in body and len(body) < 100
    assert sink.reports == [] and sink.inbound_sms == []


def test_a_failing_sink_gets_500_so_kannel_retries(
    callbacks: tuple[CallbackServer, _Sink], caplog: pytest.LogCaptureFixture
) -> None:
    server, sink = callbacks
    sink.fail = True
    assert _call(f"{server.url}/kannel/dlr?mid=m&type=1") == (500, "internal error\n")
    assert "13812345678" not in caplog.text and "RuntimeError" in caplog.text
