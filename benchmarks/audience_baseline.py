"""The baseline for bench_audience.py: the same selection done by loading rows into Python.

Customers with their profiles and the consent rows are streamed in customer order (a merge
join in Python, so memory stays bounded); complaints and the do-not-contact list are loaded
as sets. The rules are the ones the SQL applies (smsguard/targeting/exclusions.py), so the
count must equal the report's selection: the benchmark checks it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from smsguard.consent.policy import LOAN_MARKETING
from smsguard.store.complaint_models import Complaint
from smsguard.store.models import Consent, Customer
from smsguard.store.targeting_models import CustomerProfile, DoNotContact
from smsguard.targeting.compiler import latest_birth_year
from smsguard.targeting.policy import ExclusionPolicy

BATCH = 50_000


@dataclass(frozen=True)
class Wanted:
    """The benchmark's definition, as plain values."""

    bands: frozenset[str]
    max_debt: float  # exclusive
    regions: frozenset[str]
    active_days: int


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _consents(session: Session, now: datetime) -> Iterator[tuple[int, str, bool]]:
    """(customer id, latest status, latest grant has evidence) per customer, in id order."""
    rows = session.execute(
        select(Consent.customer_id, Consent.recorded_at, Consent.status, Consent.evidence)
        .where(Consent.purpose == LOAN_MARKETING)
        .order_by(Consent.customer_id, Consent.recorded_at, Consent.id)
        .execution_options(yield_per=BATCH)
    )
    current: int | None = None
    latest: tuple[datetime, str, bool] | None = None
    for customer_id, recorded_at, status, evidence in rows:
        at = _utc(recorded_at)
        assert at is not None
        if customer_id != current:
            if current is not None and latest is not None:
                yield current, latest[1], latest[2]
            current, latest = customer_id, None
        if at > now:
            continue
        if latest is None or at > latest[0] or (at == latest[0] and status != "granted"):
            latest = (at, status, bool((evidence or "").strip()))
    if current is not None and latest is not None:
        yield current, latest[1], latest[2]


def select_in_python(session: Session, wanted: Wanted, policy: ExclusionPolicy,
                     now: datetime) -> int:  # fmt: skip
    """How many customers the definition selects once every exclusion applies."""
    adult_year = latest_birth_year(18, policy.local_day(now))
    complained = set(session.scalars(select(Complaint.customer_id).where(
        Complaint.received_at >= now - timedelta(days=policy.complaint_days))))  # fmt: skip
    listed = set(session.scalars(select(DoNotContact.phone_index)))
    active_since = now - timedelta(days=wanted.active_days)
    declined_since = now - timedelta(days=policy.declined_days)
    consents = _consents(session, now)
    consent = next(consents, None)
    selected = 0
    rows = session.execute(
        select(Customer.id, Customer.phone_index, Customer.birth_year, Customer.is_student,
               CustomerProfile.credit_band, CustomerProfile.debt_ratio, CustomerProfile.region,
               CustomerProfile.last_active_at, CustomerProfile.in_arrears,
               CustomerProfile.declined_at)
        .join(CustomerProfile, CustomerProfile.customer_id == Customer.id)
        .order_by(Customer.id)
        .execution_options(yield_per=BATCH)
    )  # fmt: skip
    for cid, index, born, student, band, debt, region, seen, arrears, declined in rows:
        while consent is not None and consent[0] < cid:
            consent = next(consents, None)
        if band not in wanted.bands or debt >= wanted.max_debt or region not in wanted.regions:
            continue
        seen_at, declined_at = _utc(seen), _utc(declined)
        if seen_at is None or seen_at < active_since:
            continue
        if consent is None or consent[0] != cid or consent[1] != "granted" or not consent[2]:
            continue
        if student or born is None or born > adult_year or arrears:
            continue
        if debt > policy.max_debt_ratio or cid in complained or index in listed:
            continue
        if declined_at is not None and declined_at >= declined_since:
            continue
        selected += 1
    return selected
