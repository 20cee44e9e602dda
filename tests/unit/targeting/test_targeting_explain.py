"""``explain``: why one customer is in or out, in both languages, without identity data."""

from __future__ import annotations

from sqlalchemy import select
from targeting_world import NOW, Person, TinyScorer, add_people, bank, draft_campaign

from smsguard.governance import campaigns
from smsguard.screening.engine import Screener
from smsguard.store import Database, tenant_session
from smsguard.store.models import User
from smsguard.store.workflow_models import Campaign
from smsguard.targeting.explain import Explanation, explain
from smsguard.targeting.policy import ExclusionPolicy

AUDIENCE = {"all": [{"credit_band": {"in": ["A", "B"]}}, {"not": {"region": {"in": ["11"]}}}]}


def _explained(database: Database, screener: Screener, approve: bool) -> list[Explanation]:
    institution = bank(database)
    ids = add_people(database, institution, [
        Person(credit_band="A", region="44"),
        Person(credit_band="A", region="11"),
        Person(credit_band="B", is_student=True, debt_ratio=0.7),
        Person(profile=False),
    ])  # fmt: skip
    campaign_id = draft_campaign(database, institution, screener, AUDIENCE)
    with tenant_session(database, institution) as session:
        if approve:
            olga = session.scalars(select(User).where(User.username == "olga")).one()
            campaigns.approve(session, olga, campaign_id)
        campaign = session.get(Campaign, campaign_id)
        assert campaign is not None
        return [explain(session, campaign, i, ExclusionPolicy(), NOW) for i in ids]


def test_explain_says_in_or_out_with_each_condition_and_exclusion(
    database: Database, screener: Screener
) -> None:
    inside, wrong_region, student, unknown = _explained(database, screener, approve=True)
    assert inside.included and inside.frozen_member is True
    assert [(c.key, c.holds, c.value) for c in inside.conditions] == [
        ("all.0.credit_band", True, "A"), ("all.1.not.region", True, "44"),
    ]  # fmt: skip
    assert not any(c.holds for c in inside.exclusions)
    assert not wrong_region.included and not wrong_region.matches_definition
    assert wrong_region.conditions[1].holds is False and wrong_region.conditions[1].value == "11"
    assert not wrong_region.excluded
    hits = {c.key: c.value for c in student.exclusions if c.holds}
    assert hits == {"student": "student", "over_indebted": "0.70"}
    assert student.matches_definition and not student.included
    assert {c.key for c in unknown.exclusions if c.holds} == {"no_profile"}
    assert unknown.conditions[0].value == "no profile"


def test_explain_before_approval_reads_the_definition_and_exclusions(
    database: Database, screener: Screener
) -> None:
    inside, wrong_region, student, _ = _explained(database, screener, approve=False)
    assert inside.frozen_member is None and inside.included
    assert not wrong_region.included and not student.included


def test_explanations_read_in_both_languages(database: Database, screener: Screener) -> None:
    inside, _, student, _ = _explained(database, screener, approve=True)
    chinese, english = "\n".join(student.lines("zh")), "\n".join(student.lines("en"))
    assert "该客户不在本活动的受众中" in chinese and "[命中] student" in chinese
    assert "not in the campaign's audience" in english and "[applies] student" in english
    assert "不是：地区" in "\n".join(inside.lines("zh"))
    assert "not: region" in "\n".join(inside.lines("en"))
    data = inside.to_dict()
    assert data["included"] is True and len(data["exclusions"]) == 10


def test_a_customer_ranked_out_is_told_so(database: Database, screener: Screener) -> None:
    institution = bank(database)
    best, second = add_people(database, institution, [Person(debt_ratio=0.1),
                                                      Person(debt_ratio=0.3)])  # fmt: skip
    audience = {"all": True, "rank": {"limit": 1}}
    campaign_id = draft_campaign(database, institution, screener, audience)
    with tenant_session(database, institution) as session:
        olga = session.scalars(select(User).where(User.username == "olga")).one()
        campaign = campaigns.approve(session, olga, campaign_id, scorer=TinyScorer())
        top = explain(session, campaign, best, ExclusionPolicy(), NOW)
        out = explain(session, campaign, second, ExclusionPolicy(), NOW)
    assert top.included and top.segment == "high"
    assert not out.included and out.ranked and not out.excluded
    assert "not ranked in" in "\n".join(out.lines("en"))
    assert "排序未入选" in "\n".join(out.lines("zh"))
