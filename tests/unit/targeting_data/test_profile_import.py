"""Profiles ride along with the customer import: valid rows upsert one profile per customer,
a bad or half profile stops the whole import with the line and the column named."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from targeting_data_rows import PHONES, numbered, row, with_profile

from smsguard.cli import cli
from smsguard.customers import CustomerService
from smsguard.errors import InputError
from smsguard.settings import Settings
from smsguard.store import Database
from smsguard.store.models import Customer
from smsguard.store.targeting_models import CustomerProfile


def profiles(database: Database) -> list[CustomerProfile]:
    with database.transaction() as session:
        return list(session.scalars(select(CustomerProfile).order_by(CustomerProfile.customer_id)))


def count(database: Database, model: type[Customer] | type[CustomerProfile]) -> int:
    with database.transaction() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_rows_with_profiles_store_one_profile_each(
    service: CustomerService, database: Database
) -> None:
    service.import_customers(
        numbered(
            with_profile(PHONES[0]),
            with_profile(PHONES[1], credit_band="e", income_band="High", in_arrears="yes",
                         declined_at="2025-03-01T00:00:00+08:00", product_interest=""),
            row(PHONES[2]),  # no profile columns: a customer without a profile
        )
    )  # fmt: skip
    stored = profiles(database)
    assert len(stored) == 2 and count(database, Customer) == 3
    first, second = stored
    assert (first.credit_band, first.debt_ratio, first.income_band, first.region) == (
        "B", 0.25, "middle", "44",
    )  # fmt: skip
    assert first.product_interest == "personal_loan" and first.in_arrears is False
    assert first.last_active_at is not None and first.declined_at is None
    assert (second.credit_band, second.income_band, second.in_arrears) == ("E", "high", True)
    assert second.product_interest is None and second.declined_at is not None


def test_a_second_import_replaces_the_profile_and_a_plain_row_keeps_it(
    service: CustomerService, database: Database
) -> None:
    service.import_customers(numbered(with_profile(PHONES[0])))
    service.import_customers(numbered(with_profile(PHONES[0], credit_band="A", debt_ratio="0.1")))
    service.import_customers(numbered(row(PHONES[0])))
    (only,) = profiles(database)
    assert (only.credit_band, only.debt_ratio) == ("A", 0.1)


@pytest.mark.parametrize(
    ("changes", "column", "problem"),
    [
        ({"region": ""}, "region", "a profile needs region"),
        ({"credit_band": "", "debt_ratio": ""}, "credit_band", "a profile needs credit_band"),
        ({"credit_band": "F"}, "credit_band", "must be one of A, B, C, D, E"),
        ({"income_band": "rich"}, "income_band", "must be one of low"),
        ({"debt_ratio": "lots"}, "debt_ratio", "must be a number"),
        ({"debt_ratio": "-0.2"}, "debt_ratio", "between 0 and"),
        ({"debt_ratio": "nan"}, "debt_ratio", "between 0 and"),
        ({"region": "99"}, "region", "GB/T 2260"),
        ({"last_active_at": "2025-06-01"}, "last_active_at", "UTC offset"),
        ({"declined_at": "2999-01-01T00:00:00+08:00"}, "declined_at", "in the future"),
        ({"in_arrears": "maybe"}, "in_arrears", "true or false"),
        ({"product_interest": "x" * 33}, "product_interest", "at most 32"),
    ],
)
def test_a_bad_profile_names_line_and_column_and_stores_nothing(
    service: CustomerService,
    database: Database,
    changes: dict[str, str],
    column: str,
    problem: str,
) -> None:
    rows = numbered(with_profile(PHONES[0]), with_profile(PHONES[1], **changes))
    with pytest.raises(InputError) as caught:
        service.import_customers(rows)
    message = caught.value.message
    assert message.startswith("line 3 (+86 138****0002):"), message
    assert column in message and problem in message
    assert PHONES[1] not in message
    assert count(database, Customer) == 0 and count(database, CustomerProfile) == 0


def test_in_arrears_alone_does_not_make_a_profile_but_true_does(service: CustomerService) -> None:
    service.import_customers(numbered(row(PHONES[0], in_arrears="no")))
    with pytest.raises(InputError, match="a profile needs credit_band, debt_ratio"):
        service.import_customers(numbered(row(PHONES[1], in_arrears="yes")))


def test_the_cli_imports_a_csv_with_profile_columns(
    settings: Settings, database: Database, bank: int, tmp_path: Path
) -> None:
    del bank
    path = tmp_path / "customers.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(with_profile(PHONES[0])))
        writer.writeheader()
        for phone, band in zip(PHONES, "ACE", strict=True):
            writer.writerow(with_profile(phone, credit_band=band))
    runner = CliRunner()
    result = runner.invoke(
        cli, ["--home", str(settings.home), "customers", "import", str(path),
              "--institution", "bank-a"],
        env={"SMSGUARD_DATABASE_URL": database.engine.url.render_as_string(hide_password=False)},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert [p.credit_band for p in profiles(database)] == ["A", "C", "E"]


def test_profile_times_are_stored_in_utc(service: CustomerService, database: Database) -> None:
    service.import_customers(numbered(with_profile(PHONES[0])))
    (stored,) = profiles(database)
    assert stored.last_active_at is not None
    when = stored.last_active_at
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    assert when == datetime(2025, 6, 1, 1, 0, tzinfo=UTC)
