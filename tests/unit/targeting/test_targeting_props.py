"""Property: no generated customer with a protected attribute ever lands in a frozen audience,
and everyone frozen satisfies the definition (on SQLite and PostgreSQL).

Customers get random protected attributes (no consent, a grant without evidence, withdrawn,
student, minor or unknown birth year, no profile, in arrears, over-indebted, recent complaint,
recent decline, do-not-contact) and random targeting attributes; definitions are random trees
with optional id lists and ranking. A plain-Python reading of the definition is the oracle:
without ranking the frozen list must be exactly "matches and not protected"; with ranking a
subset of it, within the limit and above the minimum probability.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from targeting_world import NOW, Person, TinyScorer, add_people, bank, draft_campaign

from smsguard.screening.engine import Screener
from smsguard.store import Database, tenant_session
from smsguard.store.targeting_models import CampaignAudience
from smsguard.store.workflow_models import Campaign
from smsguard.targeting.compiler import youngest_age
from smsguard.targeting.policy import ExclusionPolicy
from smsguard.targeting.selection import freeze_audience

POLICY = ExclusionPolicy()
DAY = POLICY.local_day(NOW)
RATIOS = [0.0, 0.1, 0.2, 0.3, 0.5, 0.6, 0.9]
_codes = itertools.count()

people = st.builds(
    Person,
    birth_year=st.sampled_from([None, 2015, 2008, 2007, 2000, 1990, 1970, 1950]),
    is_student=st.booleans(),
    consent=st.sampled_from(["granted", "granted", "granted", "withdrawn", "bare", None]),
    profile=st.sampled_from([True, True, True, False]),
    credit_band=st.sampled_from("ABCDE"),
    debt_ratio=st.sampled_from(RATIOS),
    income_band=st.sampled_from(["low", "middle", "high"]),
    product_interest=st.sampled_from([None, "car_loan", "personal_loan"]),
    region=st.sampled_from(["11", "31", "44"]),
    active_days_ago=st.sampled_from([None, 1, 10, 60]),
    in_arrears=st.booleans(),
    declined_days_ago=st.sampled_from([None, 10, 90, 91, 200]),
    complaint_days_ago=st.sampled_from([None, 10, 180, 181, 400]),
    do_not_contact=st.booleans(),
)


def _subset(values: list[str]) -> st.SearchStrategy[dict[str, list[str]]]:
    return st.lists(st.sampled_from(values), min_size=1, max_size=3, unique=True).map(
        lambda chosen: {"in": chosen}
    )


def _ratio() -> st.SearchStrategy[dict[str, Any]]:
    bound = st.sampled_from(RATIOS)
    single = st.builds(lambda op, v: {op: v}, st.sampled_from(["lt", "le", "gt", "ge"]), bound)
    pair = st.tuples(bound, bound).map(lambda p: {"between": sorted(p)})
    return single | pair


leaf = st.one_of(
    _subset(list("ABCDE")).map(lambda v: {"credit_band": v}),
    _subset(["low", "middle", "high"]).map(lambda v: {"income_band": v}),
    _subset(["car_loan", "personal_loan"]).map(lambda v: {"product_interest": v}),
    _subset(["11", "31", "44"]).map(lambda v: {"region": v}),
    _ratio().map(lambda v: {"debt_ratio": v}),
    st.tuples(st.integers(0, 90), st.integers(0, 90)).map(
        lambda p: {"age": {"between": sorted(p)}}
    ),
    st.sampled_from([5, 30, 90]).map(lambda d: {"active_within_days": d}),
)
trees = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda c: {"all": c}),
        st.lists(inner, min_size=1, max_size=3).map(lambda c: {"any": c}),
        inner.map(lambda c: {"not": c}),
    ),
    max_leaves=6,
)
ranks = st.none() | st.builds(
    lambda limit, low: {k: v for k, v in (("limit", limit), ("min_probability", low)) if v},
    st.sampled_from([None, 1, 3]),
    st.sampled_from([None, 0.3, 0.6]),
).filter(bool)


def protected(p: Person) -> bool:
    """Any attribute a mandatory exclusion must keep out."""
    minor = p.birth_year is None or youngest_age(p.birth_year, DAY) < 18
    profile_says = p.profile and (p.in_arrears or p.debt_ratio > POLICY.max_debt_ratio
                                  or (p.declined_days_ago is not None
                                      and p.declined_days_ago <= POLICY.declined_days))  # fmt: skip
    complaint = p.complaint_days_ago is not None and p.complaint_days_ago <= POLICY.complaint_days
    return (p.consent != "granted" or p.is_student or minor or not p.profile or profile_says
            or complaint or p.do_not_contact)  # fmt: skip


def matches(node: dict[str, Any], p: Person) -> bool:
    """The oracle: the definition read in plain Python."""
    ((key, value),) = node.items()
    if key in ("all", "any"):
        results = [matches(child, p) for child in value]
        return all(results) if key == "all" else any(results)
    if key == "not":
        return not matches(value, p)
    if key == "age":
        low, high = value["between"]
        return p.birth_year is not None and low <= youngest_age(p.birth_year, DAY) <= high
    if not p.profile:
        return False
    if key == "debt_ratio":
        return _within(value, p.debt_ratio)
    if key == "active_within_days":
        return p.active_days_ago is not None and p.active_days_ago <= value
    return getattr(p, key) in value["in"]


def _within(bounds: dict[str, Any], x: float) -> bool:
    checks = {
        "lt": x < bounds.get("lt", math.inf), "le": x <= bounds.get("le", math.inf),
        "gt": x > bounds.get("gt", -math.inf), "ge": x >= bounds.get("ge", -math.inf),
    }  # fmt: skip
    if "between" in bounds:
        return bounds["between"][0] <= x <= bounds["between"][1]
    return all(checks[op] for op in bounds)


def _probability(p: Person) -> float:
    scorer = TinyScorer()
    return scorer.probability(2.0 - 10.0 * p.debt_ratio)


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                  HealthCheck.too_slow])  # fmt: skip
@given(
    crowd=st.lists(people, min_size=1, max_size=25),
    tree=st.none() | trees,
    listed=st.none() | st.lists(st.integers(0, 24), min_size=1, max_size=8, unique=True),
    rank=ranks,
)
def test_no_protected_customer_is_ever_frozen_and_every_member_matches(
    database: Database, screener: Screener, crowd: list[Person], tree: dict[str, Any] | None,
    listed: list[int] | None, rank: dict[str, Any] | None,
) -> None:  # fmt: skip
    institution = bank(database, f"prop-{next(_codes)}")
    ids = add_people(database, institution, crowd, NOW)
    data: dict[str, Any] = dict(tree) if tree is not None else {"all": True}
    if listed is not None:
        data["customer_ids"] = [ids[i] for i in listed if i < len(ids)] or [ids[0]]
    if rank is not None:
        data["rank"] = rank
    campaign_id = draft_campaign(database, institution, screener, data)
    with tenant_session(database, institution) as session:
        campaign = session.get(Campaign, campaign_id)
        assert campaign is not None
        report = freeze_audience(session, campaign, POLICY, NOW, TinyScorer() if rank else None)
        frozen = set(session.scalars(
            select(CampaignAudience.customer_id).where(CampaignAudience.campaign_id == campaign_id)
        ))  # fmt: skip
    by_id = dict(zip(ids, crowd, strict=True))
    wanted = {
        i for i, p in by_id.items()
        if (tree is None or matches(tree, p))
        and ("customer_ids" not in data or i in data["customer_ids"])
    }  # fmt: skip
    eligible = {i for i in wanted if not protected(by_id[i])}
    assert not any(protected(by_id[i]) for i in frozen), "a protected customer was frozen"
    assert frozen <= wanted, "a frozen customer does not satisfy the definition"
    assert report.base == len(wanted) and report.eligible == len(eligible)
    assert report.selected == len(frozen) == campaign.audience_size
    if rank is None:
        assert frozen == eligible
        return
    above = {i for i in eligible if _probability(by_id[i]) >= rank.get("min_probability", 0)}
    assert frozen <= above
    assert len(frozen) == min(len(above), rank.get("limit", len(above)))
    best = sorted(above, key=lambda i: (-_probability(by_id[i]), i))
    assert frozen == set(best[: len(frozen)])
