"""Customers for the targeting tests, written straight into the tables (no keys needed).

Identifying fields hold placeholder bytes: selection never reads them, and the tests must not
need real encryption to build thousands of customers. ``give_profiles`` is also what other
test folders use to give their imported customers the profile targeting now requires.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.sql.elements import ColumnElement

from smsguard.governance import campaigns, templates
from smsguard.screening.engine import Screener
from smsguard.store import Database, tenant_session
from smsguard.store.complaint_models import Complaint
from smsguard.store.institutions import add_institution
from smsguard.store.models import Consent, Customer, User
from smsguard.store.targeting_models import CustomerProfile, DoNotContact

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@dataclass
class Person:
    """One customer's facts; the defaults describe someone every exclusion lets through."""

    birth_year: int | None = 1985
    is_student: bool = False
    consent: str | None = "granted"  # "granted", "withdrawn", "bare" (no evidence) or None
    profile: bool = True
    credit_band: str = "B"
    debt_ratio: float = 0.2
    income_band: str = "middle"
    product_interest: str | None = "personal_loan"
    region: str = "44"
    active_days_ago: int | None = 3
    in_arrears: bool = False
    declined_days_ago: int | None = None
    complaint_days_ago: int | None = None
    do_not_contact: bool = False


def add_people(database: Database, institution_id: int, people: list[Person],
               now: datetime = NOW) -> list[int]:  # fmt: skip
    """Insert the people; their customer ids in the same order."""
    with tenant_session(database, institution_id) as session:
        start = len(list(session.scalars(select(Customer.id))))
        ids = []
        for n, person in enumerate(people, start=start):
            customer = Customer(
                phone_index=f"idx-{institution_id}-{n}", phone_ciphertext=b"-", key_id="k",
                birth_year=person.birth_year, is_student=person.is_student,
            )  # fmt: skip
            session.add(customer)
            session.flush()
            ids.append(customer.id)
            _facts(session, customer, person, now)
    return ids


def _facts(session: object, customer: Customer, person: Person, now: datetime) -> None:
    add = session.add  # type: ignore[attr-defined]
    if person.consent is not None:
        status = "withdrawn" if person.consent == "withdrawn" else "granted"
        evidence = "" if person.consent == "bare" else "checkbox v3"
        for kind, proof, days in (("granted", "checkbox v3", 30), (status, evidence, 10)):
            at = now - timedelta(days=days)
            add(Consent(customer_id=customer.id, purpose="loan_marketing", status=kind,
                        source="app", evidence=proof, recorded_at=at))  # fmt: skip
    if person.profile:
        add(profile_row(customer.id, person, now))
    if person.complaint_days_ago is not None:
        add(_complaint(customer.id, now - timedelta(days=person.complaint_days_ago)))
    if person.do_not_contact:
        add(DoNotContact(list_name="bureau", phone_index=customer.phone_index,
                         reason="asked", added_by="tests"))  # fmt: skip


def profile_row(customer_id: int, person: Person, now: datetime = NOW) -> CustomerProfile:
    def ago(days: int | None) -> datetime | None:
        return None if days is None else now - timedelta(days=days)

    return CustomerProfile(
        customer_id=customer_id, credit_band=person.credit_band, debt_ratio=person.debt_ratio,
        income_band=person.income_band, product_interest=person.product_interest,
        region=person.region, last_active_at=ago(person.active_days_ago),
        in_arrears=person.in_arrears, declined_at=ago(person.declined_days_ago),
    )  # fmt: skip


def _complaint(customer_id: int, at: datetime) -> Complaint:
    return Complaint(
        customer_id=customer_id, status="received", channel="sms", category="sms_marketing",
        received_at=at, clock_started_at=at, due_at=at + timedelta(days=15),
    )  # fmt: skip


def give_profiles(database: Database, institution_id: int, **changes: object) -> int:
    """Give every customer of the institution without a profile a benign one; how many."""
    person = Person(**changes)  # type: ignore[arg-type]
    with tenant_session(database, institution_id) as session:
        have = select(CustomerProfile.customer_id)
        missing = list(session.scalars(select(Customer.id).where(Customer.id.not_in(have))))
        rows = [_profile_values(profile_row(c, person), institution_id) for c in missing]
        if rows:
            session.execute(insert(CustomerProfile.__table__), rows)
    return len(missing)


def _profile_values(profile: CustomerProfile, institution_id: int) -> dict[str, object]:
    columns = ("customer_id", "credit_band", "debt_ratio", "income_band", "product_interest",
               "region", "last_active_at", "in_arrears", "declined_at")  # fmt: skip
    values: dict[str, object] = {name: getattr(profile, name) for name in columns}
    return {**values, "institution_id": institution_id, "updated_at": datetime.now(UTC)}


def bank(database: Database, code: str = "bank-t") -> int:
    """An institution with a marketer ``mia`` and a certified officer ``olga``."""
    institution_id = add_institution(database, code=code, name=code).id
    with tenant_session(database, institution_id) as session:
        session.add(User(username="mia", display_name="mia", roles=["marketer"]))
        expires = datetime.now(UTC) + timedelta(days=365)
        session.add(User(username="olga", display_name="olga", roles=["compliance_officer"],
                         certification_expires_at=expires))  # fmt: skip
    return institution_id


BODY = "【某银行】您的专属额度已更新，年化利率7.2%起（单利），详询95555。拒收请回复R"


def draft_campaign(database: Database, institution_id: int, screener: Screener,
                   audience: dict[str, object], name: str = "offer") -> int:  # fmt: skip
    """A draft campaign over ``audience`` with an approved template (made by mia, cleared by
    olga); the test decides when and how its audience is frozen."""
    with tenant_session(database, institution_id) as session:
        mia = session.scalars(select(User).where(User.username == "mia")).one()
        olga = session.scalars(select(User).where(User.username == "olga")).one()
        version = templates.create_draft(session, mia, f"t-{name}", BODY)
        templates.screen_version(session, mia, version.id, screener)
        templates.submit(session, mia, version.id)
        if version.verdict == "review":
            templates.approve(session, olga, version.id, justification="reviewed for tests")
        else:
            templates.approve(session, olga, version.id)
        campaign = campaigns.create(
            session, mia, name=name, template_version_id=version.id, audience=audience,
            starts_at=NOW, rate_limit_per_minute=600,
        )  # fmt: skip
        return campaign.id


class TinyScorer:
    """Log-odds 2 − 10 × debt ratio: debt 0.2 is even odds; "high" from probability 0.5."""

    name = "tiny"

    def logit(self) -> ColumnElement[float]:
        return 2.0 - 10.0 * CustomerProfile.debt_ratio

    def probability(self, logit: float) -> float:
        return 1 / (1 + math.exp(-logit))

    def segment(self, probability: float) -> str:
        return "high" if probability >= 0.5 else "low"
