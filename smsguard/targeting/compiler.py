"""Audience definitions compiled to SQL, so selection runs inside the database.

Everything here builds SQLAlchemy expressions with bound parameters over ``customers LEFT
OUTER JOIN customer_profiles``: no customer is loaded into Python, and no string is ever
pasted into SQL. The outer join keeps customers without a profile in the base, where the
``no_profile`` exclusion counts and removes them (fail closed), instead of letting them vanish
uncounted.

Every leaf is two-valued: a missing value (no profile, no birth year, never active) makes the
leaf false, never SQL ``NULL``, so ``not`` means what it says and a count of a leaf is exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Select, and_, false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from smsguard.consent.policy import Recipient
from smsguard.errors import InputError
from smsguard.gateway.plan import birth_date_upper_bound
from smsguard.store.models import Customer
from smsguard.store.targeting_models import CustomerProfile
from smsguard.targeting.language import (
    ActiveWithin,
    AgeIs,
    AllOf,
    AnyOf,
    AudienceDefinition,
    CreditBandIs,
    DebtRatioIs,
    IncomeBandIs,
    NotOf,
    ProductInterestIs,
    Ratio,
    RegionIs,
)


@dataclass(frozen=True)
class Frame:
    """What a compiled expression is evaluated against: one institution at one instant."""

    institution_id: int
    now: datetime  # aware
    day: date  # the local calendar date for ages

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise InputError("selection time must carry a time zone")
        object.__setattr__(self, "now", self.now.astimezone(UTC))

    def days_ago(self, days: int) -> datetime:
        return self.now - timedelta(days=days)


def youngest_age(birth_year: int, on: date) -> int:
    """The age the gateway assumes for a birth year (the youngest possible: born 31 Dec)."""
    born = Recipient("-", "-", birth_date=birth_date_upper_bound(birth_year))
    age = born.age_on(on)
    assert age is not None
    return age


def latest_birth_year(age: int, on: date) -> int:
    """The latest birth year whose youngest possible age on ``on`` is at least ``age``."""
    year = on.year - age
    return year if youngest_age(year, on) >= age else year - 1


def base_query(frame: Frame) -> Select[int]:
    """``SELECT customers.id FROM customers LEFT JOIN customer_profiles`` of one institution."""
    return (
        select(Customer.id)
        .select_from(Customer)
        .outerjoin(
            CustomerProfile,
            and_(
                CustomerProfile.customer_id == Customer.id,
                CustomerProfile.institution_id == Customer.institution_id,
            ),
        )
        .where(Customer.institution_id == frame.institution_id)
    )


def definition_filter(definition: AudienceDefinition, frame: Frame) -> ColumnElement[bool]:
    """The rows a definition asks for, before exclusions and ranking."""
    parts: list[ColumnElement[bool]] = []
    if definition.customer_ids is not None:
        parts.append(Customer.id.in_(sorted(set(definition.customer_ids))))
    if definition.where is not None:
        parts.append(compile_condition(definition.where, frame))
    return and_(true(), *parts)


def compile_condition(node: object, frame: Frame) -> ColumnElement[bool]:
    """One node of the tree as a two-valued SQL boolean."""
    if isinstance(node, AllOf):
        return and_(*(compile_condition(child, frame) for child in node.all))
    if isinstance(node, AnyOf):
        return or_(*(compile_condition(child, frame) for child in node.any))
    if isinstance(node, NotOf):
        return ~compile_condition(node.not_, frame)
    return compile_leaf(node, frame)


def compile_leaf(node: object, frame: Frame) -> ColumnElement[bool]:
    """A leaf condition; false (never NULL) when the value is missing."""
    profile = CustomerProfile.id.is_not(None)
    if isinstance(node, CreditBandIs):
        return and_(profile, CustomerProfile.credit_band.in_(node.credit_band.in_))
    if isinstance(node, IncomeBandIs):
        return and_(profile, CustomerProfile.income_band.in_(node.income_band.in_))
    if isinstance(node, RegionIs):
        return and_(profile, CustomerProfile.region.in_(node.region.in_))
    if isinstance(node, ProductInterestIs):
        column = CustomerProfile.product_interest
        return and_(profile, column.is_not(None), column.in_(node.product_interest.in_))
    if isinstance(node, DebtRatioIs):
        return and_(profile, _ratio(node.debt_ratio))
    if isinstance(node, AgeIs):
        youngest, oldest = node.age.between
        born = Customer.birth_year
        return and_(
            born.is_not(None),
            born <= latest_birth_year(youngest, frame.day),
            born > latest_birth_year(oldest + 1, frame.day),
        )
    if isinstance(node, ActiveWithin):
        seen = CustomerProfile.last_active_at
        return and_(profile, seen.is_not(None), seen >= frame.days_ago(node.active_within_days))
    raise InputError(f"cannot compile audience node {type(node).__name__}")


def _ratio(bounds: Ratio) -> ColumnElement[bool]:
    column = CustomerProfile.debt_ratio
    parts: list[ColumnElement[bool]] = []
    if bounds.between is not None:
        parts.append(column.between(bounds.between[0], bounds.between[1]))
    if bounds.lt is not None:
        parts.append(column < bounds.lt)
    if bounds.le is not None:
        parts.append(column <= bounds.le)
    if bounds.gt is not None:
        parts.append(column > bounds.gt)
    if bounds.ge is not None:
        parts.append(column >= bounds.ge)
    return and_(*parts) if parts else false()
