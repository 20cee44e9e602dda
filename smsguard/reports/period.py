"""A reporting period: one calendar month in the institution's time zone, as UTC bounds.

Regulators count by local calendar month: an SMS sent at 07:30 on 1 December in Shanghai is a
December message even though it is still 30 November in UTC. The database stores UTC, so the
month is turned into a half-open UTC interval ``[start, end)`` once, here, and every query
compares against those two instants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from smsguard.errors import InputError

_PERIOD = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True)
class Period:
    """``YYYY-MM`` in ``timezone``; ``start``/``end`` are the UTC bounds, end excluded."""

    label: str
    timezone: str
    start: datetime
    end: datetime

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(ZoneInfo(self.timezone))

    @property
    def local_end(self) -> datetime:
        return self.end.astimezone(ZoneInfo(self.timezone))


def parse_period(text: str, timezone: str) -> Period:
    """The month ``YYYY-MM`` in ``timezone``; InputError naming what is wrong otherwise."""
    found = _PERIOD.fullmatch(text.strip())
    if found is None:
        raise InputError(
            f"period {text!r} is not a month written YYYY-MM", hint="For example: 2026-11."
        )
    year, month = int(found[1]), int(found[2])
    if not 1 <= month <= 12:
        raise InputError(f"period {text!r} has month {month:02d}; months run 01 to 12")
    if not 2000 <= year <= 2999:
        raise InputError(f"period {text!r} has year {year}; expected 2000 to 2999")
    zone = _zone(timezone)
    after = (year + month // 12, month % 12 + 1)
    start = datetime(year, month, 1, tzinfo=zone).astimezone(UTC)
    end = datetime(after[0], after[1], 1, tzinfo=zone).astimezone(UTC)
    return Period(f"{year:04d}-{month:02d}", timezone, start, end)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InputError(f"time zone {name!r} is not a known IANA zone") from exc
