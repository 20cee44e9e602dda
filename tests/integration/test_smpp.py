"""The SMPP adapter against a real, independent SMPP implementation: node-smpp's server mode.

``smpp_peer/server.js`` is a small SMSC built on the ``smpp`` npm package (installed by
``.ci/install-smpp-peer``, i.e. ``npm ci`` in ``smpp_peer/``). node-smpp parses our PDUs and
decodes each part's UDH and text itself, so a wrong data_coding, UDH or byte order shows up
here as a wrong decoded message. Without node or the package the tests fail, naming the
install script (tests/needs.py).
"""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from needs import need

from smsguard.errors import ProviderError
from smsguard.gateway.providers.base import DeliveryReport, InboundSms, OutboundSms
from smsguard.gateway.providers.smpp import SmppConfig, SmppProvider
from smsguard.screening.facts.segments import segment_info

PEER_DIR = Path(__file__).parent / "smpp_peer"
WAIT = 10.0  # an upper bound for anything to arrive, never an expectation of speed
TO = "+8613812345678"
CHINESE_LONG = "【好借银行】尊敬的客户，您申请的借款已审批通过，年化利率（单利）7.2%，" * 4


def _missing_peer() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not (PEER_DIR / "node_modules" / "smpp").is_dir():
        return "node-smpp is not installed: run .ci/install-smpp-peer"
    return None


class Peer:
    """The node SMSC process: JSON events from its stdout, JSON commands to its stdin."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            ["node", str(PEER_DIR / "server.js"), "0"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._events: queue.Queue[dict[str, Any]] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.port = int(self.next_event("listening")["port"])

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._events.put(json.loads(line))

    def command(self, **cmd: Any) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        self.next_event("ack")

    def next_event(self, kind: str) -> dict[str, Any]:
        """The next event of ``kind``, dropping others before it."""
        while True:
            event = self._events.get(timeout=WAIT)
            if event["event"] == kind:
                return event

    def drain(self) -> None:
        while not self._events.empty():
            self._events.get_nowait()

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=WAIT)
        self._reader.join(timeout=WAIT)
        assert self.proc.stdout is not None
        self.proc.stdout.close()


class Sink:
    """A ProviderEvents that records what the reader thread hands it."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.reports: list[DeliveryReport] = []
        self.inbound_sms: list[InboundSms] = []

    def delivery_report(self, report: DeliveryReport) -> None:
        with self._cond:
            self.reports.append(report)
            self._cond.notify_all()

    def inbound(self, sms: InboundSms) -> None:
        with self._cond:
            self.inbound_sms.append(sms)
            self._cond.notify_all()

    def wait(self, check: Callable[[], bool]) -> None:
        with self._cond:
            assert self._cond.wait_for(check, timeout=WAIT), "nothing arrived"


@pytest.fixture(scope="module")
def peer() -> Iterator[Peer]:
    missing = _missing_peer()
    need(f"the SMPP peer ({missing})", missing is None, "`.ci/install-smpp-peer`")
    started = Peer()
    yield started
    started.stop()


def _config(port: int, **overrides: Any) -> SmppConfig:
    base: dict[str, Any] = dict(
        host="127.0.0.1",
        port=port,
        system_id="smsguard",
        password="secret",
        source_addr="10690001",
        response_timeout=5.0,
        bind_timeout=5.0,
        reconnect_delay=0.05,
        part_retry_delay=0.0,
    )
    return SmppConfig(**(base | overrides))


@pytest.fixture
def sink() -> Sink:
    return Sink()


@pytest.fixture
def provider(peer: Peer, sink: Sink) -> Iterator[SmppProvider]:
    peer.command(cmd="receipts", stat="DELIVRD")
    smpp = SmppProvider(_config(peer.port), sink)
    assert smpp.wait_bound(WAIT)
    assert peer.next_event("bound")["system_id"] == "smsguard"
    peer.drain()
    yield smpp
    smpp.close()


def test_an_ascii_message_goes_as_one_gsm_part(peer: Peer, provider: SmppProvider) -> None:
    text = "Your code is 123456. Reply STOP {or} [N]"
    sub = provider.submit(OutboundSms("m-ascii", TO, text))
    seen = peer.next_event("submit_sm")
    assert (sub.segments, seen["data_coding"], seen["esm_class"], seen["udh"]) == (1, 0, 0, [])
    assert seen["message"] == text
    assert seen["destination_addr"] == "8613812345678"
    assert (seen["dest_addr_ton"], seen["registered_delivery"]) == (1, 1)
    assert sub.provider_id


def test_a_long_chinese_message_arrives_as_concatenated_ucs2_parts(
    peer: Peer, provider: SmppProvider
) -> None:
    sub = provider.submit(OutboundSms("m-long", TO, CHINESE_LONG))
    expected_parts = segment_info(CHINESE_LONG).parts
    parts = [peer.next_event("submit_sm") for _ in range(expected_parts)]
    assert sub.segments == expected_parts == 3
    assert {(p["data_coding"], p["esm_class"] & 0x40) for p in parts} == {(8, 0x40)}
    headers = [bytes.fromhex(p["udh"][0]) for p in parts]  # IEI, length, ref, total, seq
    assert {h[:2] for h in headers} == {b"\x00\x03"}
    assert len({h[2] for h in headers}) == 1
    assert [(h[3], h[4]) for h in headers] == [(3, 1), (3, 2), (3, 3)]
    assert "".join(p["message"] for p in parts) == CHINESE_LONG
    assert all(len(p["message"]) <= 67 for p in parts)


def test_a_delivery_receipt_becomes_a_delivery_report(
    peer: Peer, provider: SmppProvider, sink: Sink
) -> None:
    sub = provider.submit(OutboundSms("m-dlr", TO, "receipt please"))
    sink.wait(lambda: any(r.provider_id == sub.provider_id for r in sink.reports))
    report = next(r for r in sink.reports if r.provider_id == sub.provider_id)
    assert (report.status, report.reason) == ("delivered", "")
    assert peer.next_event("deliver_sm_resp")["status"] == 0

    peer.command(cmd="receipts", stat="UNDELIV")
    failed = provider.submit(OutboundSms("m-undeliv", TO, "this one fails"))
    sink.wait(lambda: any(r.provider_id == failed.provider_id for r in sink.reports))
    report = next(r for r in sink.reports if r.provider_id == failed.provider_id)
    assert report.status == "undelivered"
    assert report.reason.startswith("UNDELIV")


def test_mos_become_inbound_sms(peer: Peer, provider: SmppProvider, sink: Sink) -> None:
    peer.command(cmd="mo", source_addr="8613812345678", destination_addr="10690001", text="退订")
    peer.command(cmd="mo", source_addr="8613900000000", destination_addr="10690001",
                 text="STOP @ once", data_coding=0)  # fmt: skip
    sink.wait(lambda: len(sink.inbound_sms) == 2)
    first, second = sink.inbound_sms
    assert (first.sender, first.text, first.recipient) == ("8613812345678", "退订", "10690001")
    assert (second.sender, second.text) == ("8613900000000", "STOP @ once")


@pytest.mark.parametrize(
    ("status", "reason", "transient"),
    [(0x58, "ESME_RTHROTTLED", True), (0x14, "ESME_RMSGQFUL", True),
     (0x0B, "ESME_RINVDSTADR", False), (0x0A, "ESME_RINVSRCADR", False)],
)  # fmt: skip
def test_a_refused_submit_maps_to_a_provider_error(
    peer: Peer, provider: SmppProvider, status: int, reason: str, transient: bool
) -> None:
    peer.command(cmd="status", status=status)
    with pytest.raises(ProviderError) as err:
        provider.submit(OutboundSms("m-refused", TO, "hello"))
    assert (err.value.reason, err.value.transient) == (reason, transient)
    assert "13812345678" not in str(err.value)
    assert provider.submit(OutboundSms("m-after", TO, "hello again")).provider_id


def test_a_throttled_later_part_is_retried_in_place(peer: Peer, provider: SmppProvider) -> None:
    peer.command(cmd="status", status=0x58, skip=1)
    sub = provider.submit(OutboundSms("m-part-retry", TO, CHINESE_LONG))
    seqs = [bytes.fromhex(peer.next_event("submit_sm")["udh"][0])[4] for _ in range(4)]
    assert (sub.segments, seqs) == (3, [1, 2, 2, 3])


def test_a_refused_later_part_is_a_permanent_partial_failure(
    peer: Peer, provider: SmppProvider
) -> None:
    peer.command(cmd="status", status=0x0B, skip=1)
    with pytest.raises(ProviderError) as err:
        provider.submit(OutboundSms("m-partial", TO, CHINESE_LONG))
    assert (err.value.reason, err.value.transient) == ("PARTIAL:ESME_RINVDSTADR", False)


def test_the_adapter_rebinds_after_the_smsc_drops_the_bind(
    peer: Peer, provider: SmppProvider
) -> None:
    peer.command(cmd="kick")
    assert peer.next_event("bound")["system_id"] == "smsguard"
    assert provider.submit(OutboundSms("m-rebound", TO, "still here")).provider_id


def test_a_refused_bind_makes_submit_transient(peer: Peer, sink: Sink) -> None:
    smpp = SmppProvider(_config(peer.port, password="wrong", bind_timeout=0.3), sink)
    try:
        with pytest.raises(ProviderError) as err:
            smpp.submit(OutboundSms("m-nobind", TO, "hello"))
    finally:
        smpp.close()
    assert (err.value.reason, err.value.transient) == ("SMPP_NOT_BOUND", True)
    assert "ESME_RINVPASWD" in str(err.value)


def test_an_unanswered_submit_is_permanent_and_outcome_unknown(peer: Peer, sink: Sink) -> None:
    smpp = SmppProvider(_config(peer.port, response_timeout=0.3), sink)
    try:
        peer.command(cmd="status", status=-1)
        with pytest.raises(ProviderError) as err:
            smpp.submit(OutboundSms("m-silent", TO, "hello"))
    finally:
        smpp.close()
    assert (err.value.reason, err.value.transient, err.value.uncertain) == (
        "SMPP_NO_RESPONSE",
        False,
        True,
    )
