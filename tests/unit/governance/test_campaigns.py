"""Campaigns on both backends: approved templates only, own approval, legal moves only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from governance_helpers import PASS_BODY, World, person, seed
from sqlalchemy import select
from sqlalchemy.orm import Session

from smsguard.errors import InputError, PermissionDenied
from smsguard.governance import audit, campaigns, templates
from smsguard.screening import Screener
from smsguard.store import Database, tenant_session
from smsguard.store.workflow_models import Campaign

START = datetime(2026, 12, 1, 9, tzinfo=UTC)
VALUES = {"amount": "1000元", "due": "2026-12-15"}


def _version(database: Database, world: World, screener: Screener, *, approve: bool) -> int:
    with tenant_session(database, world.a) as session:
        mia = person(session, "mia")
        version = templates.create_draft(session, mia, "repay", PASS_BODY)
        templates.screen_version(session, mia, version.id, screener)
        templates.submit(session, mia, version.id)
        if approve:
            templates.approve(session, person(session, "olga"), version.id)
        return version.id


def _campaign(database: Database, world: World, version_id: int) -> int:
    with tenant_session(database, world.a) as session:
        campaign = campaigns.create(
            session,
            person(session, "mia"),
            name="december",
            template_version_id=version_id,
            audience={"all": True},
            starts_at=START,
            ends_at=START + timedelta(days=3),
            rate_limit_per_minute=60,
            variables=VALUES,
        )
        return campaign.id


def test_full_lifecycle_is_audited_with_from_and_to(database: Database, screener: Screener) -> None:
    world = seed(database)
    campaign_id = _campaign(database, world, _version(database, world, screener, approve=True))
    with tenant_session(database, world.a) as session:
        mia = person(session, "mia")
        campaigns.approve(session, person(session, "oscar"), campaign_id)
        for action in ("start", "pause", "resume", "pause", "complete"):
            campaigns.transition(session, mia, campaign_id, action)
        trail = audit.trail(session, "campaign", campaign_id)
        assert campaigns.get(session, campaign_id).approved_by_id == person(session, "oscar").id
    assert [event.action for event in trail] == [
        "campaign.created",
        "campaign.approved",
        "campaign.start",
        "campaign.pause",
        "campaign.resume",
        "campaign.pause",
        "campaign.complete",
    ]
    assert trail[-1].detail == {"from": "paused", "to": "completed"}


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        (["start"], "from 'draft' to 'running'"),
        (["approve", "resume"], "from 'approved' to 'running'"),
        (["approve", "start", "complete", "start"], "from 'completed' to 'running'"),
        (["approve", "approve"], "from 'approved' to 'approved'"),
    ],
)
def test_illegal_moves_name_both_states_and_change_nothing(
    database: Database, screener: Screener, steps: list[str], message: str
) -> None:
    world = seed(database)
    campaign_id = _campaign(database, world, _version(database, world, screener, approve=True))
    *legal, illegal = steps
    with tenant_session(database, world.a) as session:
        for step in legal:
            _step(session, step, campaign_id)
        state = campaigns.get(session, campaign_id).state
    with pytest.raises(InputError, match=message), tenant_session(database, world.a) as session:
        _step(session, illegal, campaign_id)
    with tenant_session(database, world.a) as session:
        assert campaigns.get(session, campaign_id).state == state
        assert len(audit.trail(session, "campaign", campaign_id)) == 1 + len(legal)


def _step(session: Session, step: str, campaign_id: int) -> None:
    if step == "approve":
        campaigns.approve(session, person(session, "oscar"), campaign_id)
    else:
        campaigns.transition(session, person(session, "mia"), campaign_id, step)


def test_only_approved_template_versions_can_be_sent(
    database: Database, screener: Screener
) -> None:
    world = seed(database)
    version_id = _version(database, world, screener, approve=False)
    with pytest.raises(InputError, match="'submitted', not approved"):
        _campaign(database, world, version_id)
    with tenant_session(database, world.a) as session:
        assert session.scalars(select(Campaign)).all() == []


def test_campaign_approval_needs_another_certified_officer(
    database: Database, screener: Screener
) -> None:
    world = seed(database)
    campaign_id = _campaign(database, world, _version(database, world, screener, approve=True))
    with tenant_session(database, world.a) as session:
        mia = person(session, "mia")
        mia.roles = ["marketer", "compliance_officer"]
        mia.certification_expires_at = START + timedelta(days=999)
        with pytest.raises(PermissionDenied, match="set up this campaign"):
            campaigns.approve(session, mia, campaign_id)
        with pytest.raises(PermissionDenied, match="expired"):
            campaigns.approve(session, person(session, "eve"), campaign_id)
        with pytest.raises(PermissionDenied, match=r"may not campaign\.start"):
            campaigns.transition(session, person(session, "aud"), campaign_id, "start")
        assert campaigns.get(session, campaign_id).state == "draft"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"rate_limit_per_minute": 0}, "rate limit"),
        ({"ends_at": START}, "end after it starts"),
        ({"starts_at": START.replace(tzinfo=None)}, "time zone"),
        ({"name": " "}, "needs a name"),
        ({"audience": {"segment": "overdue"}}, "audience"),
        ({"audience": {"customer_ids": []}}, "audience"),
        ({"variables": {"amount": "1000元"}}, r"missing: \['due'\]"),
        ({"variables": {**VALUES, "link": "x"}}, r"unknown: \['link'\]"),
        ({"variables": {**VALUES, "amount": "点击领取"}}, "amount"),
    ],
)
def test_bad_campaign_definitions_are_refused(
    database: Database, screener: Screener, changes: dict[str, object], message: str
) -> None:
    world = seed(database)
    version_id = _version(database, world, screener, approve=True)
    arguments: dict[str, object] = {
        "name": "x",
        "template_version_id": version_id,
        "audience": {"all": True},
        "starts_at": START,
        "ends_at": None,
        "rate_limit_per_minute": 10,
        "variables": VALUES,
    } | changes
    with pytest.raises(InputError, match=message), tenant_session(database, world.a) as session:
        campaigns.create(session, person(session, "mia"), **arguments)  # type: ignore[arg-type]


def test_other_institutions_cannot_use_or_see_the_campaign(
    database: Database, screener: Screener
) -> None:
    world = seed(database)
    version_id = _version(database, world, screener, approve=True)
    campaign_id = _campaign(database, world, version_id)
    with tenant_session(database, world.b) as session:
        mia_b = person(session, "mia")
        with pytest.raises(InputError, match="no campaign"):
            campaigns.transition(session, mia_b, campaign_id, "start")
        with pytest.raises(InputError, match="no template version"):
            campaigns.create(
                session,
                mia_b,
                name="steal",
                template_version_id=version_id,
                audience={"all": True},
                starts_at=START,
                rate_limit_per_minute=1,
                variables=VALUES,
            )
