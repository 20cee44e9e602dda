"""The API tests' harness: an HTTP service over a fresh SQLite database with two
institutions and a user per role (a module of its own name, so it never clashes with another
folder's ``conftest``).

``api.client("marketer")`` is a TestClient carrying an API key of bank-a's marketer with
every scope that user's roles grant; ``api.client("marketer", "bank-b")`` is the same for the
other institution, for the cross-tenant tests. ``api.login("mia")`` logs a person in through
the session endpoint (the session cookie and CSRF header set on the client).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from smsguard.api import create_app
from smsguard.api.security import ACTIONS
from smsguard.bootstrap import build_api_services
from smsguard.governance.credentials import create_api_key, set_password
from smsguard.governance.roles import Role, roles_of
from smsguard.protect import generate_key_file
from smsguard.screening import Screener
from smsguard.settings import Settings
from smsguard.store import Database, tenant_session, upgrade
from smsguard.store.institutions import add_institution
from smsguard.store.models import User

INSTITUTIONS = ("bank-a", "bank-b")
# One user per role in each institution; the username says the role.
USERS = {
    "mia": Role.MARKETER,
    "olga": Role.COMPLIANCE_OFFICER,
    "otto": Role.COMPLIANCE_OFFICER,
    "ada": Role.AUDITOR,
    "rex": Role.REGULATOR,
    "root": Role.ADMIN,
}
ROLE_USER = {Role.MARKETER: "mia", Role.COMPLIANCE_OFFICER: "olga", Role.AUDITOR: "ada",
             Role.REGULATOR: "rex", Role.ADMIN: "root"}  # fmt: skip
PASSWORD = "correct horse battery staple"


@dataclass
class Api:
    app: FastAPI
    settings: Settings
    database: Database
    institution_ids: dict[str, int]
    tokens: dict[tuple[str, str], str] = field(default_factory=dict)

    def client(self, who: str | Role, institution: str = "bank-a") -> TestClient:
        """A client authenticated with the API key of ``who`` (a username or a role)."""
        username = ROLE_USER[who] if isinstance(who, Role) else who
        client = TestClient(self.app, raise_server_exceptions=False)
        client.headers["Authorization"] = f"Bearer {self.tokens[(institution, username)]}"
        return client

    def anonymous(self) -> TestClient:
        return TestClient(self.app, raise_server_exceptions=False)

    def login(self, username: str, institution: str = "bank-a") -> TestClient:
        """A client with a login session (the password is set on first use)."""
        set_password(self.database, self.institution_ids[institution], username, PASSWORD)
        client = self.anonymous()
        answer = client.post(
            "/api/v1/session",
            json={"institution": institution, "username": username, "password": PASSWORD},
        )
        assert answer.status_code == 200, answer.text
        client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
        return client


def _staff(database: Database, institution_id: int) -> dict[str, str]:
    certified = datetime.now(UTC) + timedelta(days=365)
    with tenant_session(database, institution_id) as session:
        users = [
            User(username=name, display_name=name, roles=[role.value],
                 certification_expires_at=certified if role == Role.COMPLIANCE_OFFICER else None)
            for name, role in USERS.items()
        ]  # fmt: skip
        session.add_all(users)
        session.flush()
        admin = next(user for user in users if user.username == "root")
        tokens = {}
        for user in users:
            scopes = [action for action, roles in ACTIONS.items() if roles & roles_of(user)]
            token, _view = create_api_key(
                session, admin, username=user.username, name=f"{user.username}-key",
                scopes=scopes, table=ACTIONS,
            )  # fmt: skip
            tokens[user.username] = token
        return tokens


def build_api(tmp_path: Path, screener: Screener, **overrides: object) -> Api:
    home = tmp_path / "home"
    (home / "keys").mkdir(parents=True)
    # The tests share two cores with whatever else runs: a loaded machine must not make the
    # admission control shed ordinary test requests (tests/api/test_admission.py sets its own).
    overrides.setdefault("api_queue_seconds", 30.0)
    settings = Settings(home=home, **overrides)  # type: ignore[arg-type]
    generate_key_file(settings.effective_master_key_file)
    generate_key_file(settings.effective_index_key_file)
    database = Database.from_url(settings.effective_database_url)
    upgrade(database)
    ids = {
        code: add_institution(database, code=code, name=code.upper()).id for code in INSTITUTIONS
    }
    app = create_app(build_api_services(settings, database, screener))
    api = Api(app, settings, database, ids)
    for code, tenant in ids.items():
        for username, token in _staff(database, tenant).items():
            api.tokens[(code, username)] = token
    return api
