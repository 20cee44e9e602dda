"""Tenant scoping: a session that sees and writes the rows of exactly one institution.

The rule is enforced in the session itself, not left to each query's author:

* every ORM SELECT, UPDATE and DELETE issued through the session gets
  ``institution_id = <own id>`` added (``with_loader_criteria``), including ``Session.get``
  and relationship loads, so another institution's rows are simply not there;
* before each flush, a row with no institution is given the session's, and a row that names
  another institution (new, changed or deleted) aborts the flush with TenancyError.

The database adds a last line of defence: consents reference customers through the composite
key ``(institution_id, customer_id)``, so a consent cannot point across institutions even
through hand-written SQL. Raw ``text()`` statements bypass the session filter; code that holds
institution data must not use them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, with_loader_criteria

from smsguard.errors import TenancyError
from smsguard.store.engine import Database, storage_errors
from smsguard.store.models import Institution, TenantOwned


class TenantSession(Session):
    """A session bound to one institution; see the module docstring for the guarantees."""

    def __init__(self, bind: Engine, *, institution_id: int, **options: Any) -> None:
        super().__init__(bind=bind, **options)
        self.institution_id = institution_id


@contextmanager
def tenant_session(database: Database, institution_id: int) -> Iterator[TenantSession]:
    """A transaction scoped to ``institution_id``: committed at the end of the block, rolled
    back entirely if anything inside raises."""
    session = TenantSession(database.engine, institution_id=institution_id, expire_on_commit=False)
    with session, storage_errors(database), session.begin():
        yield session


@event.listens_for(TenantSession, "do_orm_execute")
def _scope_statement(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.is_column_load or state.is_relationship_load:
        return  # the criteria added to the parent statement already propagate
    session = state.session
    assert isinstance(session, TenantSession)
    own = session.institution_id
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantOwned, lambda cls: cls.institution_id == own, include_aliases=True
        ),
        with_loader_criteria(Institution, Institution.id == own, include_aliases=True),
    )


@event.listens_for(TenantSession, "before_flush")
def _check_rows(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    assert isinstance(session, TenantSession)
    own = session.institution_id
    for row in session.new:
        if isinstance(row, TenantOwned) and getattr(row, "institution_id", None) is None:
            row.institution_id = own
    for row in (*session.new, *session.dirty, *session.deleted):
        _require_own(row, own)


def _require_own(row: object, own: int) -> None:
    if isinstance(row, TenantOwned) and row.institution_id != own:
        raise TenancyError(
            f"{type(row).__name__} belongs to institution {row.institution_id}, "
            f"not to this session's institution {own}"
        )
    if isinstance(row, Institution) and row.id != own:
        raise TenancyError(f"a session for institution {own} cannot write other institutions")
