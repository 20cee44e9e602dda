"""Acknowledging an SMS complaint at intake, and re-categorising a case, on both backends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from complaint_helpers import ACK_BODY, approve_template, desk, send_campaign
from gateway_helpers import GOOD, Bank
from sqlalchemy import select

from smsguard.errors import InputError, PermissionDenied
from smsguard.gateway.events import GatewayEvents
from smsguard.gateway.providers.base import InboundSms
from smsguard.protect import FileKeyProvider
from smsguard.store import tenant_session
from smsguard.store.gateway_models import Message
from smsguard.store.models import AuditEvent

PHONE = next(iter(GOOD))


def _events_with_desk(bank: Bank) -> GatewayEvents:
    """The worker's events sink as bootstrap builds it: with a desk that can send notices."""
    plain = bank.events()
    return GatewayEvents(
        bank.database,
        bank.institution_id,
        provider_name="simulated",
        customers=bank.customers,
        keys=FileKeyProvider(bank.settings.effective_master_key_file),
        indexer=plain._indexer,
        clock=bank.clock,
        complaints=lambda: desk(bank),
    )


def _complain(events: GatewayEvents, bank: Bank) -> int:
    events.inbound(InboundSms(f"+86{PHONE}", "我要投诉", bank.clock.now))
    (case,) = desk(bank).cases()
    return case.complaint_id


def _service_messages(bank: Bank) -> list[Message]:
    with tenant_session(bank.database, bank.institution_id) as session:
        return list(session.scalars(select(Message).where(Message.campaign_id.is_(None))))


def test_an_sms_complaint_is_acknowledged_at_intake(bank: Bank) -> None:
    send_campaign(bank)
    approve_template(bank, "complaint-ack", ACK_BODY)
    case_id = _complain(_events_with_desk(bank), bank)
    view, history = desk(bank).show(case_id)
    assert view.status == "acknowledged"
    assert [h.to_status or h.action for h in history] == [
        "received",
        "acknowledgement_queued",
        "acknowledged",
    ]
    (ack,) = _service_messages(bank)
    assert (ack.purpose, ack.customer_id, ack.state) == ("service", view.customer_id, "queued")


def test_a_failed_acknowledgement_at_intake_is_caught_up_by_the_reminders(bank: Bank) -> None:
    case_id = _complain(_events_with_desk(bank), bank)  # no approved complaint-ack yet
    view, history = desk(bank).show(case_id)
    assert view.status == "received" and history[-1].action == "acknowledgement_not_sent"
    assert _service_messages(bank) == []
    approve_template(bank, "complaint-ack", ACK_BODY)
    notices = desk(bank).acknowledge_pending()  # what `complaints reminders` runs
    assert [(cid, n.sent) for cid, n in notices.items()] == [(case_id, True)]
    assert desk(bank).show(case_id)[0].status == "acknowledged"


def test_without_a_desk_for_notices_intake_only_opens_the_case(bank: Bank) -> None:
    approve_template(bank, "complaint-ack", ACK_BODY)
    case_id = _complain(bank.events(), bank)
    assert desk(bank).show(case_id)[0].status == "received"
    assert _service_messages(bank) == []


def test_recategorising_is_recorded_in_the_history_and_the_audit_trail(bank: Bank) -> None:
    complaints = desk(bank)
    case_id = _complain(bank.events(), bank)
    bank.clock.advance(hours=2)
    complaints.recategorise(case_id, "chen", "harassment", "misfiled")
    view, history = complaints.show(case_id)
    assert (view.category, view.status) == ("harassment", "received")
    last = history[-1]
    assert (last.kind, last.action, last.from_status, last.to_status, last.actor) == (
        "status",
        "recategorise",
        "received",
        "received",
        "chen",
    )
    assert last.detail == {
        "reason": "misfiled",
        "from_category": "sms_marketing",
        "to_category": "harassment",
    }
    assert view.due_at - view.received_at == timedelta(days=15), "the clock is untouched"
    with tenant_session(bank.database, bank.institution_id) as session:
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "complaint.recategorise")
        ).one()
    assert audit.actor == "chen" and audit.detail["to_category"] == "harassment"
    start, end = bank.clock.now - timedelta(days=1), bank.clock.now + timedelta(days=1)
    assert complaints.stats(start, end).to_dict()["by_category"] == {"harassment": 1}


def test_recategorising_is_refused_to_the_wrong_role_and_for_bad_input(bank: Bank) -> None:
    complaints = desk(bank)
    case_id = _complain(bank.events(), bank)
    with pytest.raises(PermissionDenied, match=r"may not complaint\.handle"):
        complaints.recategorise(case_id, "mia", "harassment", "misfiled")
    with pytest.raises(InputError, match="category must be one of"):
        complaints.recategorise(case_id, "chen", "rudeness", "misfiled")
    with pytest.raises(InputError, match="must be a code"):
        complaints.recategorise(case_id, "chen", "harassment", "the customer said so")
    with pytest.raises(InputError, match="already in category sms_marketing"):
        complaints.recategorise(case_id, "chen", "sms_marketing", "misfiled")
    with pytest.raises(InputError, match="no complaint 999"):
        complaints.recategorise(999, "chen", "harassment", "misfiled")
    complaints.assign(case_id, "ada", "chen")
    complaints.resolve(case_id, "chen", "已答复")
    complaints.recategorise(case_id, "chen", "fees_rates", "misfiled")  # resolved: still allowed
    complaints.close(case_id, "chen")
    with pytest.raises(InputError, match="cannot recategorise a complaint that is closed"):
        complaints.recategorise(case_id, "chen", "harassment", "misfiled")
    assert complaints.show(case_id)[0].category == "fees_rates"
