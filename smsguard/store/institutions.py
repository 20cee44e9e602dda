"""Institutions: the tenants themselves, created and listed by operators, not by tenants."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from smsguard.errors import StorageError
from smsguard.store.engine import Database
from smsguard.store.models import Institution


def add_institution(database: Database, *, code: str, name: str) -> Institution:
    """Create an institution; its ``code`` is the stable handle operators type."""
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise StorageError("an institution needs a non-empty code and name")
    try:
        with database.transaction() as session:
            institution = Institution(code=code, name=name)
            session.add(institution)
    except StorageError as exc:
        if isinstance(exc.__cause__, IntegrityError):
            raise StorageError(f"an institution with code {code!r} already exists") from exc
        raise
    return institution


def list_institutions(database: Database) -> list[Institution]:
    """All institutions, ordered by code."""
    with database.transaction() as session:
        return list(session.scalars(select(Institution).order_by(Institution.code)))
