"""The demo bank's customers all have valid profiles; the few meant to be excluded by
targeting are not also students, minors or withdrawn (so each exclusion shows on its own)."""

from __future__ import annotations

from datetime import UTC, datetime

from smsguard.customers.rows import parse_rows
from smsguard.demo.people import (
    DO_NOT_CONTACT,
    IN_ARREARS,
    MINOR_EVERY,
    OVER_DEBT_LIMIT,
    STUDENT_EVERY,
    WITHDRAWN_EVERY,
    demo_people,
    phone,
)


def test_every_demo_customer_has_a_profile_and_six_are_excluded_by_targeting() -> None:
    people = demo_people()
    rows = parse_rows(people.rows, now=datetime(2026, 1, 1, tzinfo=UTC))
    profiles = [row.profile for row in rows]
    assert len(rows) == 200 and all(profile is not None for profile in profiles)
    arrears = [n for n, p in enumerate(profiles, 1) if p is not None and p.in_arrears]
    over = [n for n, p in enumerate(profiles, 1) if p is not None and p.debt_ratio > 0.5]
    assert tuple(arrears) == IN_ARREARS and tuple(over) == OVER_DEBT_LIMIT
    assert people.do_not_contact == [phone(n) for n in DO_NOT_CONTACT]
    for number in (*IN_ARREARS, *OVER_DEBT_LIMIT, *DO_NOT_CONTACT):
        assert all(number % every for every in (STUDENT_EVERY, MINOR_EVERY, WITHDRAWN_EVERY))
    assert {p.credit_band for p in profiles if p is not None} <= {"A", "B", "C"}
    assert demo_people().rows == people.rows  # the same people every time
