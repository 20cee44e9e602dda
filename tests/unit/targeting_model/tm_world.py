"""Rows for the propensity and fairness tests: invented customers, never real people.

Customers carry a dummy phone index and ciphertext (no number at all); ids are given
explicitly so bulk inserts can link profiles, outcomes and audiences without reading back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import insert

from smsguard.store import Database
from smsguard.store.institutions import add_institution
from smsguard.store.models import Consent, Customer, User
from smsguard.store.targeting_models import CampaignAudience, CampaignOutcome, CustomerProfile
from smsguard.store.tenancy import TenantSession, tenant_session
from smsguard.store.workflow_models import Campaign, Template, TemplateVersion

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
BANDS = ("A", "B", "C", "D", "E")
INCOMES = ("low", "lower-middle", "middle", "upper-middle", "high")
PRODUCTS = ("car", "home", "cash", None)
# The planted truth: band A and B respond and repay more, high debt and long silence less.
BAND_EFFECT = {"A": 1.2, "B": 0.6, "C": 0.0, "D": -0.5, "E": -1.0}


@dataclass(frozen=True)
class Person:
    id: int
    birth_year: int | None
    credit_band: str
    income_band: str
    product_interest: str | None
    debt_ratio: float
    region: str
    last_active_at: datetime | None


def institution(database: Database, code: str = "bank-a") -> int:
    return add_institution(database, code=code, name=f"Bank {code}").id


def campaign(session: TenantSession, name: str = "spring", frozen: bool = False) -> int:
    """A campaign (draft unless ``frozen``) on a template version, with its maker."""
    user = session.query(User).filter(User.username == "mia").one_or_none()
    if user is None:
        user = User(username="mia", display_name="mia", roles=["marketer"])
        session.add(user)
        session.flush()
    template = Template(name=f"t-{name}", author_id=user.id)
    session.add(template)
    session.flush()
    version = TemplateVersion(
        template_id=template.id, version=1, body="【某银行】欢迎申请。回复TD退订",
        variables={}, state="draft", author_id=user.id,
    )  # fmt: skip
    session.add(version)
    session.flush()
    row = Campaign(
        name=name, template_version_id=version.id, audience={"all": True}, variables={},
        starts_at=NOW, rate_limit_per_minute=60, state="draft", created_by_id=user.id,
        audience_frozen_at=NOW if frozen else None,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row.id


def random_people(count: int, seed: int = 7, start: int = 1) -> list[Person]:
    rng = np.random.default_rng(seed)
    people = []
    for i in range(count):
        silent = rng.random() < 0.1
        people.append(
            Person(
                id=start + i,
                birth_year=int(rng.integers(1950, 2005)),
                credit_band=BANDS[int(rng.integers(0, 5))],
                income_band=INCOMES[int(rng.integers(0, 5))],
                product_interest=PRODUCTS[int(rng.integers(0, 4))],
                debt_ratio=float(np.round(rng.uniform(0, 0.9), 3)),
                region=("44", "11", "51", "31")[int(rng.integers(0, 4))],
                last_active_at=None if silent else NOW - timedelta(days=float(rng.uniform(0, 500))),
            )
        )
    return people


def add_people(session: TenantSession, people: Sequence[Person], consent: bool = False) -> None:
    own = session.institution_id
    customers = [
        {"id": p.id, "institution_id": own, "phone_index": f"idx-{own}-{p.id}",
         "phone_ciphertext": b"\x01", "key_id": "k1", "birth_year": p.birth_year,
         "is_student": False}
        for p in people
    ]  # fmt: skip
    profiles = [
        {"id": p.id, "institution_id": own, "customer_id": p.id, "credit_band": p.credit_band,
         "income_band": p.income_band, "product_interest": p.product_interest,
         "debt_ratio": p.debt_ratio, "region": p.region, "last_active_at": p.last_active_at,
         "in_arrears": False, "updated_at": NOW}
        for p in people
    ]  # fmt: skip
    session.execute(insert(Customer), customers)
    session.execute(insert(CustomerProfile), profiles)
    if consent:
        rows = [
            {"institution_id": own, "customer_id": p.id, "purpose": "loan_marketing",
             "status": "granted", "source": "app", "evidence": "checkbox v3",
             "recorded_at": NOW - timedelta(days=30)}
            for p in people
        ]  # fmt: skip
        session.execute(insert(Consent), rows)


def planted_label(person: Person, rng: np.random.Generator) -> tuple[bool, bool | None]:
    """(responded, repaid) drawn from the planted truth."""
    z = -1.2 + BAND_EFFECT[person.credit_band] - 1.5 * (person.debt_ratio > 0.5)
    if person.last_active_at is None or NOW - person.last_active_at > timedelta(days=180):
        z -= 0.8
    good = rng.random() < 1 / (1 + np.exp(-z))
    if good:
        return True, bool(rng.random() < 0.7) or None
    responded = bool(rng.random() < 0.3)
    return responded, (False if responded else None)


def add_outcomes(session: TenantSession, campaign_id: int, people: Sequence[Person],
                 seed: int = 3) -> None:  # fmt: skip
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    for p in people:
        responded, repaid = planted_label(p, rng)
        rows.append({"institution_id": session.institution_id, "campaign_id": campaign_id,
                     "customer_id": p.id, "responded": responded, "repaid": repaid,
                     "recorded_at": NOW})  # fmt: skip
    session.execute(insert(CampaignOutcome), rows)


def add_audience(session: TenantSession, campaign_id: int, ids: Sequence[int]) -> None:
    rows = [{"institution_id": session.institution_id, "campaign_id": campaign_id,
             "customer_id": i, "segment": None, "score": None} for i in ids]  # fmt: skip
    if rows:
        session.execute(insert(CampaignAudience), rows)


def world(database: Database, people: int = 1500) -> tuple[int, list[Person]]:
    """One institution whose past campaign has planted outcomes for ``people`` customers."""
    own = institution(database)
    crowd = random_people(people)
    with tenant_session(database, own) as session:
        add_people(session, crowd)
        add_outcomes(session, campaign(session), crowd)
    return own, crowd
