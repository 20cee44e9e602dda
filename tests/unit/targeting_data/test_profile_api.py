"""Profiles through the HTTP import (JSON rows and a CSV upload), as the CLI takes them."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parents[2] / "api"))
from api_harness import Api, build_api

from smsguard.screening import Screener
from smsguard.store import tenant_session
from smsguard.store.targeting_models import CustomerProfile

PHONES = ("13812340001", "13812340002")


@pytest.fixture
def api(tmp_path: Path, screener: Screener) -> Iterator[Api]:
    built = build_api(tmp_path, screener)
    yield built
    built.database.dispose()


def customer(phone: str, **changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "phone": phone, "birth_year": 1988, "consent_purpose": "loan_marketing",
        "consent_source": "app", "consent_evidence": "checkbox v3",
        "consent_at": "2025-01-31T09:30:00+08:00", "credit_band": "C", "debt_ratio": 0.31,
        "income_band": "lower-middle", "region": "31", "in_arrears": False,
        "last_active_at": "2025-05-01T08:00:00+08:00",
    }  # fmt: skip
    row.update(changes)
    return row


def stored(api: Api) -> list[tuple[str, float, str, bool]]:
    with tenant_session(api.database, api.institution_ids["bank-a"]) as session:
        rows = session.scalars(select(CustomerProfile).order_by(CustomerProfile.customer_id))
        return [(p.credit_band, p.debt_ratio, p.region, p.in_arrears) for p in rows]


def test_json_rows_carry_profiles(api: Api) -> None:
    rows = [customer(PHONES[0]), customer(PHONES[1], in_arrears=True, credit_band="D")]
    answer = api.client("mia").post("/api/v1/customers/import", json={"customers": rows})
    assert answer.status_code == 200, answer.text
    assert stored(api) == [("C", 0.31, "31", False), ("D", 0.31, "31", True)]


def test_a_half_profile_is_refused_naming_the_row_and_column(api: Api) -> None:
    rows = [customer(PHONES[0]), customer(PHONES[1], region=None)]
    answer = api.client("mia").post("/api/v1/customers/import", json={"customers": rows})
    assert answer.status_code == 400
    message = answer.json()["error"]["message"]
    assert "line 2" in message and "region" in message and PHONES[1] not in message
    assert stored(api) == []
    wrong = api.client("mia").post(
        "/api/v1/customers/import", json={"customers": [customer(PHONES[0], credit_score=700)]}
    )
    assert wrong.status_code == 422  # unknown fields stay errors


def test_a_csv_upload_with_profile_columns(api: Api) -> None:
    text = (
        "phone,consent_purpose,consent_source,consent_evidence,consent_at,credit_band,"
        "debt_ratio,income_band,region\n"
        f"{PHONES[0]},loan_marketing,branch,form 1,2025-02-01T10:00:00+08:00,A,0.1,high,11\n"
        f"{PHONES[1]},loan_marketing,branch,form 2,2025-02-01T10:00:00+08:00,,,,\n"
    )
    upload = {"file": ("customers.csv", text.encode(), "text/csv")}
    answer = api.client("root").post("/api/v1/customers/import/file", files=upload)
    assert answer.status_code == 200, answer.text
    assert stored(api) == [("A", 0.1, "11", False)]
