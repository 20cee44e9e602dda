"""The demo bank's synthetic customers: invented names, fictional 138… numbers, fixed consent.

Everything is generated from a fixed seed, so every demo home holds the same people and a
second ``smsguard demo`` finds exactly what the first one stored. A few customers are
students, minors or have withdrawn their consent, so the gateway's refusals show on the
dashboard next to the messages it sent.

Every customer also has a marketing profile (credit band A-C, debt ratio under the default
limit of 0.5, an income band, a region, recent activity), so a campaign's mandatory
exclusions leave the ordinary customers in. Six are there to be excluded and show it: two in
arrears, two over the debt limit and two whose numbers the seed puts on the ``demo-calls``
do-not-contact list.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass

COUNT = 200
SEED = 2026
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
)
_GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红建国鑫宇浩然欣怡子涵梓萱雨轩思远"
)
STUDENT_EVERY, MINOR_EVERY, WITHDRAWN_EVERY = 25, 40, 30
CONSENT_AT = "2025-09-01T10:00:00+08:00"
# Customers kept out by targeting's exclusions (none of them a student, minor or withdrawn).
IN_ARREARS, OVER_DEBT_LIMIT, DO_NOT_CONTACT = (7, 107), (13, 113), (17, 119)
DNC_LIST = "demo-calls"
_BANDS, _BAND_WEIGHTS = ("A", "B", "C"), (3, 4, 3)
_INCOMES = ("lower-middle", "middle", "upper-middle", "high")
_REGIONS = ("11", "31", "44", "33", "32", "51", "37", "42")  # Beijing, Shanghai, Guangdong, …
_INTERESTS = ("personal_loan", "credit_card", "renovation_loan", "car_loan")


@dataclass(frozen=True)
class DemoPeople:
    """Import rows (line number, columns) and the numbers whose consent is later withdrawn."""

    rows: list[tuple[int, Mapping[str, str]]]
    withdrawn: list[str]
    students: int
    minors: int
    do_not_contact: list[str]  # numbers the seed puts on the DNC_LIST


def phone(number: int) -> str:
    """The ``number``-th fictional demo number: 138 0000 0001, 138 0000 0002, …"""
    return f"138{number:08d}"


def demo_people(count: int = COUNT) -> DemoPeople:
    """``count`` customers with consent to loan marketing, the same ones every time."""
    rng, profile_rng = random.Random(SEED), random.Random(SEED + 1)
    rows: list[tuple[int, Mapping[str, str]]] = []
    withdrawn: list[str] = []
    students = minors = 0
    for number in range(1, count + 1):
        is_student = number % STUDENT_EVERY == 0
        is_minor = not is_student and number % MINOR_EVERY == 0
        students, minors = students + is_student, minors + is_minor
        row = _row(rng, number, is_student, is_minor) | _profile(profile_rng, number)
        rows.append((number + 1, row))
        if not (is_student or is_minor) and number % WITHDRAWN_EVERY == 0:
            withdrawn.append(phone(number))
    listed = [phone(number) for number in DO_NOT_CONTACT if number <= count]
    return DemoPeople(rows, withdrawn, students, minors, listed)


def _profile(rng: random.Random, number: int) -> dict[str, str]:
    """A profile every exclusion lets through, except for the few chosen to be excluded."""
    debt = rng.uniform(0.05, 0.42)
    if number in OVER_DEBT_LIMIT:
        debt = 0.65 if number == OVER_DEBT_LIMIT[0] else 0.8
    return {
        "credit_band": rng.choices(_BANDS, _BAND_WEIGHTS)[0],
        "debt_ratio": f"{debt:.2f}",
        "income_band": rng.choice(_INCOMES),
        "product_interest": rng.choice(_INTERESTS),
        "region": rng.choice(_REGIONS),
        "last_active_at": f"2025-10-{rng.randint(1, 28):02d}T12:00:00+08:00",
        "in_arrears": "yes" if number in IN_ARREARS else "no",
    }


def _row(rng: random.Random, number: int, is_student: bool, is_minor: bool) -> dict[str, str]:
    name = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.randint(1, 2)))
    birth_year = 2011 if is_minor else (2004 if is_student else rng.randint(1962, 2000))
    return {
        "phone": phone(number),
        "name": name,
        "birth_year": str(birth_year),
        "is_student": "yes" if is_student else "no",
        "consent_purpose": "loan_marketing",
        "consent_source": "demo-app-signup",
        "consent_evidence": f"demo consent form, session {10_000 + number}",
        "consent_at": CONSENT_AT,
    }
