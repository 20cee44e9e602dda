"""The read-side helpers the HTTP service lists with: templates, campaigns, audit pages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from governance_helpers import BLOCK_BODY, PASS_BODY, person, seed

from smsguard.errors import InputError, NotFound
from smsguard.governance import audit, campaigns, templates
from smsguard.governance.users import usernames
from smsguard.screening import Screener
from smsguard.store import Database, tenant_session


def test_templates_are_listed_with_their_newest_version_and_only_in_their_institution(
    database: Database,
) -> None:
    world = seed(database)
    with tenant_session(database, world.a) as session:
        mia = person(session, "mia")
        first = templates.create_draft(session, mia, "first", BLOCK_BODY)
        templates.revise(session, mia, first.template_id, PASS_BODY)
        templates.create_draft(session, mia, "second", PASS_BODY)
        listed = templates.list_templates(session)
        template, versions = templates.template_versions(session, first.template_id)
        names = usernames(session, [mia.id, None])
    assert [(s.template.name, s.latest.version) for s in listed] == [("second", 1), ("first", 2)]
    assert template.name == "first" and [v.version for v in versions] == [1, 2]
    assert names == {mia.id: "mia"}
    with tenant_session(database, world.b) as session:
        assert templates.list_templates(session) == []
        with pytest.raises(NotFound):
            templates.template_versions(session, first.template_id)


def test_campaigns_are_listed_newest_first(database: Database, screener: Screener) -> None:
    world = seed(database)
    with tenant_session(database, world.a) as session:
        mia, olga = person(session, "mia"), person(session, "olga")
        version = templates.create_draft(session, mia, "bill", PASS_BODY)
        templates.screen_version(session, mia, version.id, screener)
        templates.submit(session, mia, version.id)
        templates.approve(session, olga, version.id)
        for name in ("one", "two"):
            campaigns.create(
                session, mia, name=name, template_version_id=version.id, audience={"all": True},
                starts_at=datetime(2026, 12, 1, tzinfo=UTC), rate_limit_per_minute=60,
                variables={"amount": "1000元", "due": "2026-12-15"},
            )  # fmt: skip
        assert [c.name for c in campaigns.list_campaigns(session)] == ["two", "one"]
    with tenant_session(database, world.b) as session:
        assert campaigns.list_campaigns(session) == []


def test_recent_audit_rows_page_by_id(database: Database) -> None:
    world = seed(database)
    with tenant_session(database, world.a) as session:
        mia = person(session, "mia")
        for i in range(3):
            templates.create_draft(session, mia, f"t{i}", PASS_BODY)
        page = audit.recent(session, limit=4)
        rest = audit.recent(session, limit=4, before_id=page[-1].id)
        with pytest.raises(InputError):
            audit.recent(session, limit=0)
    ids = [event.id for event in page + rest]
    assert ids == sorted(ids, reverse=True) and len(ids) == 6
    with tenant_session(database, world.b) as session:
        assert audit.recent(session) == []
