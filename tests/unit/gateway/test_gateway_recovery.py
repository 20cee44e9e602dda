"""Crashes between claim and record, delivery reports, replies and tenancy."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from gateway_helpers import GOOD, Bank
from sqlalchemy import select

from smsguard.errors import ProviderError
from smsguard.gateway import outbox
from smsguard.gateway.providers.base import DeliveryReport, OutboundSms, Submission
from smsguard.gateway.providers.simulated import SimulatedProvider
from smsguard.store import tenant_session
from smsguard.store.gateway_models import InboundMessage, Message
from smsguard.store.institutions import add_institution
from smsguard.store.models import AuditEvent


def _states(bank: Bank) -> dict[str, int]:
    return dict(bank.gateway.status(bank.campaign_id).messages)


def _crash_after_claim(bank: Bank) -> list[outbox.Claimed]:
    """What a worker killed right after its claim transaction leaves behind."""
    with tenant_session(bank.database, bank.institution_id) as session:
        return outbox.claim(session, now=bank.clock(), limit=100,
                            lease=timedelta(seconds=30), provider="simulated")  # fmt: skip


class NoDedupe(SimulatedProvider):
    """A provider that cannot deduplicate, like Kannel or a bare SMPP bind."""

    idempotent = False


def test_a_claim_left_by_a_dead_worker_is_resent_once_to_a_deduplicating_provider(
    bank: Bank, tmp_path: Path
) -> None:
    journal = tmp_path / "accepted.tsv"
    bank.gateway.start("mia", bank.campaign_id)
    claimed = _crash_after_claim(bank)
    assert len(claimed) == len(GOOD)
    # The dead worker's provider session took the first message before the worker died.
    dead = SimulatedProvider(journal=journal)
    dead.submit(bank.worker()._decrypt(claimed[0], _ring(bank)))
    dead.close()
    restarted = SimulatedProvider(journal=journal)
    worker = bank.worker(restarted)
    assert worker.run_once() == 0, "a live lease is not touched"
    bank.clock.advance(seconds=31)
    worker.run(threading.Event(), until_idle=True)
    restarted.close()
    assert restarted.duplicates == 1
    assert len(restarted.submitted) == len(GOOD) - 1
    assert journal.read_text().count("\n") == len(GOOD)
    assert _states(bank)["delivered"] == len(GOOD) - 1
    assert _states(bank)["sent"] == 1  # its report went to the dead session


def test_a_delivery_report_settles_a_message_whose_worker_died(bank: Bank) -> None:
    bank.gateway.start("mia", bank.campaign_id)
    claimed = _crash_after_claim(bank)
    bank.provider.submit(bank.worker()._decrypt(claimed[0], _ring(bank)))
    bank.provider.poll(bank.events())
    bank.clock.advance(seconds=31)
    bank.worker().run(threading.Event(), until_idle=True)
    assert bank.provider.duplicates == 0, "a settled message is not handed over again"
    assert _states(bank)["delivered"] == len(GOOD)


def test_without_deduplication_a_dead_workers_claim_ends_uncertain_not_resent(
    bank: Bank,
) -> None:
    provider = NoDedupe()
    bank.gateway.start("mia", bank.campaign_id)
    claimed = _crash_after_claim(bank)
    bank.clock.advance(seconds=31)
    worker = bank.worker(provider)
    worker.run(threading.Event(), until_idle=True)
    assert provider.submitted == []
    assert _states(bank)["uncertain"] == len(GOOD)
    # The carrier did have the first one: its delivery report settles it.
    bank.events().delivery_report(
        DeliveryReport(claimed[0].message_key, "c-1", "delivered", "", bank.clock())
    )
    assert _states(bank)["delivered"] == 1


def test_a_worker_for_a_provider_without_deduplication_claims_small_batches(bank: Bank) -> None:
    assert bank.worker(NoDedupe(), batch_size=500).batch_size == 10
    assert bank.worker(batch_size=500).batch_size == 500


def test_delivery_reports_are_idempotent_and_never_reopen_a_final_state(bank: Bank) -> None:
    bank.gateway.start("mia", bank.campaign_id)
    claimed = _crash_after_claim(bank)
    with tenant_session(bank.database, bank.institution_id) as session:
        outbox.record(session, [outbox.Outcome(claimed[0].id, "sent", provider_id="p-1")],
                      bank.clock(), bank.institution_id)  # fmt: skip
    events = bank.events()
    failed = DeliveryReport(None, "p-1", "undelivered", "EXPIRED", bank.clock())
    assert _state_of(bank, claimed[0].id) == ("sent", None)
    events.delivery_report(failed)
    events.delivery_report(failed)
    events.delivery_report(
        DeliveryReport(claimed[0].message_key, None, "delivered", "", bank.clock())
    )
    events.delivery_report(DeliveryReport("no-such-key", None, "delivered", "", bank.clock()))
    assert _state_of(bank, claimed[0].id) == ("undelivered", "EXPIRED")


def _state_of(bank: Bank, message_id: int) -> tuple[str, str | None]:
    with tenant_session(bank.database, bank.institution_id) as session:
        message = session.get(Message, message_id)
        assert message is not None
        return message.state, message.reason


def test_replies_withdraw_consent_record_complaints_and_keep_the_rest_encrypted(
    bank: Bank,
) -> None:
    phones = list(GOOD)
    bank.provider.inject_reply(f"+86{phones[0]}", "TD")
    bank.provider.inject_reply(phones[1], "再发我就投诉到银保监会")
    bank.provider.inject_reply(phones[2], "请问我的额度是多少")
    bank.provider.poll(bank.events())
    assert not bank.customers.may_market(phones[0], "loan_marketing", bank.clock()).allowed
    assert bank.customers.may_market(phones[2], "loan_marketing", bank.clock()).allowed
    with tenant_session(bank.database, bank.institution_id) as session:
        complaints = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "complaint_received")
        ).all()
        kept = session.scalars(select(InboundMessage)).all()
    assert len(complaints) == 1
    assert len(kept) == 1 and kept[0].customer_id is not None
    assert "额度".encode() not in kept[0].text_ciphertext


def test_an_opt_out_stops_the_next_campaign(bank: Bank) -> None:
    phone = next(iter(GOOD))
    bank.provider.inject_reply(phone, "退订")
    bank.provider.poll(bank.events())
    summary = bank.gateway.start("mia", bank.campaign_id)
    assert summary.reasons["consent withdrawn"] == 2


def test_another_institutions_worker_sends_nothing_of_this_bank(bank: Bank) -> None:
    other = add_institution(bank.database, code="bank-b", name="Bank B").id
    bank.gateway.start("mia", bank.campaign_id)
    intruder = bank.worker()
    intruder._institution_id = other
    assert intruder.run_once() == 0
    assert bank.provider.submitted == []


@pytest.mark.parametrize("bad", [{"transient_failure": 2.0}, {"undelivered": -0.1}])
def test_simulation_rates_outside_zero_to_one_are_refused(bad: dict[str, float]) -> None:
    from smsguard.errors import InputError
    from smsguard.gateway.providers.simulated import SimulationRates

    with pytest.raises(InputError, match="must be in"):
        SimulationRates(**bad)


def _ring(bank: Bank):  # type: ignore[no-untyped-def]
    from smsguard.customers.keystore import load_ring
    from smsguard.protect import FileKeyProvider

    keys = FileKeyProvider(bank.settings.effective_master_key_file)
    with tenant_session(bank.database, bank.institution_id) as session:
        return load_ring(session, keys, bank.institution_id)


class LosesAnswers(SimulatedProvider):
    """A provider whose answer never comes back after the request left."""

    idempotent = False

    def submit(self, sms: OutboundSms) -> Submission:
        super().submit(sms)
        self._pending.clear()  # and no delivery report either, yet
        raise ProviderError("no answer", reason="TIMEOUT", transient=True, uncertain=True)


def test_a_lost_answer_ends_uncertain_and_is_never_resent(bank: Bank) -> None:
    provider = LosesAnswers()
    bank.gateway.start("mia", bank.campaign_id)
    bank.worker(provider).run(threading.Event(), until_idle=True)
    assert len(provider.submitted) == len(GOOD)
    assert _states(bank)["uncertain"] == len(GOOD)
