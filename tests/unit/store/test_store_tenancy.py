"""Tenancy: a session for one institution never reads or changes another's rows."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, update
from store_helpers import customer, seed_customer, two_institutions

from smsguard.errors import StorageError, TenancyError
from smsguard.store import Database
from smsguard.store.models import Consent, Customer, Institution
from smsguard.store.tenancy import tenant_session


def test_each_institution_sees_only_its_own_customers_and_consents(database: Database) -> None:
    a, b = two_institutions(database)
    seed_customer(database, a, "aa")
    b_customer = seed_customer(database, b, "bb")
    with tenant_session(database, a) as session:
        assert [c.phone_index for c in session.scalars(select(Customer))] == ["aa"]
        assert session.scalar(select(func.count()).select_from(Consent)) == 1
        assert session.get(Customer, b_customer) is None
        assert [i.code for i in session.scalars(select(Institution))] == ["bank-a"]


def test_bulk_update_and_delete_cannot_reach_another_institution(database: Database) -> None:
    a, b = two_institutions(database)
    seed_customer(database, a, "aa")
    b_customer = seed_customer(database, b, "bb")
    with tenant_session(database, a) as session:
        session.execute(update(Customer).values(key_id="stolen"))
        session.execute(update(Consent).values(status="withdrawn"))
        session.execute(delete(Consent).where(Consent.customer_id == b_customer))
    with tenant_session(database, b) as session:
        assert session.scalars(select(Customer.key_id)).all() == ["k1"]
        assert session.scalars(select(Consent.status)).all() == ["granted"]
    with tenant_session(database, a) as session:
        assert session.scalars(select(Consent.status)).all() == ["withdrawn"]


def test_new_rows_take_the_session_institution(database: Database) -> None:
    a, _ = two_institutions(database)
    with tenant_session(database, a) as session:
        row = customer("cc")
        session.add(row)
    assert row.institution_id == a


def test_writing_a_row_for_another_institution_is_refused(database: Database) -> None:
    a, b = two_institutions(database)
    with (
        pytest.raises(TenancyError, match="belongs to institution"),
        tenant_session(database, a) as session,
    ):
        row = customer("cc")
        row.institution_id = b
        session.add(row)
    with tenant_session(database, b) as session:
        assert session.scalars(select(Customer)).all() == []


def test_moving_an_own_row_to_another_institution_is_refused(database: Database) -> None:
    a, b = two_institutions(database)
    seed_customer(database, a, "aa")
    with pytest.raises(TenancyError), tenant_session(database, a) as session:
        session.scalars(select(Customer)).one().institution_id = b
    with tenant_session(database, a) as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 1


def test_consent_cannot_point_at_another_institutions_customer(database: Database) -> None:
    a, b = two_institutions(database)
    b_customer = seed_customer(database, b, "bb")
    with pytest.raises(StorageError), tenant_session(database, a) as session:
        session.add(
            Consent(customer_id=b_customer, purpose="marketing", status="granted", source="x")
        )
