"""Intel tests: keys, institutions and users on the storage fixtures (SQLite and PostgreSQL)."""

from __future__ import annotations

import base64
import os
import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from intel_helpers import EPOCHS, Bank

from smsguard.governance.users import add_user
from smsguard.intel.lifecycle import IntelContext
from smsguard.intel.phones import ConsortiumKeys
from smsguard.store import Database
from smsguard.store.institutions import add_institution


@pytest.fixture
def keys() -> ConsortiumKeys:
    return ConsortiumKeys({epoch: os.urandom(32) for epoch in EPOCHS})


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "consortium.keys"
    lines = "".join(f"{e}:{base64.b64encode(os.urandom(32)).decode()}\n" for e in EPOCHS)
    path.write_text(lines)
    path.chmod(0o600)
    return path


@pytest.fixture
def bank(database: Database) -> Bank:
    """Institution bank-a with two compliance officers and a marketer."""
    institution = add_institution(database, code="bank-a", name="Bank A")
    until = date(2099, 1, 1)
    for name in ("olga", "omar"):
        add_user(
            database,
            institution="bank-a",
            username=name,
            roles=["compliance_officer"],
            certified_until=until,
        )
    add_user(database, institution="bank-a", username="mia", roles=["marketer"])
    return Bank(database, institution.id, "bank-a")


@pytest.fixture
def ctx(keys: ConsortiumKeys) -> IntelContext:
    return IntelContext(keys=keys)
