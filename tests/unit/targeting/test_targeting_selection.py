"""Selection on SQLite and PostgreSQL: the compiler, each exclusion's count, ranking by a
scorer, and freezing at approval."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from targeting_world import NOW, Person, TinyScorer, add_people, bank, draft_campaign

from smsguard.errors import InputError
from smsguard.governance import audit, campaigns
from smsguard.screening.engine import Screener
from smsguard.store import Database, tenant_session
from smsguard.store.models import User
from smsguard.store.targeting_models import CampaignAudience
from smsguard.store.workflow_models import Campaign
from smsguard.targeting.exclusions import EXCLUSION_IDS
from smsguard.targeting.language import parse_audience
from smsguard.targeting.policy import ExclusionPolicy
from smsguard.targeting.selection import (
    AudienceReport,
    audience_digest,
    audience_report,
    freeze_audience,
)

POLICY = ExclusionPolicy()
# One person per exclusion, in EXCLUSION_IDS order, then two clean ones and one with three.
EXCLUDED = {
    "no_consent": Person(consent=None),
    "consent_withdrawn": Person(consent="withdrawn"),
    "student": Person(is_student=True),
    "minor": Person(birth_year=2010),
    "no_profile": Person(profile=False),
    "in_arrears": Person(in_arrears=True),
    "over_indebted": Person(debt_ratio=0.75),
    "recent_complaint": Person(complaint_days_ago=20),
    "recently_declined": Person(declined_days_ago=10),
    "do_not_contact": Person(do_not_contact=True),
}


def report(database: Database, institution_id: int, data: dict[str, object],
           **options: object) -> AudienceReport:  # fmt: skip
    with tenant_session(database, institution_id) as session:
        return audience_report(session, parse_audience(data), POLICY, NOW, **options)  # type: ignore[arg-type]


def test_each_exclusion_is_counted_and_overlaps_count_once_in_the_total(database: Database) -> None:
    institution = bank(database)
    overlapping = Person(is_student=True, in_arrears=True, consent="withdrawn")
    add_people(database, institution, [*EXCLUDED.values(), Person(), Person(), overlapping])
    found = report(database, institution, {"all": True})
    assert list(found.exclusions) == list(EXCLUSION_IDS)
    expected = {name: 1 for name in EXCLUSION_IDS}
    for name in ("student", "in_arrears", "consent_withdrawn"):
        expected[name] = 2
    assert dict(found.exclusions) == expected
    assert (found.base, found.excluded, found.eligible, found.selected) == (13, 11, 2, 2)


def test_a_grant_without_evidence_is_no_consent(database: Database) -> None:
    institution = bank(database)
    add_people(database, institution, [Person(consent="bare"), Person()])
    found = report(database, institution, {"all": True})
    assert found.exclusions["no_consent"] == 1 and found.selected == 1


def test_thresholds_come_from_the_policy(database: Database) -> None:
    institution = bank(database)
    add_people(database, institution, [Person(debt_ratio=0.45), Person(complaint_days_ago=200),
                                       Person(declined_days_ago=100)])  # fmt: skip
    strict = ExclusionPolicy(max_debt_ratio=0.4, complaint_days=365, declined_days=365)
    with tenant_session(database, institution) as session:
        loose = audience_report(session, parse_audience({"all": True}), POLICY, NOW)
        tight = audience_report(session, parse_audience({"all": True}), strict, NOW)
    assert loose.selected == 3
    assert tight.selected == 0
    assert {k: v for k, v in tight.exclusions.items() if v} == {
        "over_indebted": 1, "recent_complaint": 1, "recently_declined": 1,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"credit_band": {"in": ["A", "B"]}}, {0, 1}),
        ({"not": {"credit_band": {"in": ["A", "B"]}}}, {2, 3}),
        ({"debt_ratio": {"lt": 0.3}}, {0, 2}),
        ({"debt_ratio": {"between": [0.3, 0.45]}}, {1, 3}),
        ({"income_band": {"in": ["high"]}}, {3}),
        ({"product_interest": {"in": ["car_loan"]}}, {1}),
        ({"not": {"product_interest": {"in": ["car_loan"]}}}, {0, 2, 3}),
        ({"region": {"in": ["31"]}}, {2, 3}),
        ({"age": {"between": [30, 45]}}, {0, 3}),
        ({"active_within_days": 7}, {0, 1}),
        ({"any": [{"region": {"in": ["31"]}}, {"credit_band": {"in": ["A"]}}]}, {0, 2, 3}),
        ({"all": [{"region": {"in": ["31"]}}, {"not": {"income_band": {"in": ["high"]}}}]}, {2}),
        ({"customer_ids": [1, 3], "credit_band": {"in": ["B", "C"]}}, {1}),
    ],
)
def test_the_compiled_condition_selects_exactly_the_matching_customers(
    database: Database, data: dict[str, object], expected: set[int]
) -> None:
    institution = bank(database)
    people = [
        Person(credit_band="A", debt_ratio=0.1, birth_year=1990, active_days_ago=1),
        Person(credit_band="B", debt_ratio=0.3, birth_year=1970, product_interest="car_loan"),
        Person(credit_band="C", debt_ratio=0.2, region="31", birth_year=2000,
               active_days_ago=None, product_interest=None),
        Person(credit_band="D", debt_ratio=0.45, region="31", income_band="high",
               birth_year=1985, active_days_ago=30),
    ]  # fmt: skip
    ids = add_people(database, institution, people)
    if "customer_ids" in data:
        data = {**data, "customer_ids": [ids[i] for i in data["customer_ids"]]}  # type: ignore[union-attr]
    assert _freeze_ids(database, institution, data) == {ids[i] for i in expected}


SCREENER: list[Screener] = []


def _freeze_ids(database: Database, institution: int, data: dict[str, object]) -> set[int]:
    campaign_id = draft_campaign(database, institution, SCREENER[0], data)
    with tenant_session(database, institution) as session:
        campaign = session.get(Campaign, campaign_id)
        assert campaign is not None
        freeze_audience(session, campaign, POLICY, NOW)
        members = select(CampaignAudience.customer_id).where(
            CampaignAudience.campaign_id == campaign_id
        )
        return set(session.scalars(members))


@pytest.fixture(autouse=True)
def _screener(screener: Screener) -> None:
    SCREENER[:] = [screener]


def test_ranking_orders_by_the_scorer_cuts_and_segments(database: Database) -> None:
    institution = bank(database)
    ratios = [0.05, 0.1, 0.15, 0.25, 0.3, 0.45]
    ids = add_people(database, institution, [Person(debt_ratio=r) for r in ratios])
    data: dict[str, object] = {"all": True, "rank": {"limit": 2, "min_probability": 0.5}}
    found = report(database, institution, data, scorer=TinyScorer())
    assert (found.eligible, found.below_min_probability, found.over_limit, found.selected) == (
        6, 3, 1, 2
    )  # fmt: skip
    campaign_id = draft_campaign(database, institution, SCREENER[0], data)
    with tenant_session(database, institution) as session:
        campaign = session.get(Campaign, campaign_id)
        assert campaign is not None
        frozen = freeze_audience(session, campaign, POLICY, NOW, TinyScorer())
        rows = session.execute(
            select(CampaignAudience.customer_id, CampaignAudience.segment, CampaignAudience.score)
            .where(CampaignAudience.campaign_id == campaign_id)
            .order_by(CampaignAudience.customer_id)
        ).all()
    assert [r.customer_id for r in rows] == ids[:2]
    assert [r.segment for r in rows] == ["high", "high"]
    assert rows[0].score == pytest.approx(1.5)
    assert frozen.selected == 2 and frozen.scorer == "tiny"


def test_a_scorer_without_rank_still_stores_segments(database: Database) -> None:
    institution = bank(database)
    add_people(database, institution, [Person(debt_ratio=0.1), Person(debt_ratio=0.4)])
    campaign_id = draft_campaign(database, institution, SCREENER[0], {"all": True})
    with tenant_session(database, institution) as session:
        campaign = session.get(Campaign, campaign_id)
        assert campaign is not None
        freeze_audience(session, campaign, POLICY, NOW, TinyScorer())
        segments = sorted(session.scalars(select(CampaignAudience.segment)))
    assert segments == ["high", "low"]


def test_ranking_without_a_model_is_refused(database: Database) -> None:
    institution = bank(database)
    with pytest.raises(InputError, match="no propensity model"):
        report(database, institution, {"all": True, "rank": {"limit": 3}})


def test_approval_freezes_the_audience_and_audits_counts_never_customers(
    database: Database,
) -> None:
    institution = bank(database)
    ids = add_people(database, institution, [Person(), Person(is_student=True), Person()])
    campaign_id = draft_campaign(database, institution, SCREENER[0], {"all": True})
    with tenant_session(database, institution) as session:
        olga = session.scalars(select(User).where(User.username == "olga")).one()
        campaign = campaigns.approve(session, olga, campaign_id)
        assert campaign.audience_size == 2
        assert campaign.audience_digest == audience_digest([ids[0], ids[2]])
        assert campaign.audience_frozen_at is not None
        stored = AudienceReport.from_dict(campaign.audience_report or {})
        assert (stored.base, stored.exclusions["student"], stored.selected) == (3, 1, 2)
        trail = audit.trail(session, "campaign", campaign_id)
    approved = next(e for e in trail if e.action == "campaign.approved")
    assert approved.detail["audience"]["digest"] == campaign.audience_digest
    assert approved.detail["audience"]["selected"] == 2
    assert set(approved.detail["audience"]) == set(stored.to_dict())  # counts, never ids


def test_changes_after_approval_do_not_change_the_frozen_list(database: Database) -> None:
    institution = bank(database)
    ids = add_people(database, institution, [Person(), Person()])
    campaign_id = draft_campaign(database, institution, SCREENER[0], {"all": True})
    with tenant_session(database, institution) as session:
        olga = session.scalars(select(User).where(User.username == "olga")).one()
        before = campaigns.approve(session, olga, campaign_id).audience_digest
    later = add_people(database, institution, [Person()])
    with tenant_session(database, institution) as session:
        members = set(session.scalars(select(CampaignAudience.customer_id)))
        campaign = session.get(Campaign, campaign_id)
        assert campaign is not None
        with pytest.raises(InputError, match="frozen at approval already"):
            freeze_audience(session, campaign, POLICY, datetime.now(UTC))
    assert members == set(ids) and later[0] not in members
    assert before == audience_digest(ids)


def test_selection_stays_inside_the_institution(database: Database) -> None:
    mine, theirs = bank(database, "bank-m"), bank(database, "bank-o")
    add_people(database, theirs, [Person(), Person()])
    mine_ids = add_people(database, mine, [Person()])
    assert report(database, mine, {"all": True}).base == 1
    other_ids = add_people(database, theirs, [Person()])
    assert _freeze_ids(database, mine, {"customer_ids": [mine_ids[0], other_ids[0]]}) == {
        mine_ids[0]
    }
