"""Schemathesis against our own OpenAPI document: no 5xx for any generated request, and
every response matches the schema it is documented with.

The caller is a user holding every role (with a key of every scope), so requests reach
each route's body rather than stopping at 403; examples per operation are few, to keep CI
quick, and the database is shared by all of them (a fresh one per test would be slower
than the requests).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from api_harness import build_api
from hypothesis import HealthCheck, given, settings
from schemathesis import BaseSchema
from schemathesis.specs.openapi.checks import positive_data_acceptance

from smsguard.api.security import ACTIONS
from smsguard.governance.credentials import create_api_key
from smsguard.governance.roles import Role
from smsguard.screening import Screener
from smsguard.store import tenant_session
from smsguard.store.models import User

TOKEN: dict[str, str] = {}


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory, screener: Screener) -> BaseSchema:
    api = build_api(tmp_path_factory.mktemp("schema"), screener)
    tenant = api.institution_ids["bank-a"]
    with tenant_session(api.database, tenant) as session:
        session.add(User(username="all", display_name="all", roles=[r.value for r in Role]))
        session.flush()
        admin = session.query(User).filter_by(username="root").one()
        TOKEN["value"], _view = create_api_key(
            session, admin, username="all", name="schema", scopes=list(ACTIONS), table=ACTIONS
        )
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", api.app)


def test_no_server_errors_and_responses_match_the_schema(api_schema: BaseSchema) -> None:
    """Each operation gets its own Hypothesis run; all failures are reported together."""
    headers = {"Authorization": f"Bearer {TOKEN['value']}"}
    failures = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 5
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=15, suppress_health_check=list(HealthCheck), deadline=None)
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        try:
            run()
        except Exception as exc:  # the report names every operation that failed
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, "\n\n".join(failures)


def test_the_document_names_both_ways_to_authenticate(screener: Screener, tmp_path: Path) -> None:
    document = build_api(tmp_path, screener).app.openapi()
    assert set(document["components"]["securitySchemes"]) == {"apiKey", "session"}
