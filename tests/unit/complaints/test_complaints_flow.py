"""From an SMS reply "我要投诉" to a closed case, on both storage backends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from complaint_helpers import ACK_BODY, approve_template, desk, send_campaign
from gateway_helpers import GOOD, Bank
from pg import storage_bytes
from sqlalchemy import select

from smsguard.complaints.service import ComplaintService
from smsguard.errors import InputError, PermissionDenied
from smsguard.gateway.providers.base import InboundSms
from smsguard.store import tenant_session
from smsguard.store.complaint_models import ComplaintEvent
from smsguard.store.gateway_models import Message
from smsguard.store.institutions import add_institution
from smsguard.store.models import AuditEvent

PHONE = next(iter(GOOD))
WEB_TEXT = "利率写得不清楚，请回电13899990000"
RESOLUTION = "已核实：短信利率展示不完整，已更正模板并向客户致歉"


def _reply(bank: Bank, text: str = "我要投诉") -> int:
    bank.events().inbound(InboundSms(f"+86{PHONE}", text, bank.clock.now))
    cases = desk(bank).cases()
    assert len(cases) == 1
    return cases[0].complaint_id


def test_an_sms_complaint_becomes_a_case_linked_to_the_campaigns_message(bank: Bank) -> None:
    send_campaign(bank)
    case_id = _reply(bank)
    view, history = desk(bank).show(case_id)
    with tenant_session(bank.database, bank.institution_id) as session:
        sent = session.scalars(
            select(Message).where(
                Message.customer_id == view.customer_id, Message.campaign_id == bank.campaign_id
            )
        ).one()
    assert (view.channel, view.status, view.category) == ("sms", "received", "sms_marketing")
    assert (view.message_id, view.campaign_id, view.template_version_id) == (
        sent.id,
        bank.campaign_id,
        bank.version_id,
    )
    assert view.log_index is not None and view.log_index == sent.log_index
    assert view.consent_id is not None
    assert view.due_at - view.received_at == timedelta(days=15)
    assert history[0].detail == {"channel": "sms", "kind": "complaint", "matched": "投诉"}


def test_collecting_again_opens_no_second_case(bank: Bank) -> None:
    _reply(bank)
    assert desk(bank).collect_replies() == []
    assert len(desk(bank).cases()) == 1


def test_the_case_runs_from_acknowledgement_to_closure_with_reminders(bank: Bank) -> None:
    send_campaign(bank)
    approve_template(bank, "complaint-ack", ACK_BODY)
    complaints = desk(bank)
    case_id = _reply(bank)
    start = bank.clock.now

    notice = complaints.acknowledge(case_id)
    assert notice.sent
    complaints.assign(case_id, "ada", "chen")
    bank.clock.now = start + timedelta(days=7, hours=12)
    assert [(d.alert.kind, d.alert.percent) for d in complaints.due_reminders()] == [
        ("reminder", 50)
    ]
    assert complaints.due_reminders() == []  # recorded once
    bank.clock.now = start + timedelta(days=12)
    assert [d.alert.percent for d in complaints.due_reminders()] == [80]
    bank.clock.now = start + timedelta(days=15, minutes=1)
    assert [d.alert.kind for d in complaints.due_reminders()] == ["escalation"]
    complaints.resolve(case_id, "chen", RESOLUTION)
    complaints.close(case_id, "chen")
    assert complaints.due_reminders() == []

    view, history = complaints.show(case_id)
    assert view.status == "closed"
    assert [(h.kind, h.to_status or h.action) for h in history] == [
        ("status", "received"),
        ("notice", "acknowledgement_queued"),
        ("status", "acknowledged"),
        ("status", "assigned"),
        ("reminder", "statutory_50"),
        ("reminder", "statutory_80"),
        ("escalation", "statutory_100"),
        ("status", "resolved"),
        ("status", "closed"),
    ]
    assert complaints.texts(case_id, "chen", "answer the regulator") == (None, RESOLUTION)
    ack = _service_messages(bank)
    assert [m.purpose for m in ack] == ["service"] and ack[0].customer_id == view.customer_id


def _service_messages(bank: Bank) -> list[Message]:
    with tenant_session(bank.database, bank.institution_id) as session:
        return list(session.scalars(select(Message).where(Message.campaign_id.is_(None))))


def test_without_an_approved_template_no_acknowledgement_is_sent_and_that_is_recorded(
    bank: Bank,
) -> None:
    complaints = desk(bank)
    case_id = _reply(bank)
    notice = complaints.acknowledge(case_id)
    assert not notice.sent and "complaint-ack" in notice.reason
    view, history = complaints.show(case_id)
    assert view.status == "received"
    assert history[-1].action == "acknowledgement_not_sent"
    assert _service_messages(bank) == []
    complaints.assign(case_id, "ada", "chen")  # handling goes on regardless


def test_handlers_must_be_allowed_and_impartial(bank: Bank) -> None:
    send_campaign(bank)
    complaints = desk(bank)
    case_id = _reply(bank)
    with pytest.raises(PermissionDenied, match="no conflict of interest"):
        complaints.assign(case_id, "ada", "olga")  # approved the campaign
    with pytest.raises(PermissionDenied, match=r"may not complaint\.handle"):
        complaints.assign(case_id, "mia", "chen")
    with pytest.raises(InputError, match="cannot resolve a complaint that is received"):
        complaints.resolve(case_id, "chen", RESOLUTION)


def test_the_further_extension_needs_another_certified_officer_and_notifies(bank: Bank) -> None:
    complaints = desk(bank)
    case_id = _reply(bank)
    complaints.assign(case_id, "ada", "chen")
    assert complaints.extend(case_id, "chen", "complex") is None
    with pytest.raises(InputError, match="approval of a compliance officer"):
        complaints.extend(case_id, "chen", "especially-complex")
    with pytest.raises(PermissionDenied, match="approve_extension"):
        complaints.extend(case_id, "chen", "especially-complex", approved_by="mia")
    with pytest.raises(InputError, match="second person"):
        complaints.extend(case_id, "chen", "especially-complex", approved_by="chen")
    notice = complaints.extend(case_id, "chen", "especially-complex", approved_by="olga")
    assert notice is not None and not notice.sent  # no complaint-extended template approved
    view, history = complaints.show(case_id)
    assert (view.status, view.extensions) == ("extended", 2)
    assert view.due_at - view.received_at == timedelta(days=60)
    assert history[-1].action == "extension_notice_not_sent"


def test_statistics_count_volume_categories_speed_and_deadlines(bank: Bank) -> None:
    complaints = desk(bank)
    late = _reply(bank)
    start = bank.clock.now
    web = complaints.intake("web", list(GOOD)[1], "fees_rates", WEB_TEXT)
    for case_id in (late, web):
        complaints.assign(case_id, "ada", "chen")
    bank.clock.now = start + timedelta(days=2)
    complaints.resolve(web, "chen", RESOLUTION)
    bank.clock.now = start + timedelta(days=16)
    complaints.resolve(late, "chen", RESOLUTION)
    figures = complaints.stats(start - timedelta(days=1), start + timedelta(days=1))
    assert (figures.total, figures.resolved, figures.within_deadline) == (2, 2, 1)
    assert figures.by_category == {"fees_rates": 1, "sms_marketing": 1}
    assert figures.by_channel == {"sms": 1, "web": 1}
    assert figures.within_deadline_share == 0.5
    assert (figures.median_hours_to_resolve, figures.open_overdue) == (9 * 24, 0)


def test_another_institution_cannot_see_a_case(bank: Bank) -> None:
    case_id = _reply(bank)
    other_id = add_institution(bank.database, code="bank-b", name="Bank B").id
    other = ComplaintService(bank.database, other_id, desk(bank)._keys, bank.clock)
    assert other.cases() == []
    with pytest.raises(InputError, match=f"no complaint {case_id}"):
        other.show(case_id)


def test_no_number_or_complaint_text_is_stored_in_clear(bank: Bank) -> None:
    complaints = desk(bank)
    case_id = _reply(bank)
    stranger = complaints.intake("api", "13899990000", "harassment", WEB_TEXT)
    complaints.assign(case_id, "ada", "chen")
    complaints.resolve(case_id, "chen", RESOLUTION)
    stored = storage_bytes(bank.database)
    assert b"complaint_events" in stored
    for secret in (PHONE, "13899990000", WEB_TEXT, RESOLUTION, "利率写得不清楚"):
        assert secret.encode() not in stored
    view, _ = complaints.show(stranger)
    assert view.customer_id is None


def test_the_history_is_append_only(bank: Bank) -> None:
    _reply(bank)
    with (
        pytest.raises(Exception, match="append-only"),
        tenant_session(bank.database, bank.institution_id) as session,
    ):
        event = session.scalars(select(ComplaintEvent)).first()
        assert event is not None
        event.actor = "someone-else"
        session.flush()
    with tenant_session(bank.database, bank.institution_id) as session:
        assert session.scalar(
            select(AuditEvent.id).where(AuditEvent.action == "complaint_received")
        )
