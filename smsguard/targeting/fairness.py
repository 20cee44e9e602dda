"""Fairness report: are regions and age bands selected at similar rates?

For a frozen campaign audience (``campaign_audiences``) or any preview selection, the report
compares, per region and per age band, the *selection rate* ``selected / eligible``, where
the eligible base is the set of customers the campaign could lawfully have picked (normally:
the institution's customers after the mandatory exclusions). A group is flagged by the
four-fifths rule: its rate is below ``ratio`` (0.8) times the highest rate of any group of at
least ``min_group_size`` eligible customers; smaller groups are shown but never flagged (or
used as the reference), because a handful of people gives rates that swing by chance. Each
rate also gets a two-proportion z-test p-value against the reference group.

Everything is counted in SQL with ``GROUP BY``: the database returns one row per group, and
no customer row is read into Python.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, select
from sqlalchemy.sql.elements import ColumnElement

from smsguard.errors import InputError, NotFound
from smsguard.store.models import Customer
from smsguard.store.targeting_models import CampaignAudience, CustomerProfile
from smsguard.store.tenancy import TenantSession
from smsguard.store.workflow_models import Campaign

UNKNOWN = "unknown"
UNDER_18 = "under-18"
# (label, lowest age) in ascending order; each band runs to the next band's lowest age.
AGE_BANDS = (("18-24", 18), ("25-34", 25), ("35-44", 35), ("45-54", 45), ("55-64", 55), ("65+", 65))
DIMENSIONS = ("region", "age_band")


@dataclass(frozen=True)
class FairnessThresholds:
    """When a gap is flagged; each number is configurable per report."""

    ratio: float = 0.8  # the four-fifths rule
    min_group_size: int = 100  # eligible customers a group needs to be flagged or a reference
    max_p_value: float | None = None  # when set, a flag also needs p below it

    def __post_init__(self) -> None:
        if not 0 < self.ratio <= 1:
            raise InputError(f"fairness ratio must be in (0, 1]; got {self.ratio}")
        if self.min_group_size < 1:
            raise InputError("the minimum group size must be at least 1")
        if self.max_p_value is not None and not 0 < self.max_p_value <= 1:
            raise InputError(f"the p-value limit must be in (0, 1]; got {self.max_p_value}")


@dataclass(frozen=True)
class GroupRate:
    """One region or age band: counts, rate and whether the gap is flagged."""

    dimension: str
    group: str
    eligible: int
    selected: int
    rate: float
    ratio_to_reference: float | None
    p_value: float | None
    flagged: bool
    note: str


@dataclass(frozen=True)
class FairnessReport:
    """Selection rates by region and by age band, with flagged gaps."""

    scope: str
    as_of: datetime
    thresholds: FairnessThresholds
    eligible: int
    selected: int
    selected_outside_base: int
    groups: tuple[GroupRate, ...]
    references: dict[str, str] = field(default_factory=dict)

    @property
    def flags(self) -> tuple[GroupRate, ...]:
        return tuple(g for g in self.groups if g.flagged)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        data["flags"] = [f"{g.dimension}:{g.group}" for g in self.flags]
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def youngest_birth_year(age: int, day: date) -> int:
    """The latest birth year whose holder is at least ``age`` on ``day`` even if born on
    31 December (the gateway's reading of a birth year)."""
    return day.year - age if (day.month, day.day) == (12, 31) else day.year - age - 1


def age_band(day: date) -> ColumnElement[str]:
    """The age band of ``customers.birth_year`` on ``day``, as SQL."""
    born = Customer.birth_year
    whens: list[tuple[ColumnElement[bool], ColumnElement[str]]] = [
        (born.is_(None), literal(UNKNOWN))
    ]
    for label, lowest in reversed(AGE_BANDS):
        whens.append((born <= youngest_birth_year(lowest, day), literal(label)))
    return case(*whens, else_=literal(UNDER_18))


def region_group() -> ColumnElement[str]:
    return func.coalesce(CustomerProfile.region, UNKNOWN)


def campaign_selection(session: TenantSession, campaign_id: int) -> Select[Any]:
    """The frozen audience of a campaign, as a selection of customer ids."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"no campaign {campaign_id} in this institution")
    if campaign.audience_frozen_at is None:
        raise InputError(
            f"campaign {campaign_id} has no frozen audience yet",
            hint="The audience is frozen at approval; report on a preview selection instead.",
        )
    return select(CampaignAudience.customer_id).where(
        CampaignAudience.institution_id == session.institution_id,
        CampaignAudience.campaign_id == campaign_id,
    )


def profiled_customers(session: TenantSession) -> Select[Any]:
    """Every customer of the institution with a profile: the base when no other is given."""
    return select(CustomerProfile.customer_id).where(
        CustomerProfile.institution_id == session.institution_id
    )


def fairness_report(
    session: TenantSession,
    selected: Select[Any],
    base: Select[Any],
    *,
    as_of: datetime,
    day: date,
    thresholds: FairnessThresholds | None = None,
    scope: str = "preview",
) -> FairnessReport:
    """Selection rates of ``selected`` within ``base`` (both: one column ``customer_id`` of
    distinct customer ids), by region and by age band on ``day``."""
    limits = thresholds or FairnessThresholds()
    cells, chosen_total = _cell_counts(session, selected, base, day)
    groups: list[GroupRate] = []
    references: dict[str, str] = {}
    for index, dimension in enumerate(DIMENSIONS):
        counts: dict[str, tuple[int, int]] = {}
        for key, (eligible, chosen) in cells.items():
            before = counts.get(key[index], (0, 0))
            counts[key[index]] = (before[0] + eligible, before[1] + chosen)
        rated, reference = _rate(dimension, counts, limits)
        groups.extend(rated)
        if reference is not None:
            references[dimension] = reference
    in_base = sum(chosen for _, chosen in cells.values())
    return FairnessReport(
        scope=scope,
        as_of=as_of,
        thresholds=limits,
        eligible=sum(eligible for eligible, _ in cells.values()),
        selected=in_base,
        selected_outside_base=chosen_total - in_base,
        groups=tuple(groups),
        references=references,
    )


def _cell_counts(
    session: TenantSession, selected: Select[Any], base: Select[Any], day: date
) -> tuple[dict[tuple[str, str], tuple[int, int]], int]:
    """(region, age band) → (eligible, selected) from one GROUP BY, plus the selection's size.

    Base and selection are materialised CTEs, so each runs once: inlined as subqueries, a
    planner may re-run the selection (itself a query with exclusions) for every base row.
    At most a few hundred cells come back, whatever the number of customers.
    """
    own = session.institution_id
    pool = base.cte("pool").prefix_with("MATERIALIZED")
    chosen = selected.cte("chosen").prefix_with("MATERIALIZED")
    rows = (
        select(
            region_group().label("region"),
            age_band(day).label("age_band"),
            chosen.c.customer_id.label("hit"),
        )
        .select_from(pool)
        .join(Customer, and_(Customer.id == pool.c.customer_id, Customer.institution_id == own))
        .outerjoin(
            CustomerProfile,
            and_(CustomerProfile.customer_id == Customer.id, CustomerProfile.institution_id == own),
        )
        .outerjoin(chosen, chosen.c.customer_id == pool.c.customer_id)
        .subquery("rows")
    )
    total = select(func.count()).select_from(chosen).scalar_subquery()
    statement = select(
        rows.c.region, rows.c.age_band, func.count(), func.count(rows.c.hit), total
    ).group_by(rows.c.region, rows.c.age_band)
    found = session.execute(statement).all()
    if not found:
        return {}, int(session.scalar(select(func.count()).select_from(selected.subquery())) or 0)
    cells = {(str(r), str(a)): (int(n), int(k)) for r, a, n, k, _ in found}
    return cells, int(found[0][4])


def _rate(
    dimension: str, counts: dict[str, tuple[int, int]], limits: FairnessThresholds
) -> tuple[list[GroupRate], str | None]:
    large = {g: k / n for g, (n, k) in counts.items() if n >= limits.min_group_size}
    reference = max(sorted(large), key=lambda g: large[g]) if large else None
    best = large[reference] if reference is not None else 0.0
    ref_counts = counts[reference] if reference is not None else (0, 0)
    out = []
    for group in sorted(counts, key=_order_key(dimension)):
        eligible, chosen = counts[group]
        out.append(_judge(dimension, group, eligible, chosen, reference, best, ref_counts, limits))
    return out, reference


def _order_key(dimension: str) -> Any:
    order = {label: i for i, (label, _) in enumerate(AGE_BANDS)} | {UNDER_18: -1}
    if dimension == "age_band":
        return lambda g: (order.get(g, len(order)), g)
    return lambda g: (g == UNKNOWN, g)


def _judge(
    dimension: str, group: str, eligible: int, chosen: int, reference: str | None,
    best: float, ref_counts: tuple[int, int], limits: FairnessThresholds,
) -> GroupRate:  # fmt: skip
    rate = round(chosen / eligible, 6) if eligible else 0.0
    if dimension == "age_band" and group == UNDER_18 and chosen > 0:
        return GroupRate(dimension, group, eligible, chosen, rate, None, None, True,
                         "minors selected: must never happen")  # fmt: skip
    if eligible < limits.min_group_size or reference is None or best == 0:
        note = "too small to judge" if eligible < limits.min_group_size else "no reference"
        return GroupRate(dimension, group, eligible, chosen, rate, None, None, False, note)
    ratio = rate / best
    p_value = two_proportion_p(chosen, eligible, ref_counts[1], ref_counts[0])
    below = ratio < limits.ratio
    significant = limits.max_p_value is None or p_value < limits.max_p_value
    flagged = below and significant and group != reference
    note = "reference (highest rate)" if group == reference else _gap_note(below, flagged, limits)
    return GroupRate(dimension, group, eligible, chosen, rate, round(ratio, 4),
                     round(p_value, 6), flagged, note)  # fmt: skip


def _gap_note(below: bool, flagged: bool, limits: FairnessThresholds) -> str:
    if flagged:
        return f"rate below {limits.ratio:g} x the reference"
    return "below the ratio but not significant" if below else "ok"


def two_proportion_p(hits_a: int, size_a: int, hits_b: int, size_b: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test (normal approximation)."""
    if size_a == 0 or size_b == 0:
        return 1.0
    pooled = (hits_a + hits_b) / (size_a + size_b)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / size_a + 1 / size_b))
    if spread == 0:
        return 1.0
    z = (hits_a / size_a - hits_b / size_b) / spread
    return math.erfc(abs(z) / math.sqrt(2))
