"""Signed alert webhooks: delivered to a real local HTTP receiver, verifiable, retried."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from smsguard.errors import InputError
from smsguard.gateway.webhooks import HEADER, WebhookNotifier, sign, verify_signature
from smsguard.monitor.alerts import Action, Alert, Subject

SECRET = b"0123456789abcdef-secret"
ALERT = Alert("opt_out_rate", "act", Subject("campaign", "7", "1"),
              "opt-out rate 3.1% (31 of 1,000 delivered)", Action.PAUSE_CAMPAIGN,
              datetime(2026, 12, 1, tzinfo=UTC), {"rate": "3.1%"})  # fmt: skip


class Receiver:
    """A webhook receiver answering a scripted list of statuses (then 200)."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.received: list[tuple[bytes, str]] = []
        self.done = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((body, self.headers[HEADER]))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                if status == 200:
                    receiver.done.set()

            def log_message(self, *args: object) -> None: ...

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


@pytest.fixture
def receiver(request: pytest.FixtureRequest) -> Iterator[Receiver]:
    made = Receiver(list(getattr(request, "param", [])))
    yield made
    made.server.shutdown()
    made.server.server_close()


def test_an_alert_arrives_signed_and_verifiable(receiver: Receiver) -> None:
    notifier = WebhookNotifier([receiver.url], SECRET, backoff=0.01)
    notifier(ALERT)
    notifier.close()
    body, header = receiver.received[0]
    verify_signature(SECRET, body, header, int(datetime.now(UTC).timestamp()))
    assert b'"detector": "opt_out_rate"' in body and b"3.1%" in body


@pytest.mark.parametrize("receiver", [[500, 503]], indirect=True)
def test_server_errors_are_retried(receiver: Receiver) -> None:
    notifier = WebhookNotifier([receiver.url], SECRET, backoff=0.01)
    notifier(ALERT)
    notifier.close()
    # The handler marks success after its response is on the wire, so allow it a moment.
    assert receiver.done.wait(5) and len(receiver.received) == 3


@pytest.mark.parametrize("receiver", [[400]], indirect=True)
def test_a_refusal_is_not_retried(receiver: Receiver) -> None:
    notifier = WebhookNotifier([receiver.url], SECRET, backoff=0.01)
    notifier(ALERT)
    notifier.close()
    assert len(receiver.received) == 1


def test_tampering_a_wrong_secret_and_replays_are_refused() -> None:
    body, now = b'{"a": 1}', 1_800_000_000
    header = sign(SECRET, body, now)
    verify_signature(SECRET, body, header, now + 10)
    with pytest.raises(InputError, match="does not match"):
        verify_signature(SECRET, b'{"a": 2}', header, now)
    with pytest.raises(InputError, match="does not match"):
        verify_signature(b"another-secret-16b", body, header, now)
    with pytest.raises(InputError, match="replay refused"):
        verify_signature(SECRET, body, header, now + 3600)
    with pytest.raises(InputError, match="malformed"):
        verify_signature(SECRET, body, "v1=abc", now)


@pytest.mark.parametrize(("urls", "secret"), [(["ftp://x"], SECRET), (["http://x"], b"short")])
def test_bad_configuration_is_refused(urls: list[str], secret: bytes) -> None:
    with pytest.raises(InputError):
        WebhookNotifier(urls, secret)
