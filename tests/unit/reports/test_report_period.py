"""A period is one calendar month in the institution's zone; anything else is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from smsguard.errors import InputError
from smsguard.reports.period import parse_period


def test_a_month_in_shanghai_is_bounded_in_utc() -> None:
    period = parse_period("2026-11", "Asia/Shanghai")
    assert period.label == "2026-11"
    assert period.start == datetime(2026, 10, 31, 16, tzinfo=UTC)
    assert period.end == datetime(2026, 11, 30, 16, tzinfo=UTC)
    assert period.local_start.isoformat() == "2026-11-01T00:00:00+08:00"


def test_december_ends_at_the_next_new_year() -> None:
    period = parse_period("2026-12", "UTC")
    assert (period.start, period.end) == (
        datetime(2026, 12, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2026-13", "months run 01 to 12"),
        ("2026-00", "months run 01 to 12"),
        ("2026-1", "YYYY-MM"),
        ("202611", "YYYY-MM"),
        ("November 2026", "YYYY-MM"),
        ("2026-11-01", "YYYY-MM"),
        ("", "YYYY-MM"),
        ("1999-12", "year 1999"),
    ],
)
def test_a_malformed_period_is_refused_with_the_reason(text: str, words: str) -> None:
    with pytest.raises(InputError, match=words):
        parse_period(text, "Asia/Shanghai")


def test_an_unknown_zone_is_refused() -> None:
    with pytest.raises(InputError, match="not a known IANA zone"):
        parse_period("2026-11", "Mars/Olympus")
