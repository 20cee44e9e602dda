"""Do-not-contact lists keep only the keyed index: the same HMAC as a customer's phone_index,
never the number, not in the table, the audit trail or anywhere in the database."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select
from targeting_data_rows import PHONES, numbered, row, spellings

from smsguard.cli import cli
from smsguard.customers import CustomerService
from smsguard.errors import InputError, PermissionDenied
from smsguard.governance.users import active_user
from smsguard.protect import BlindIndexer
from smsguard.settings import Settings
from smsguard.store import Database, tenant_session
from smsguard.store.models import AuditEvent, Customer
from smsguard.store.targeting_models import DoNotContact
from smsguard.targeting import dnc

sys.path.insert(0, str(Path(__file__).parents[2]))
from pg import storage_bytes


def change(database: Database, bank: int, indexer: BlindIndexer, who: str, verb: str,
           numbers: list[str], list_name: str = "complaints") -> dnc.DncChange:  # fmt: skip
    indexes = dnc.index_numbers(indexer, list(enumerate(numbers, start=1)))
    with tenant_session(database, bank) as session:
        apply = dnc.add if verb == "add" else dnc.remove
        return apply(session, active_user(session, who), list_name, indexes, reason="test case 7")


def listed(database: Database, bank: int) -> list[tuple[str, str]]:
    with tenant_session(database, bank) as session:
        found = session.execute(select(DoNotContact.list_name, DoNotContact.phone_index))
        return [(name, index) for name, index in found]


def test_a_listed_number_is_its_customer_index_and_stored_nowhere(
    service: CustomerService, database: Database, bank: int, indexer: BlindIndexer
) -> None:
    service.import_customers(numbered(row(PHONES[0])))
    added = change(database, bank, indexer, "mia", "add", ["+86 138-1234-0001", PHONES[1]])
    assert (added.changed, added.unchanged) == (2, 0)
    again = change(database, bank, indexer, "mia", "add", [PHONES[0]])
    assert (again.changed, again.unchanged) == (0, 1)
    with tenant_session(database, bank) as session:
        customer_index = session.scalars(select(Customer.phone_index)).one()
        events = list(session.scalars(select(AuditEvent).where(AuditEvent.action.like("dnc.%"))))
    assert customer_index in {index for _, index in listed(database, bank)}
    assert len(events) == 2 and events[0].detail["changed"] == 2
    dump = storage_bytes(database)
    for phone in PHONES[:2]:
        for spelling in spellings(phone):
            assert spelling.encode() not in dump
    for event in events:
        assert customer_index not in str(event.detail) and "138" not in str(event.detail)


def test_remove_needs_a_compliance_officer_and_counts_per_list(
    database: Database, bank: int, indexer: BlindIndexer
) -> None:
    change(database, bank, indexer, "mia", "add", list(PHONES))
    change(database, bank, indexer, "mia", "add", [PHONES[0]], list_name="litigation")
    with pytest.raises(PermissionDenied):
        change(database, bank, indexer, "mia", "remove", [PHONES[0]])
    with pytest.raises(PermissionDenied):
        change(database, bank, indexer, "ada", "add", [PHONES[0]])
    removed = change(database, bank, indexer, "olga", "remove", [PHONES[0], "13900000000"])
    assert (removed.changed, removed.unchanged) == (1, 1)
    with tenant_session(database, bank) as session:
        assert dnc.counts(session) == {"complaints": 2, "litigation": 1}


def test_bad_input_names_the_line_and_hides_the_number(
    database: Database, bank: int, indexer: BlindIndexer, tmp_path: Path
) -> None:
    with pytest.raises(InputError) as caught:
        dnc.index_numbers(indexer, [(1, PHONES[0]), (2, "1231234567")])
    assert caught.value.message.startswith("line 2:") and "1231234567" not in caught.value.message
    with pytest.raises(InputError, match="list name"):
        change(database, bank, indexer, "mia", "add", [PHONES[0]], list_name="Bad Name")
    path = tmp_path / "numbers.csv"
    path.write_text("name,phone\nx,13812340001\ny,15012340003\n", encoding="utf-8")
    assert dnc.read_numbers(path) == [(2, "13812340001"), (3, "15012340003")]
    path.write_text("# numbers\n13812340001\n\n 150 1234 0003 \n", encoding="utf-8")
    assert dnc.read_numbers(path) == [(2, "13812340001"), (4, "150 1234 0003")]


def invoke(settings: Settings, database: Database, *args: str) -> Result:
    url = database.engine.url.render_as_string(hide_password=False)
    return CliRunner().invoke(
        cli, ["--home", str(settings.home), "dnc", *args], env={"SMSGUARD_DATABASE_URL": url}
    )


def test_the_cli_adds_imports_removes_and_counts(
    settings: Settings, database: Database, bank: int, tmp_path: Path
) -> None:
    common = ["--institution", "bank-a", "--reason", "customer asked"]
    added = invoke(settings, database, "add", PHONES[0], PHONES[1], "--as", "mia", *common)
    assert added.exit_code == 0, added.output
    assert "list default: 2 added, 0 already on it" in added.output
    path = tmp_path / "litigation.txt"
    path.write_text("\n".join(PHONES) + "\n", encoding="utf-8")
    imported = invoke(settings, database, "import", str(path), "--list", "litigation",
                      "--as", "mia", *common)  # fmt: skip
    assert imported.exit_code == 0 and "3 added" in imported.output, imported.output
    removed = invoke(settings, database, "remove", PHONES[0], "--as", "olga", *common)
    assert removed.exit_code == 0 and "1 removed" in removed.output, removed.output
    counted = invoke(settings, database, "count", "--institution", "bank-a")
    assert counted.output.splitlines() == ["default\t1", "litigation\t3"]
    for result in (added, imported, removed, counted):
        assert not any(s in result.output for phone in PHONES for s in spellings(phone))
    assert len(listed(database, bank)) == 4
