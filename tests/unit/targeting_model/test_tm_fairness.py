"""The fairness report: planted gaps are flagged, even selections and small groups are not,
and all counting happens in SQL on both backends."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date

import pytest
from sqlalchemy import select
from tm_world import NOW, Person, add_audience, add_people, campaign, institution

from smsguard.errors import InputError
from smsguard.store import Database
from smsguard.store.models import Customer
from smsguard.store.tenancy import TenantSession, tenant_session
from smsguard.targeting.fairness import (
    FairnessReport,
    FairnessThresholds,
    campaign_selection,
    fairness_report,
    profiled_customers,
    two_proportion_p,
    youngest_birth_year,
)
from smsguard.targeting.fairness_campaign import campaign_fairness
from smsguard.targeting.fairness_text import render_text
from smsguard.targeting.policy import ExclusionPolicy

DAY = date(2026, 11, 1)


def _people(region: str, count: int, start: int, birth_year: int = 1985) -> list[Person]:
    return [
        Person(start + i, birth_year, "B", "middle", "car", 0.2, region, NOW) for i in range(count)
    ]


def _chosen(people: Sequence[Person], share: float) -> list[int]:
    return [p.id for p in people[: round(len(people) * share)]]


def _report(session: TenantSession, ids: list[int], **limits: object) -> FairnessReport:
    selected = select(Customer.id.label("customer_id")).where(Customer.id.in_(ids))
    return fairness_report(
        session, selected, profiled_customers(session), as_of=NOW, day=DAY,
        thresholds=FairnessThresholds(**limits),  # type: ignore[arg-type]
    )  # fmt: skip


def _group(report: FairnessReport, dimension: str, group: str) -> tuple[int, int, bool]:
    found = next(g for g in report.groups if g.dimension == dimension and g.group == group)
    return found.eligible, found.selected, found.flagged


def test_planted_gap_is_flagged_and_even_selection_is_not(database: Database) -> None:
    own = institution(database)
    south, north, west = _people("44", 400, 1), _people("11", 400, 1001), _people("51", 300, 2001)
    tiny = _people("54", 10, 3001)
    with tenant_session(database, own) as session:
        add_people(session, [*south, *north, *west, *tiny])
        gap = _report(session, _chosen(south, 0.5) + _chosen(north, 0.2) + _chosen(west, 0.45))
        even = _report(session, _chosen(south, 0.3) + _chosen(north, 0.3) + _chosen(west, 0.3))
    assert [f"{g.dimension}:{g.group}" for g in gap.flags] == ["region:11"]
    assert _group(gap, "region", "44") == (400, 200, False)
    assert _group(gap, "region", "11") == (400, 80, True)
    assert _group(gap, "region", "51") == (300, 135, False)  # 0.9 of the best: fine
    assert _group(gap, "region", "54") == (10, 0, False)  # 0 % but too small to judge
    assert gap.references == {"region": "44", "age_band": "35-44"}
    flagged = next(g for g in gap.flags)
    assert flagged.ratio_to_reference == 0.4 and flagged.p_value is not None
    assert flagged.p_value < 1e-10
    assert gap.eligible == 1110 and gap.selected == 415 and gap.selected_outside_base == 0
    assert even.flags == ()


def test_small_groups_never_flag_and_thresholds_are_configurable(database: Database) -> None:
    own = institution(database)
    big, small = _people("44", 200, 1), _people("11", 40, 1001)
    with tenant_session(database, own) as session:
        add_people(session, [*big, *small])
        ids = _chosen(big, 0.5) + _chosen(small, 0.1)
        default = _report(session, ids)
        lowered = _report(session, ids, min_group_size=20)
        strict_p = _report(session, ids, min_group_size=20, max_p_value=1e-12)
        loose_ratio = _report(session, ids, min_group_size=20, ratio=0.15)
    assert default.flags == ()
    assert [g.group for g in lowered.flags] == ["11"]
    assert strict_p.flags == ()  # p ≈ 1e-7 is not below 1e-12
    assert loose_ratio.flags == ()  # 0.2 of the best is above a 0.15 rule
    with pytest.raises(InputError):
        FairnessThresholds(ratio=1.5)


def test_age_bands_and_minors(database: Database) -> None:
    own = institution(database)
    young = _people("44", 150, 1, birth_year=2004)  # youngest age 21 on 2026-11-01
    old = _people("44", 150, 1001, birth_year=1955)  # 70
    minors = _people("44", 3, 2001, birth_year=2010)
    with tenant_session(database, own) as session:
        add_people(session, [*young, *old, *minors])
        report = _report(session, _chosen(young, 0.1) + _chosen(old, 0.5) + [2001])
    assert _group(report, "age_band", "18-24") == (150, 15, True)
    assert _group(report, "age_band", "65+") == (150, 75, False)
    assert _group(report, "age_band", "under-18") == (3, 1, True)  # however small
    text = render_text(report)
    assert "未成年 under 18" in text and "18-24" in text and "广东" in text
    assert "minors selected" in text


def test_age_cutoffs_follow_the_gateways_reading() -> None:
    assert youngest_birth_year(18, date(2026, 11, 1)) == 2007
    assert youngest_birth_year(18, date(2026, 12, 31)) == 2008
    assert two_proportion_p(50, 100, 50, 100) == 1.0
    assert two_proportion_p(0, 0, 5, 10) == 1.0
    assert 0.04 < two_proportion_p(40, 100, 54, 100) < 0.06


def test_frozen_campaign_report_json_and_text(database: Database) -> None:
    own = institution(database)
    south, north = _people("44", 300, 1), _people("11", 300, 1001)
    with tenant_session(database, own) as session:
        add_people(session, [*south, *north], consent=True)
        frozen = campaign(session, "frozen", frozen=True)
        draft = campaign(session, "draft")
        add_audience(session, frozen, _chosen(south, 0.6) + _chosen(north, 0.2))
        selected = campaign_selection(session, frozen)
        assert len(session.execute(selected).all()) == 240
        with pytest.raises(InputError, match="no frozen audience"):
            campaign_selection(session, draft)
        report = campaign_fairness(session, frozen, ExclusionPolicy(), NOW)
        preview = campaign_fairness(session, draft, ExclusionPolicy(), NOW)
    assert report.scope.startswith(f"campaign {frozen} (frozen")
    assert report.eligible == 600 and report.selected == 240
    assert [g.group for g in report.flags] == ["11"]
    assert preview.selected == preview.eligible == 600 and preview.flags == ()
    data = json.loads(report.to_json())
    assert data["flags"] == ["region:11"] and data["thresholds"]["ratio"] == 0.8
    text = render_text(report)
    assert "! 11 北京" in text and "four-fifths" in text
    assert not re.search(r"(?<!\d)1\d{10}(?!\d)", text + report.to_json())  # never a phone number
