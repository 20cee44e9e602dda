"""Audited reveal and master-key rotation against the database, on both backends."""

from __future__ import annotations

import pytest
from customer_rows import PHONES, numbered, row
from sqlalchemy import select

from smsguard.bootstrap import build_customer_service
from smsguard.customers import CustomerService, rotate_all
from smsguard.errors import AccessDenied
from smsguard.protect import FileKeyProvider, add_key_to_file
from smsguard.settings import Settings
from smsguard.store import Database
from smsguard.store.models import AuditEvent, Customer, DataKey


def _customer_id(service: CustomerService) -> int:
    service.import_customers(numbered(row(PHONES[0])))
    found = service.find_by_phone(PHONES[0])
    assert found is not None
    return found.customer_id


def _audit(database: Database) -> list[AuditEvent]:
    with database.transaction() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_marketer_is_denied_and_the_refusal_is_audited(
    service: CustomerService, database: Database
) -> None:
    customer_id = _customer_id(service)
    with pytest.raises(AccessDenied):
        service.reveal(
            customer_id, actor="li.mkt", roles=["marketer"], purpose="complaint_handling"
        )
    [event] = _audit(database)
    assert (event.actor, event.action, event.target_id) == ("li.mkt", "reveal", str(customer_id))
    assert event.detail["outcome"] == "denied"
    assert event.detail["purpose"] == "complaint_handling"


def test_marketer_reviewing_a_campaign_sees_the_number_masked(service: CustomerService) -> None:
    customer_id = _customer_id(service)
    shown = service.reveal(
        customer_id, actor="li.mkt", roles=["marketer"], purpose="campaign_review"
    )
    assert shown == "+86 138****5678"


def test_compliance_officer_sees_full_values_and_each_read_is_audited(
    service: CustomerService, database: Database
) -> None:
    customer_id = _customer_id(service)
    officer = {"actor": "wang.co", "roles": ["compliance_officer"], "purpose": "complaint_handling"}
    assert service.reveal(customer_id, **officer) == f"+86{PHONES[0]}"  # type: ignore[arg-type]
    assert service.reveal(customer_id, field="name", **officer) == "张三"  # type: ignore[arg-type]
    events = _audit(database)
    assert [(e.actor, e.target_id, e.detail["field"], e.detail["outcome"]) for e in events] == [
        ("wang.co", str(customer_id), "phone", "full"),
        ("wang.co", str(customer_id), "name", "full"),
    ]
    assert events[0].detail["roles"] == ["compliance_officer"]
    assert events[0].at is not None
    assert all(PHONES[0] not in str(e.detail) for e in events)


def test_rotation_rewraps_keys_and_old_ciphertexts_still_decrypt(
    service: CustomerService, settings: Settings, database: Database, bank: int
) -> None:
    customer_id = _customer_id(service)
    with database.transaction() as session:
        before = session.scalars(select(Customer)).one().phone_ciphertext
        old_master = session.scalars(select(DataKey)).one().master_key_id
    new_master = add_key_to_file(settings.effective_master_key_file)
    counts = rotate_all(database, FileKeyProvider(settings.effective_master_key_file))
    assert [(c.institution_code, c.rewrapped) for c in counts] == [("bank-a", 1)]
    with database.transaction() as session:
        assert session.scalars(select(DataKey)).one().master_key_id == new_master != old_master
        assert session.scalars(select(Customer)).one().phone_ciphertext == before
    _drop_key(settings, old_master)  # the old master key is no longer needed
    rotated = build_customer_service(settings, database, bank)
    officer = {"actor": "wang.co", "roles": ["compliance_officer"], "purpose": "regulator_request"}
    assert rotated.reveal(customer_id, **officer) == f"+86{PHONES[0]}"  # type: ignore[arg-type]
    assert rotated.find_by_phone(PHONES[0]) is not None


def _drop_key(settings: Settings, key_id: str) -> None:
    path = settings.effective_master_key_file
    kept = [line for line in path.read_text().splitlines() if not line.startswith(f"{key_id}:")]
    path.write_text("\n".join(kept) + "\n")
