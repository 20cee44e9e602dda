"""The per-minute campaign series on both backends: sends, reports, opt-outs, complaints."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from gateway_helpers import GOOD, Bank, indexer

from smsguard.customers import CustomerService
from smsguard.errors import InputError, NotFound
from smsguard.gateway.providers.simulated import SimulatedProvider
from smsguard.protect import FileKeyProvider
from smsguard.store import tenant_session
from smsguard.store.complaint_models import Complaint


def _replies(bank: Bank) -> CustomerService:
    """Customer operations on the bank's hand-moved clock (the reply's time is 'now')."""
    keys = FileKeyProvider(bank.settings.effective_master_key_file)
    return CustomerService(
        bank.database, bank.institution_id, keys, indexer(bank.settings, bank.institution_id),
        clock=bank.clock,
    )  # fmt: skip


def _complaint(bank: Bank, campaign_id: int) -> None:
    now = bank.clock.now
    with tenant_session(bank.database, bank.institution_id) as session:
        session.add(
            Complaint(channel="sms", category="sms_marketing", status="received",
                      campaign_id=campaign_id, received_at=now, clock_started_at=now,
                      due_at=now + timedelta(days=15), policy={})
        )  # fmt: skip


def test_each_minute_counts_what_happened_in_it(bank: Bank) -> None:
    bank.gateway.start("mia", bank.campaign_id)
    provider = SimulatedProvider(clock=bank.clock)  # reports carry the test's time
    bank.worker(provider).run(threading.Event(), until_idle=True)
    provider.close()
    sent_minute = bank.clock.now.replace(second=0, microsecond=0)
    bank.clock.advance(minutes=2, seconds=30)
    opted_out = next(iter(GOOD))
    _replies(bank).handle_reply(opted_out, "TD", received_at=bank.clock.now)
    _complaint(bank, bank.campaign_id)

    series = bank.gateway.series(bank.campaign_id, minutes=5)

    assert [point.minute for point in series] == [
        sent_minute + timedelta(minutes=m) for m in range(-2, 3)
    ]
    by_minute = {point.minute: point for point in series}
    first, last = by_minute[sent_minute], series[-1]
    assert (first.sent, first.delivered, first.failed) == (len(GOOD), len(GOOD), 0)
    assert (last.opt_outs, last.complaints, last.sent) == (1, 1, 0)
    assert sum(p.opt_outs + p.complaints for p in series) == 2


def test_an_idle_campaign_has_a_row_of_zeros_and_limits_hold(bank: Bank) -> None:
    series = bank.gateway.series(bank.campaign_id, minutes=3)
    assert len(series) == 3
    assert all(
        (p.sent, p.delivered, p.failed, p.opt_outs, p.complaints) == (0,) * 5 for p in series
    )
    with pytest.raises(InputError, match="1-1440 minutes"):
        bank.gateway.series(bank.campaign_id, minutes=0)
    with pytest.raises(NotFound):
        bank.gateway.series(bank.campaign_id + 100)
