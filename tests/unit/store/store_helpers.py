"""Row builders shared by the storage tests; values are invented."""

from __future__ import annotations

from smsguard.store import Database
from smsguard.store.institutions import add_institution
from smsguard.store.models import Consent, Customer
from smsguard.store.tenancy import tenant_session


def two_institutions(database: Database) -> tuple[int, int]:
    first = add_institution(database, code="bank-a", name="Bank A")
    second = add_institution(database, code="bank-b", name="Bank B")
    return first.id, second.id


def customer(phone_index: str) -> Customer:
    return Customer(phone_index=phone_index, phone_ciphertext=b"\x01cipher", key_id="k1")


def seed_customer(database: Database, institution_id: int, phone_index: str) -> int:
    """One customer with one granted consent; returns the customer id."""
    with tenant_session(database, institution_id) as session:
        row = customer(phone_index)
        session.add(row)
        session.flush()
        session.add(
            Consent(customer_id=row.id, purpose="marketing", status="granted", source="app")
        )
    return row.id
