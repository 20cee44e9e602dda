"""A campaign from start to delivery report through the simulated provider."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from gateway_helpers import GOOD, MINOR, STUDENT, VALUES, WITHDRAWN, Bank, approved_campaign
from pg import storage_bytes
from sqlalchemy import select

from smsguard.errors import InputError, PermissionDenied
from smsguard.store import tenant_session
from smsguard.store.gateway_models import Message
from smsguard.store.models import AuditEvent


def _messages(bank: Bank) -> list[Message]:
    with tenant_session(bank.database, bank.institution_id) as session:
        return list(session.scalars(select(Message).order_by(Message.id)))


def _drain(bank: Bank, **options: object) -> int:
    return bank.worker(**options).run(threading.Event(), until_idle=True)


def test_start_queues_the_eligible_and_refuses_the_rest_with_reasons(bank: Bank) -> None:
    summary = bank.gateway.start("mia", bank.campaign_id)
    assert summary.queued == len(GOOD)
    assert summary.reasons == {
        "recipient is a student": 1,
        "recipient is a minor": 1,
        "consent withdrawn": 1,
    }
    refused = [m for m in _messages(bank) if m.state == "refused"]
    assert len(refused) == 3 and all(m.body_ciphertext is None for m in refused)


def test_every_queued_message_reaches_the_provider_once_with_its_rendered_text(
    bank: Bank,
) -> None:
    bank.gateway.start("mia", bank.campaign_id)
    assert _drain(bank) == len(GOOD)
    sent = {sms.to: sms.text for sms in bank.provider.submitted}
    assert sent == {
        f"+86{phone}": f"【某银行】{name}您好，您的账单{VALUES['amount']}已出，请于"
        f"{VALUES['due']}前还款。回复TD退订"
        for phone, name in GOOD.items()
    }
    assert {m.state for m in _messages(bank) if m.state != "refused"} == {"delivered"}
    assert bank.gateway.status(bank.campaign_id).messages == {"delivered": 3, "refused": 3}


def test_running_the_expansion_again_adds_nothing(bank: Bank) -> None:
    bank.gateway.start("mia", bank.campaign_id)
    again = bank.gateway.expand(bank.campaign_id)
    assert (again.queued, again.refused) == (0, 0)
    assert len(_messages(bank)) == 6


def test_the_database_holds_no_number_or_name_in_clear(bank: Bank) -> None:
    bank.gateway.start("mia", bank.campaign_id)
    _drain(bank)
    stored = storage_bytes(bank.database)
    assert b"messages" in stored
    for phone, name in GOOD.items():
        assert phone.encode() not in stored
        assert name.encode() not in stored


def test_decrypting_numbers_for_delivery_is_audited_per_batch(bank: Bank) -> None:
    bank.gateway.start("mia", bank.campaign_id)
    _drain(bank)
    with tenant_session(bank.database, bank.institution_id) as session:
        rows = list(
            session.scalars(select(AuditEvent).where(AuditEvent.action.like("customer.%_revealed")))
        )
    actions = sorted(row.action for row in rows)
    assert actions == ["customer.names_revealed", "customer.phones_revealed"]
    delivery = next(row for row in rows if row.action == "customer.phones_revealed")
    assert delivery.detail["purpose"] == "delivery" and len(delivery.detail["messages"]) == 3


def test_quiet_hours_hold_messages_until_the_window_opens(bank: Bank) -> None:
    bank.clock.now = bank.clock.now.replace(hour=13)  # 21:00 in Shanghai
    bank.gateway.start("mia", bank.campaign_id)
    queued = [m for m in _messages(bank) if m.state == "queued"]
    assert queued and all(m.reason == "quiet hours" for m in queued)
    assert _drain(bank) == 0
    bank.clock.advance(hours=11)  # 08:00 the next morning
    assert _drain(bank) == len(GOOD)


def test_the_frequency_cap_reschedules_a_second_campaign(bank: Bank) -> None:
    bank.gateway.start("mia", bank.campaign_id)
    _drain(bank)
    second, _ = approved_campaign(bank.database, bank.institution_id, bank.screener, name="again")
    bank.clock.advance(hours=1)
    bank.gateway.start("mia", second)
    later = [m for m in _messages(bank) if m.campaign_id == second and m.state == "queued"]
    assert len(later) == len(GOOD)
    assert all(m.reason == "frequency cap" for m in later)
    assert _drain(bank) == 0


def test_a_paused_campaign_hands_nothing_over_and_resumes_where_it_stopped(bank: Bank) -> None:
    bank.gateway.start("mia", bank.campaign_id)
    worker = bank.worker(batch_size=1)
    assert worker.run_once() == 1
    bank.gateway.pause("olga", bank.campaign_id)
    assert worker.run_once() == 0
    bank.gateway.resume("mia", bank.campaign_id)
    assert worker.run(threading.Event(), until_idle=True) == len(GOOD) - 1
    assert len(bank.provider.submitted) == len(GOOD)


def test_the_campaign_rate_limit_spreads_sending_over_minutes(bank: Bank) -> None:
    fast, _ = approved_campaign(bank.database, bank.institution_id, bank.screener, name="slow",
                                rate=2)  # fmt: skip
    bank.gateway.start("mia", fast)
    assert _drain(bank) == 2
    bank.clock.advance(seconds=61)
    assert _drain(bank) == 1


def test_only_marketers_start_and_resume(bank: Bank) -> None:
    with pytest.raises(PermissionDenied):
        bank.gateway.start("olga", bank.campaign_id)
    with pytest.raises(InputError, match="no active user"):
        bank.gateway.start("nobody", bank.campaign_id)


def test_a_single_service_message_goes_to_a_known_customer(bank: Bank) -> None:
    phone = next(iter(GOOD))
    plan = bank.gateway.send("mia", "t-december", phone, VALUES)
    assert plan.state == "queued"
    assert _drain(bank) == 1
    assert bank.provider.submitted[0].to == f"+86{phone}"
    with pytest.raises(InputError, match="no customer"):
        bank.gateway.send("mia", "t-december", "13911112222", VALUES)
    with pytest.raises(InputError, match="no approved version"):
        bank.gateway.send("mia", "nonexistent", phone, VALUES)


def test_students_minors_and_unproven_consent_never_reach_the_provider(bank: Bank) -> None:
    bank.gateway.start("mia", bank.campaign_id)
    _drain(bank)
    reached = {sms.to for sms in bank.provider.submitted}
    assert not reached & {f"+86{p}" for p in (STUDENT, MINOR, WITHDRAWN)}


def test_retry_windows_grow(bank: Bank) -> None:
    from smsguard.gateway.providers.simulated import SimulatedProvider, SimulationRates

    failing = SimulatedProvider(SimulationRates(transient_failure=1.0))
    bank.gateway.start("mia", bank.campaign_id)
    worker = bank.worker(failing, max_attempts=3)
    waits = []
    for _ in range(3):
        assert worker.run_once() == len(GOOD)
        queued = [m for m in _messages(bank) if m.state == "queued"]
        if not queued:
            break
        wait = min(m.not_before for m in queued).replace(tzinfo=None) - bank.clock.now.replace(
            tzinfo=None
        )
        waits.append(wait)
        bank.clock.advance(seconds=wait.total_seconds() + 700)
    assert waits[0] < waits[1]
    failed = [m for m in _messages(bank) if m.state == "failed"]
    assert len(failed) == len(GOOD)
    assert all("gave up after 3 tries" in (m.reason or "") for m in failed)
    assert timedelta(seconds=1) <= waits[0] <= timedelta(seconds=2)
