"""The web tests' harness: the API tests' service (tests/api/api_harness.py) plus form
logins."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).parents[1] / "api"))
from api_harness import PASSWORD, build_api

from smsguard.governance.credentials import set_password

__all__ = ["PASSWORD", "Web", "build_api", "csrf_of", "post_form"]

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


@dataclass
class Web:
    """The service of tests/api with browser-like clients."""

    api: object

    def anonymous(self) -> TestClient:
        return TestClient(self.api.app, raise_server_exceptions=False, follow_redirects=False)  # type: ignore[attr-defined]

    def login(self, username: str, institution: str = "bank-a") -> TestClient:
        """A client logged in through the login form."""
        api = self.api
        set_password(api.database, api.institution_ids[institution], username, PASSWORD)  # type: ignore[attr-defined]
        client = self.anonymous()
        answer = client.post(
            "/login",
            data={"institution": institution, "username": username, "password": PASSWORD},
        )
        assert answer.status_code == 303, answer.text
        return client


def csrf_of(html: str) -> str:
    """The CSRF token the page put in its forms."""
    found = CSRF.search(html)
    assert found is not None, "no csrf_token field on the page"
    return found.group(1)


def post_form(client: TestClient, page: str, action: str, **fields: str) -> object:
    """Open ``page``, take its CSRF token and post ``fields`` to ``action``."""
    token = csrf_of(client.get(page).text)
    return client.post(action, data={"csrf_token": token, **fields})
