"""Shared values of the intel tests (imported by name; conftest puts this folder on the path)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from smsguard.governance.users import active_user
from smsguard.store import Database, tenant_session
from smsguard.store.models import User

NOW = datetime(2025, 3, 14, 9, 0, tzinfo=UTC)
EPOCHS = ("2025-02", "2025-03")


@dataclass
class Bank:
    database: Database
    institution_id: int
    code: str

    def user(self, username: str) -> User:
        with tenant_session(self.database, self.institution_id) as session:
            return active_user(session, username)
