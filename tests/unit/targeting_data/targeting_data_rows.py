"""Rows for the targeting data tests; every number and name is invented."""

from __future__ import annotations

from collections.abc import Mapping

PHONES = ("13812340001", "13812340002", "15012340003")
PROFILE = {
    "credit_band": "B",
    "debt_ratio": "0.25",
    "income_band": "middle",
    "product_interest": "personal_loan",
    "region": "44",
    "last_active_at": "2025-06-01T09:00:00+08:00",
    "in_arrears": "no",
    "declined_at": "",
}


def row(phone: str, **changes: str) -> dict[str, str]:
    values = {
        "phone": phone,
        "name": "张三",
        "birth_year": "1990",
        "is_student": "no",
        "consent_purpose": "loan_marketing",
        "consent_source": "app-signup",
        "consent_evidence": "checkbox v3, session 8841",
        "consent_at": "2025-01-31T09:30:00+08:00",
    }
    values.update(changes)
    return values


def with_profile(phone: str, **changes: str) -> dict[str, str]:
    return row(phone, **{**PROFILE, **changes})


def numbered(*rows: Mapping[str, str]) -> list[tuple[int, Mapping[str, str]]]:
    """Rows with the line numbers a file with a header line would give them."""
    return [(line, values) for line, values in enumerate(rows, start=2)]


def spellings(digits: str) -> tuple[str, ...]:
    """The forms a leaked number could take: bare, E.164 and spaced (138 1234 5678)."""
    return (digits, f"+86{digits}", f"{digits[:3]} {digits[3:7]} {digits[7:]}")
