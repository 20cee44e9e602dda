"""Inbound replies reach consent and the audit trail, on SQLite and PostgreSQL, text unstored."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import click
import pytest
from click.testing import CliRunner
from customer_rows import PHONES, numbered, row
from sqlalchemy import select

from smsguard.cli import cli
from smsguard.cli import customers as customers_cli
from smsguard.customers import CustomerService
from smsguard.errors import InputError
from smsguard.settings import Settings
from smsguard.store import Database
from smsguard.store.models import AuditEvent, Consent

PURPOSES = ("card_marketing", "loan_marketing")
PRIVATE_REPLY = "我是张三，身份证110101199001011234，再发给我就去12321投诉"


def _customer(service: CustomerService, phone: str = PHONES[0]) -> int:
    """A customer who granted two purposes, so "withdraw every purpose" is observable."""
    service.import_customers(numbered(row(phone)))
    service.import_customers(numbered(row(phone, consent_purpose="card_marketing")))
    found = service.find_by_phone(phone)
    assert found is not None
    return found.customer_id


def _events(database: Database, action: str) -> list[AuditEvent]:
    with database.transaction() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _withdrawals(database: Database) -> list[Consent]:
    with database.transaction() as session:
        return list(session.scalars(select(Consent).where(Consent.status == "withdrawn")))


def _now() -> datetime:
    return datetime.now(UTC)


def test_opt_out_reply_withdraws_every_purpose_at_once(
    service: CustomerService, database: Database
) -> None:
    _customer(service)
    outcome = service.handle_reply(PHONES[0], "退订", received_at=_now())
    assert (outcome.kind, outcome.withdrawn, outcome.complaint_recorded) == (
        "opt_out",
        PURPOSES,
        False,
    )
    for purpose in PURPOSES:
        decision = service.may_market(PHONES[0], purpose)
        assert (decision.allowed, decision.reason) == (False, "consent withdrawn")
    rows = _withdrawals(database)
    assert sorted(r.purpose for r in rows) == list(PURPOSES)
    assert {r.source for r in rows} == {"inbound-reply"}
    assert len({r.recorded_at for r in rows}) == 1
    assert "opt_out" in (rows[0].evidence or "") and "退订" in (rows[0].evidence or "")
    assert _events(database, "complaint_received") == []


def test_negated_opt_out_changes_nothing(service: CustomerService, database: Database) -> None:
    _customer(service)
    outcome = service.handle_reply(PHONES[0], "不要退订", received_at=_now())
    assert (outcome.kind, outcome.withdrawn, outcome.complaint_recorded) == ("other", (), False)
    assert all(service.may_market(PHONES[0], purpose).allowed for purpose in PURPOSES)
    assert _withdrawals(database) == []
    assert _events(database, "complaint_received") == []


def test_threat_to_complain_withdraws_and_records_the_complaint(
    service: CustomerService, database: Database
) -> None:
    customer_id = _customer(service)
    received = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    outcome = service.handle_reply(PHONES[0], "再发我就去12321投诉", received_at=received)
    assert (outcome.kind, outcome.withdrawn, outcome.complaint_recorded) == ("both", PURPOSES, True)
    assert not service.may_market(PHONES[0], "loan_marketing").allowed
    [event] = _events(database, "complaint_received")
    assert (event.actor, event.target_type, event.target_id) == (
        "inbound-reply",
        "customer",
        str(customer_id),
    )
    assert event.detail["received_at"] == received.isoformat()
    assert "投诉" in event.detail["matched"]


def test_withdrawal_takes_effect_when_the_reply_was_received(service: CustomerService) -> None:
    _customer(service)
    received = _now() - timedelta(hours=1)
    service.handle_reply(PHONES[0], "TD", received_at=received)
    half_hour_ago = _now() - timedelta(minutes=30)
    assert not service.may_market(PHONES[0], "loan_marketing", at=half_hour_ago).allowed


@pytest.mark.parametrize("text", ["再发我就去12321投诉", PRIVATE_REPLY])
def test_reply_text_is_stored_nowhere(
    service: CustomerService, database: Database, text: str
) -> None:
    _customer(service)
    outcome = service.handle_reply(PHONES[0], text, received_at=_now())
    assert outcome.kind == "both"
    [withdrawal, *_] = _withdrawals(database)
    [event] = _events(database, "complaint_received")
    stored = (withdrawal.evidence or "") + json.dumps(event.detail, ensure_ascii=False)
    assert text not in stored
    for private in ("张三", "110101199001011234", "12321"):
        assert private not in stored


def test_reply_from_unknown_number_is_audited_masked(
    service: CustomerService, database: Database
) -> None:
    _customer(service)
    outcome = service.handle_reply(PHONES[1], PRIVATE_REPLY, received_at=_now())
    assert (outcome.known_customer, outcome.withdrawn, outcome.complaint_recorded) == (
        False,
        (),
        False,
    )
    assert outcome.masked_phone == "+86 139****4321"
    [event] = _events(database, "reply_from_unknown_number")
    detail = json.dumps(event.detail, ensure_ascii=False)
    assert event.detail["masked_phone"] == "+86 139****4321"
    assert PHONES[1] not in detail and "张三" not in detail and event.target_id is None
    assert _withdrawals(database) == [] and _events(database, "complaint_received") == []


def test_received_at_without_zone_is_refused(service: CustomerService) -> None:
    _customer(service)
    with pytest.raises(InputError, match="time zone"):
        service.handle_reply(PHONES[0], "退订", received_at=datetime(2025, 3, 1, 9, 0))
    assert service.may_market(PHONES[0], "loan_marketing").allowed


def test_cli_reply_prints_the_outcome_masked(
    service: CustomerService, settings: Settings, database: Database
) -> None:
    _customer(service)
    commands = {**cli.commands, "customers": customers_cli.customers}
    root = click.Group("smsguard", params=cli.params, callback=cli.callback, commands=commands)
    env = {"SMSGUARD_DATABASE_URL": settings.database_url or ""}
    argv = ["--home", str(settings.home), "customers", "reply", PHONES[0], "别再发了，我要投诉"]
    result = CliRunner().invoke(root, [*argv, "--institution", "bank-a"], env=env)
    assert result.exit_code == 0, result.output
    assert "+86 138****5678: reply classified both" in result.output
    assert "consent withdrawn for: card_marketing, loan_marketing" in result.output
    assert "complaint recorded" in result.output and PHONES[0] not in result.output
    assert not service.may_market(PHONES[0], "card_marketing").allowed
