"""The parts the fault tests lean on, each checked on its own and fast: the simulated
provider's outage, its news surviving a failing sink, the worker's provider breaker, and a
delivery report settling a row whose hand-off was never recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from smsguard.errors import ProviderError, StorageError
from smsguard.gateway.hold import ProviderBreaker, describe
from smsguard.gateway.providers.base import DeliveryReport, InboundSms, OutboundSms
from smsguard.gateway.providers.simulated import SimulatedProvider
from smsguard.screening.engine import Screener
from smsguard.store import Database

SMS = OutboundSms("m-1", "+8613900000001", "【某银行】您好。回复TD退订")


def test_an_outage_loses_the_answer_and_the_retry_under_the_same_key_is_not_a_second_sms(
    tmp_path: Path,
) -> None:
    outage = tmp_path / "outage"
    outage.touch()
    journal = tmp_path / "accepted.tsv"
    provider = SimulatedProvider(journal=journal, outage=outage, outage_timeout=0.01,
                                 outage_accept=1.0)  # fmt: skip
    again = SimulatedProvider(journal=journal)  # another process, same provider memory
    try:
        with pytest.raises(ProviderError) as caught:
            provider.submit(SMS)
        assert (caught.value.uncertain, caught.value.reason) == (True, "SIM_TIMEOUT")
        outage.unlink()
        assert again.submit(SMS).provider_id == "sim-1"
        assert again.duplicates == 1
        assert journal.read_text().splitlines() == ["m-1\tsim-1"]
    finally:
        provider.close()
        again.close()


class _DownSink:
    def __init__(self) -> None:
        self.reports: list[DeliveryReport] = []
        self.down = True

    def delivery_report(self, report: DeliveryReport) -> None:
        if self.down:
            raise StorageError("database unreachable")
        self.reports.append(report)

    def inbound(self, sms: InboundSms) -> None:
        raise AssertionError("no replies in this test")


def test_news_the_sink_could_not_store_is_offered_again() -> None:
    provider = SimulatedProvider()
    provider.submit(SMS)
    sink = _DownSink()
    with pytest.raises(StorageError):
        provider.poll(sink)
    sink.down = False
    assert provider.poll(sink) == 1
    assert [report.message_id for report in sink.reports] == ["m-1"]


def test_the_breaker_opens_after_three_unanswered_hand_offs_and_backs_off() -> None:
    now = [datetime(2026, 12, 1, tzinfo=UTC)]
    breaker = ProviderBreaker(lambda: now[0], threshold=3)
    for _ in range(2):
        breaker.failed("sim: SIM_TIMEOUT")
    assert not breaker.open
    breaker.failed("sim: SIM_TIMEOUT")
    assert breaker.open and breaker.paused_until is not None
    first = breaker.paused_until - now[0]
    assert timedelta(seconds=0.5) <= first <= timedelta(seconds=1)
    now[0] = breaker.paused_until
    assert not breaker.open  # one probe may go
    breaker.failed("sim: SIM_TIMEOUT")  # … and fails: a longer pause at once
    assert breaker.open and breaker.paused_until - now[0] >= timedelta(seconds=1)
    breaker.succeeded()
    assert not breaker.open and breaker.paused_until is None


def test_a_hold_reason_is_one_line_without_a_traceback() -> None:
    assert describe(OSError(28, "No space left on device", "/x/tile")) == (
        "No space left on device (/x/tile)"
    )
    assert describe(StorageError("database down")) == "database down"


def test_a_report_that_beats_the_record_still_gives_the_row_its_sent_at(
    tmp_path: Path, sqlite_database: Database, screener: Screener
) -> None:
    from gateway_helpers import make_bank
    from sqlalchemy import select

    from smsguard.gateway import outbox
    from smsguard.store import tenant_session
    from smsguard.store.gateway_models import Message

    bank = make_bank(tmp_path, sqlite_database, screener)
    bank.gateway.start("mia", bank.campaign_id)
    with tenant_session(bank.database, bank.institution_id) as session:
        claimed = outbox.claim(session, now=bank.clock(), limit=1, lease=timedelta(seconds=30),
                               provider="simulated")  # fmt: skip
    key = claimed[0].message_key
    report = DeliveryReport(message_id=key, provider_id="sim-1", status="delivered", reason="",
                            at=bank.clock())  # fmt: skip
    with tenant_session(bank.database, bank.institution_id) as session:
        outbox.apply_reports(session, [report], "simulated", bank.institution_id)
    with tenant_session(bank.database, bank.institution_id) as session:
        row = session.scalars(select(Message).where(Message.message_key == key)).one()
    assert (row.state, row.provider_id) == ("delivered", "sim-1")
    assert row.sent_at is not None  # consumer verification and rate limits search by it
