"""Import, look-up, consent and withdrawal of customers, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from customer_rows import PHONES, numbered, row
from sqlalchemy import func, select

from smsguard.bootstrap import build_customer_service
from smsguard.customers import CustomerService
from smsguard.errors import CryptoError, InputError
from smsguard.settings import Settings
from smsguard.store import Database
from smsguard.store.institutions import add_institution
from smsguard.store.models import Consent, Customer, DataKey


def _count(database: Database, model: type[Customer] | type[Consent] | type[DataKey]) -> int:
    with database.transaction() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_import_then_find_by_any_spelling_without_decrypting(service: CustomerService) -> None:
    summary = service.import_customers(numbered(row(PHONES[0]), row(PHONES[1], name="")))
    assert (summary.inserted, summary.updated) == (2, 0)
    found = service.find_by_phone("+86 138-1234-5678")
    assert found is not None
    assert found.masked_phone == "+86 138****5678"
    assert (found.birth_year, found.is_student) == (1990, False)
    assert service.find_by_phone("13700000000") is None


def test_stored_row_holds_ciphertext_and_keyed_index_only(
    service: CustomerService, database: Database
) -> None:
    service.import_customers(numbered(row(PHONES[0])))
    with database.transaction() as session:
        customer = session.scalars(select(Customer)).one()
        key = session.scalars(select(DataKey)).one()
    assert PHONES[0].encode() not in customer.phone_ciphertext
    assert PHONES[0] not in customer.phone_index
    assert customer.key_id == key.key_id
    assert customer.name_ciphertext is not None and "张三".encode() not in customer.name_ciphertext


def test_consent_granted_then_withdrawn_immediately(service: CustomerService) -> None:
    service.import_customers(numbered(row(PHONES[0])))
    assert service.may_market(PHONES[0], "loan_marketing").allowed
    assert service.withdraw(PHONES[0], source="sms-reply", evidence="TD msg 77") == [
        "loan_marketing"
    ]
    decision = service.may_market(PHONES[0], "loan_marketing")
    assert (decision.allowed, decision.reason) == (False, "consent withdrawn")
    history = service.consents(service.find_by_phone(PHONES[0]).customer_id)  # type: ignore[union-attr]
    assert [(r.status, r.source) for r in history] == [
        ("granted", "app-signup"),
        ("withdrawn", "sms-reply"),
    ]


def test_no_record_means_no_marketing(service: CustomerService) -> None:
    service.import_customers(numbered(row(PHONES[0])))
    assert service.may_market(PHONES[1], "loan_marketing").reason == "no consent"
    assert service.may_market(PHONES[0], "card_marketing").reason == "no consent"
    before = datetime(2025, 1, 1, tzinfo=UTC)
    assert not service.may_market(PHONES[0], "loan_marketing", at=before).allowed


def test_withdraw_of_unknown_number_names_it_masked(service: CustomerService) -> None:
    with pytest.raises(InputError) as caught:
        service.withdraw(PHONES[2], source="sms-reply", evidence="")
    assert "150****2222" in caught.value.message
    assert PHONES[2] not in caught.value.message


def test_duplicate_phone_updates_instead_of_inserting(
    service: CustomerService, database: Database
) -> None:
    first = service.import_customers(numbered(row(PHONES[0], birth_year="1990")))
    second = service.import_customers(
        numbered(row("+86 138 1234 5678", birth_year="1985", is_student="yes"))
    )
    assert (first.inserted, second.inserted, second.updated) == (1, 0, 1)
    assert _count(database, Customer) == 1
    found = service.find_by_phone(PHONES[0])
    assert found is not None and (found.birth_year, found.is_student) == (1985, True)
    assert _count(database, Consent) == 2


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"birth_year": "19x0"}, "birth_year"),
        ({"consent_evidence": " "}, "consent_evidence is empty"),
        ({"consent_at": "2025-01-31 09:30"}, "UTC offset"),
        ({"is_student": "maybe"}, "is_student"),
    ],
)
def test_bad_row_names_its_line_and_writes_nothing(
    service: CustomerService, database: Database, change: dict[str, str], problem: str
) -> None:
    rows = numbered(row(PHONES[0]), row(PHONES[1]), row(PHONES[2], **change))
    with pytest.raises(InputError) as caught:
        service.import_customers(rows)
    message = caught.value.message
    assert message.startswith("line 4 (+86 150****2222)") and problem in message
    assert PHONES[2] not in message
    assert (_count(database, Customer), _count(database, Consent)) == (0, 0)
    assert _count(database, DataKey) == 0


def test_bad_phone_is_reported_with_at_most_three_digits(
    service: CustomerService, database: Database
) -> None:
    with pytest.raises(InputError) as caught:
        service.import_customers(numbered(row(PHONES[0]), row("1381234567")))
    assert caught.value.message.startswith("line 3:")
    assert "1381234567" not in caught.value.message
    assert _count(database, Customer) == 0


def test_institutions_do_not_see_each_others_customers(
    service: CustomerService, settings: Settings, database: Database
) -> None:
    service.import_customers(numbered(row(PHONES[0])))
    other = add_institution(database, code="bank-b", name="Bank B").id
    theirs = build_customer_service(settings, database, other)
    assert theirs.find_by_phone(PHONES[0]) is None
    assert not theirs.may_market(PHONES[0], "loan_marketing").allowed


def test_missing_key_file_fails_closed_with_the_next_step(
    settings: Settings, database: Database, bank: int
) -> None:
    settings.effective_master_key_file.unlink()
    with pytest.raises(CryptoError) as caught:
        build_customer_service(settings, database, bank)
    assert "does not exist" in caught.value.message
    assert "smsguard keys init" in caught.value.hint
