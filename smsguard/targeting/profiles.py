"""Customer profiles on import: parse, validate and upsert the marketing attributes.

The profile columns ride along with the customer import (CSV/TSV files, the API's JSON rows)
and are all optional, but a row that gives any of them must give the ones selection relies
on: ``credit_band``, ``debt_ratio``, ``income_band`` and ``region``. Half a profile would
silently drop a customer out of every audience (or, worse, into the wrong one), so it is an
error naming the line and the column instead. A customer has at most one profile; importing
again replaces it, and importing a row without profile columns leaves it as it was.

Nothing here sees a phone number: errors name columns, and the caller prefixes the line and
the masked number (smsguard/customers/rows.py).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from smsguard.errors import InputError
from smsguard.store.targeting_models import CREDIT_BANDS, INCOME_BANDS, CustomerProfile

PROFILE_COLUMNS = (
    "credit_band",
    "debt_ratio",
    "income_band",
    "product_interest",
    "region",
    "last_active_at",
    "in_arrears",
    "declined_at",
)
REQUIRED_PROFILE_COLUMNS = ("credit_band", "debt_ratio", "income_band", "region")
# GB/T 2260 province-level codes: 31 mainland provinces, Taiwan, Hong Kong and Macao.
REGIONS = frozenset(
    (
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    )
)
MAX_DEBT_RATIO = 100.0  # debt service 100x income is a data error, not a customer
MAX_INTEREST_LENGTH = 32
_TRUE = frozenset({"1", "true", "yes", "y"})
_FALSE = frozenset({"0", "false", "no", "n"})


@dataclass(frozen=True)
class ProfileRow:
    """One validated profile, as stored in ``customer_profiles``."""

    credit_band: str
    debt_ratio: float
    income_band: str
    region: str
    product_interest: str | None = None
    last_active_at: datetime | None = None
    in_arrears: bool = False
    declined_at: datetime | None = None


def parse_profile(raw: Mapping[str, str], now: datetime) -> ProfileRow | None:
    """The row's profile, None when it gives no profile column; InputError naming the column.

    ``in_arrears`` set to a false value on its own does not count as a profile: a CSV export
    often writes ``no`` into every row of a column.
    """
    cells = {name: (raw.get(name) or "").strip() for name in PROFILE_COLUMNS}
    if cells["in_arrears"].lower() in _FALSE:
        cells["in_arrears"] = ""
    if not any(cells.values()):
        return None
    missing = [name for name in REQUIRED_PROFILE_COLUMNS if not cells[name]]
    if missing:
        raise InputError(f"a profile needs {', '.join(missing)} (column empty or absent)")
    return ProfileRow(
        credit_band=_choice(cells["credit_band"].upper(), "credit_band", CREDIT_BANDS),
        debt_ratio=_ratio(cells["debt_ratio"]),
        income_band=_choice(cells["income_band"].lower(), "income_band", INCOME_BANDS),
        region=_region(cells["region"]),
        product_interest=_interest(cells["product_interest"]),
        last_active_at=_past_instant(cells["last_active_at"], "last_active_at", now),
        in_arrears=_flag(cells["in_arrears"]),
        declined_at=_past_instant(cells["declined_at"], "declined_at", now),
    )


def _choice(value: str, column: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise InputError(f"{column} must be one of {', '.join(allowed)}")
    return value


def _ratio(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError("debt_ratio must be a number such as 0.35 (35 %)") from None
    if not math.isfinite(value) or not 0 <= value <= MAX_DEBT_RATIO:
        raise InputError(f"debt_ratio must lie between 0 and {MAX_DEBT_RATIO:g}")
    return value


def _region(text: str) -> str:
    if text not in REGIONS:
        raise InputError("region must be a two-digit GB/T 2260 province code, e.g. 44")
    return text


def _interest(text: str) -> str | None:
    if len(text) > MAX_INTEREST_LENGTH:
        raise InputError(f"product_interest may hold at most {MAX_INTEREST_LENGTH} characters")
    return text or None


def _flag(text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE or not lowered:
        return False
    raise InputError("in_arrears must be true or false")


def _past_instant(text: str, column: str, now: datetime) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        example = "2025-01-31T09:30:00+08:00"
        raise InputError(f"{column} must be an ISO 8601 time, e.g. {example}") from None
    if value.tzinfo is None:
        raise InputError(f"{column} needs a UTC offset (e.g. +08:00)")
    if value > now:
        raise InputError(f"{column} lies in the future")
    return value.astimezone(UTC)


def upsert_profile(session: Session, customer_id: int, profile: ProfileRow, now: datetime) -> bool:
    """Store the customer's profile, replacing the one on file; True when it is new."""
    found = session.scalars(
        select(CustomerProfile).where(CustomerProfile.customer_id == customer_id)
    ).first()
    created = found is None
    if found is None:
        found = CustomerProfile(customer_id=customer_id)
        session.add(found)
    found.credit_band, found.debt_ratio = profile.credit_band, profile.debt_ratio
    found.income_band, found.region = profile.income_band, profile.region
    found.product_interest, found.last_active_at = profile.product_interest, profile.last_active_at
    found.in_arrears, found.declined_at = profile.in_arrears, profile.declined_at
    found.updated_at = now
    return created
