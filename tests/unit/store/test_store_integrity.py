"""Transactions are all-or-nothing and the audit trail is append-only on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, text, update
from store_helpers import customer, two_institutions

from smsguard.errors import StorageError
from smsguard.store import Database
from smsguard.store.models import AuditEvent, Customer
from smsguard.store.tenancy import tenant_session


def _count(database: Database, institution_id: int, model: type[object]) -> int:
    with tenant_session(database, institution_id) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_failed_transaction_leaves_no_half_written_rows(database: Database) -> None:
    a, _ = two_institutions(database)
    with pytest.raises(StorageError), tenant_session(database, a) as session:
        session.add(customer("dup"))
        session.add(AuditEvent(actor="t", action="customer.add", target_type="customer"))
        session.flush()  # both rows reach the database …
        session.add(customer("dup"))  # … then a unique-key violation aborts the unit
    assert _count(database, a, Customer) == 0
    assert _count(database, a, AuditEvent) == 0


def test_exception_in_caller_code_rolls_back(database: Database) -> None:
    a, _ = two_institutions(database)
    with pytest.raises(KeyError), tenant_session(database, a) as session:
        session.add(customer("x1"))
        session.flush()
        raise KeyError("caller failed after the flush")
    assert _count(database, a, Customer) == 0


def _one_audit_event(database: Database, institution_id: int) -> None:
    with tenant_session(database, institution_id) as session:
        session.add(
            AuditEvent(actor="alice", action="login", target_type="user", detail={"ip": "x"})
        )


@pytest.mark.parametrize(
    "statement",
    [
        update(AuditEvent).values(actor="mallory"),
        delete(AuditEvent),
    ],
    ids=["update", "delete"],
)
def test_audit_events_cannot_be_changed_or_deleted(database: Database, statement: object) -> None:
    a, _ = two_institutions(database)
    _one_audit_event(database, a)
    with pytest.raises(StorageError, match="append-only"), database.transaction() as session:
        session.execute(statement)  # type: ignore[call-overload]
    with tenant_session(database, a) as session:
        assert session.scalars(select(AuditEvent.actor)).all() == ["alice"]


def test_audit_append_only_holds_for_raw_sql_too(database: Database) -> None:
    a, _ = two_institutions(database)
    _one_audit_event(database, a)
    with pytest.raises(StorageError, match="append-only"), database.transaction() as session:
        session.execute(text("UPDATE audit_events SET action = 'edited'"))
