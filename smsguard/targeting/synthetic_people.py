"""Synthetic customers as numbers: realistic, correlated attributes drawn with numpy.

No real person is behind any row: every value is drawn from the distributions below
(docs/targeting-data.md gives them with their sources), from a seed, a block of customers at
a time. ``draw_block(seed, block, size, now)`` always gives the same block for the same
arguments, so a run of N customers is the first N of any longer run with the same seed.

* **Age** 16-80, most 25-45; 16-17 year-olds (minors) and 18-24 year-old students on
  purpose, because the exclusions must keep them out. About 1 % have no birth year.
* **Region** by province population (7th census, 2020, mainland only).
* **Income band** from a latent score: provincial disposable income per head (2020), an age
  curve peaking in the forties, students lower, plus noise.
* **Credit band** from income plus noise (thin files for the young); **debt ratio**
  log-normal around a median that rises from band A to E; about 3 % **in arrears**, more in
  the low bands; some **declined** applications, some recent; **last active** mostly recent.
* **Consent** granted for ~90 %, granted then withdrawn for ~4 %, none for ~6 %; a few
  **complaints** in the last year; 0.5 % on a **do-not-contact** list.
* **Past campaigns**: two, each reaching ~4 % of the customers who were eligible then; the
  response and repayment are drawn from planted logistic models (:data:`RESPONSE`,
  :data:`REPAYMENT`), so a propensity model has something true to find.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

BLOCK = 50_000  # customers per block; part of the seed's meaning, so fixed
# (code, population in millions, disposable income per head in thousand yuan), 2020.
PROVINCES = (
    ("11", 21.89, 69.4), ("12", 13.87, 43.9), ("13", 74.61, 27.1), ("14", 34.92, 25.2),
    ("15", 24.05, 31.5), ("21", 42.59, 32.7), ("22", 24.07, 25.8), ("23", 31.85, 24.9),
    ("31", 24.87, 72.2), ("32", 84.75, 43.4), ("33", 64.57, 52.4), ("34", 61.03, 28.1),
    ("35", 41.54, 37.2), ("36", 45.19, 28.0), ("37", 101.53, 32.9), ("41", 99.37, 24.8),
    ("42", 57.75, 27.9), ("43", 66.45, 29.4), ("44", 126.01, 41.0), ("45", 50.13, 24.6),
    ("46", 10.08, 27.9), ("50", 32.05, 30.8), ("51", 83.67, 26.5), ("52", 38.56, 21.8),
    ("53", 47.21, 23.3), ("54", 3.65, 21.7), ("61", 39.53, 26.2), ("62", 25.02, 20.3),
    ("63", 5.92, 24.0), ("64", 7.20, 25.7), ("65", 25.85, 23.8),
)  # fmt: skip
REGION_CODES = tuple(code for code, _, _ in PROVINCES)
_POPULATION = np.array([p for _, p, _ in PROVINCES]) / sum(p for _, p, _ in PROVINCES)
_REGION_INCOME = np.log(np.array([i for _, _, i in PROVINCES]) / 30.0)
# Age brackets (inclusive) and their shares: 25-45 dominate, minors and students present.
AGE_BRACKETS = ((16, 17, 0.015), (18, 22, 0.08), (23, 24, 0.045), (25, 45, 0.55),
                (46, 60, 0.22), (61, 80, 0.09))  # fmt: skip
INTERESTS = ("personal_loan", "credit_card", "car_loan", "mortgage", "renovation_loan",
             "business_loan", "")  # fmt: skip
_INTEREST_P = (0.28, 0.22, 0.10, 0.10, 0.08, 0.07, 0.15)
_DEBT_MEDIAN = np.array([0.14, 0.22, 0.31, 0.42, 0.58])  # by credit band A..E
_ARREARS_P = np.array([0.004, 0.01, 0.022, 0.045, 0.08])
_DECLINED_P = np.array([0.01, 0.02, 0.05, 0.10, 0.18])


@dataclass(frozen=True)
class Planted:
    """A planted logistic model: intercept, effects by credit band (A..E) and income band
    (low..high), per unit of debt ratio (capped at 2), and two flags."""

    intercept: float
    band: tuple[float, ...]
    income: tuple[float, ...]
    debt: float
    personal_loan: float = 0.0
    active_30d: float = 0.0


RESPONSE = Planted(-2.4, (-0.5, -0.2, 0.1, 0.35, 0.5), (0.25, 0.15, 0.0, -0.15, -0.35), 0.9,
                   personal_loan=0.5, active_30d=0.4)  # fmt: skip
REPAYMENT = Planted(2.2, (1.4, 0.9, 0.3, -0.5, -1.2), (0.0, 0.15, 0.3, 0.45, 0.6), -1.8)
CAMPAIGN_DAYS_AGO = (270, 120)  # the two past campaigns
CAMPAIGN_REACH = 0.04
NOT_YET_DUE = 0.2  # share of responders whose loan is not due yet (repaid unknown)

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]


@dataclass(frozen=True)
class People:
    """One block of synthetic customers, one array element per customer.

    Day counts are days before ``now``; -1 means "none" (never active, never declined, no
    complaint). ``consent``: 0 none, 1 granted, 2 granted then withdrawn. ``responded`` and
    ``repaid`` per past campaign: -1 not reached, else 0/1; ``repaid`` -1 also when unknown.
    """

    age: Ints
    birth_year: Ints  # 0: unknown
    is_student: Bools
    region: Ints  # index into REGION_CODES
    income: Ints  # 0 low .. 4 high
    credit: Ints  # 0 A .. 4 E
    debt_ratio: Floats
    in_arrears: Bools
    declined_days: Ints
    active_days: Ints
    interest: Ints  # index into INTERESTS
    consent: Ints
    consent_days: Ints
    withdrawn_days: Ints
    complaint_days: Ints
    on_dnc: Bools  # on the institution's do-not-contact list
    responded: tuple[Ints, ...]
    repaid: tuple[Ints, ...]


def draw_block(seed: int, block: int, size: int, year: int) -> People:
    """Block number ``block`` of ``size`` customers for ``seed``; ``year`` dates birth years."""
    rng = np.random.default_rng([seed, block])
    age = _ages(rng, size)
    birth_year = np.where(rng.random(size) < 0.01, 0, year - age)
    student = rng.random(size) < _student_share(age)
    region = rng.choice(len(PROVINCES), size=size, p=_POPULATION)
    income = _income(rng, age, student, region)
    credit = _credit(rng, income, age)
    debt = _debt(rng, credit, income, student)
    arrears = rng.random(size) < _ARREARS_P[credit] * (0.6 + 0.6 * np.minimum(debt, 2))
    declined = np.where(rng.random(size) < _DECLINED_P[credit], _days(rng, 200, 730, size), -1)
    active = np.where(rng.random(size) < 0.08, -1, _days(rng, 75, 1000, size))
    interest = rng.choice(len(INTERESTS), size=size, p=_INTEREST_P)
    consent = rng.choice(3, size=size, p=(0.06, 0.90, 0.04))
    consent_days = rng.integers(30, 1500, size)
    withdrawn_days = np.where(consent == 2, (consent_days * rng.random(size)).astype(np.int64), -1)
    complaint = np.where(rng.random(size) < 0.004, rng.integers(1, 365, size), -1)
    on_dnc = rng.random(size) < 0.005
    people = People(age, birth_year, student, region, income, credit, debt, arrears, declined,
                    active, interest, consent, consent_days, withdrawn_days, complaint, on_dnc,
                    (), ())  # fmt: skip
    answers = [_campaign(rng, people, days) for days in CAMPAIGN_DAYS_AGO]
    return replace(
        people, responded=tuple(r for r, _ in answers), repaid=tuple(r for _, r in answers)
    )


def _ages(rng: np.random.Generator, size: int) -> Ints:
    shares = np.array([share for _, _, share in AGE_BRACKETS])
    bracket = rng.choice(len(AGE_BRACKETS), size=size, p=shares / shares.sum())
    low = np.array([lo for lo, _, _ in AGE_BRACKETS])[bracket]
    high = np.array([hi for _, hi, _ in AGE_BRACKETS])[bracket]
    return rng.integers(low, high + 1)


def _student_share(age: Ints) -> Floats:
    return np.select(
        [age < 18, age <= 22, age <= 26, age <= 30], [0.7, 0.55, 0.12, 0.03], default=0.002
    )


def _income(rng: np.random.Generator, age: Ints, student: Bools, region: Ints) -> Ints:
    latent = (0.9 * _REGION_INCOME[region] - 0.5 * ((age - 42) / 15.0) ** 2 + 0.3
              - 1.2 * student + rng.normal(0, 0.75, age.size))  # fmt: skip
    return np.digitize(latent, [-0.9, -0.25, 0.45, 1.1]).astype(np.int64)


def _credit(rng: np.random.Generator, income: Ints, age: Ints) -> Ints:
    latent = 0.45 * (income - 2) + rng.normal(0, 0.85, income.size) - 0.4 * (age < 23)
    return (4 - np.digitize(latent, [-1.1, -0.35, 0.3, 0.95])).astype(np.int64)


def _debt(rng: np.random.Generator, credit: Ints, income: Ints, student: Bools) -> Floats:
    median = _DEBT_MEDIAN[credit] * np.exp(-0.1 * (income - 2)) * np.where(student, 0.5, 1.0)
    ratio = median * rng.lognormal(0.0, 0.5, credit.size)
    ratio = np.where(rng.random(credit.size) < 0.12, 0.0, ratio)  # no debt at all
    return np.asarray(np.round(np.minimum(ratio, 5.0), 3), dtype=np.float64)


def _days(rng: np.random.Generator, mean: float, cap: int, size: int) -> Ints:
    return np.minimum(rng.exponential(mean, size), cap).astype(np.int64)


def _sigmoid(x: Floats) -> Floats:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=np.float64)


def _campaign(rng: np.random.Generator, p: People, days_ago: int) -> tuple[Ints, Ints]:
    """Who a past campaign reached (eligible adults with consent then) and how they answered."""
    size = p.age.size
    consented = (p.consent == 1) | ((p.consent == 2) & (p.withdrawn_days < days_ago))
    adult = (p.birth_year > 0) & (p.age - (days_ago + 364) // 365 >= 18) & ~p.is_student
    reached = consented & (p.consent_days > days_ago) & adult & ~p.in_arrears
    reached &= rng.random(size) < CAMPAIGN_REACH
    respond = _sigmoid(response_logit(p))
    repay = _sigmoid(repayment_logit(p))
    responded = rng.random(size) < respond
    repaid = np.where(rng.random(size) < repay, 1, 0)
    repaid = np.where(responded & (rng.random(size) >= NOT_YET_DUE), repaid, -1)
    return np.where(reached, responded.astype(np.int64), -1), np.where(reached, repaid, -1)


def response_logit(p: People) -> Floats:
    """The planted log-odds of answering a loan offer."""
    return _logit(RESPONSE, p)


def repayment_logit(p: People) -> Floats:
    """The planted log-odds of repaying, given a loan was taken."""
    return _logit(REPAYMENT, p)


def _logit(model: Planted, p: People) -> Floats:
    active = (p.active_days >= 0) & (p.active_days <= 30)
    return np.asarray(
        model.intercept
        + np.array(model.band)[p.credit]
        + np.array(model.income)[p.income]
        + model.debt * np.minimum(p.debt_ratio, 2.0)
        + model.personal_loan * (p.interest == 0)
        + model.active_30d * active,
        dtype=np.float64,
    )
