"""The CLI end to end, and the leak check: after a full scenario no phone number is anywhere.

"Anywhere" means the bytes of the SQLite database and its WAL, a ``pg_dump`` of the
PostgreSQL database, every log record (captured at DEBUG) and everything the CLI printed,
in each spelling a number could take.
"""

from __future__ import annotations

import logging
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from customer_rows import PHONES, spellings
from pg import storage_bytes

from smsguard.bootstrap import build_customer_service
from smsguard.cli import cli
from smsguard.cli import customers as customers_cli
from smsguard.cli import keys as keys_cli
from smsguard.customers import institution_id_for
from smsguard.settings import Settings
from smsguard.store import Database
from smsguard.store.institutions import add_institution

HEADER = "phone\tname\tbirth_year\tis_student\tconsent_purpose\tconsent_source\t"
HEADER += "consent_evidence\tconsent_at\n"


@pytest.fixture
def root() -> click.Group:
    """The real top-level group plus the key and customer groups, without changing ``cli``."""
    commands = {**cli.commands, "keys": keys_cli.keys, "customers": customers_cli.customers}
    return click.Group("smsguard", params=cli.params, callback=cli.callback, commands=commands)


class Terminal:
    """Runs commands against one home and database, keeping every line they print."""

    def __init__(self, root: click.Group, home: Path, database: Database) -> None:
        self.root, self.home = root, home
        self.env = {"SMSGUARD_DATABASE_URL": database.engine.url.render_as_string(False)}
        self.printed: list[str] = []

    def run(self, *args: str, ok: bool = True) -> str:
        argv = ["--home", str(self.home), *args]
        result = CliRunner().invoke(self.root, argv, env=self.env)
        self.printed.append(result.output)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            self.printed.append(str(result.exception))
        assert (result.exit_code == 0) is ok, result.output + repr(result.exception)
        return result.output


def _customer_file(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "".join(f"{line}\n" for line in rows), encoding="utf-8")
    return path


def _grant(phone: str, year: str = "1990") -> str:
    return f"{phone}\t李四\t{year}\tno\tloan_marketing\tbranch\tform 12\t2025-02-01T10:00:00+08:00"


def test_scenario_leaves_no_phone_number_in_storage_or_logs(
    root: click.Group, tmp_path: Path, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    bank = add_institution(database, code="bank-a", name="Bank A").id
    term = Terminal(root, tmp_path / "home", database)
    assert "master key file" in term.run("keys", "init")
    rows = [_grant(PHONES[0]), _grant("+86 139 8765 4321"), _grant("0086-150-1111-2222")]
    good = _customer_file(tmp_path / "customers.tsv", rows)
    bad = _customer_file(tmp_path / "bad.tsv", [_grant(PHONES[0]), _grant(PHONES[1], "19x0")])
    assert "3 customer(s) added" in term.run(
        "customers", "import", str(good), "--institution", "bank-a"
    )
    term.run("customers", "import", str(bad), "--institution", "bank-a", ok=False)
    assert "line 3 (+86 139****4321)" in term.printed[-1]
    found = term.run("customers", "find", "138 1234 5678", "--institution", "bank-a")
    assert "+86 138****5678" in found and "loan_marketing\tgranted" in found
    term.run("customers", "withdraw", PHONES[1], "--institution", "bank-a", "--source", "sms")
    assert "withdrawn" in term.run("customers", "find", PHONES[1], "--institution", "bank-a")
    _reveal_as_officer(tmp_path / "home", database, bank)
    assert "bank-a: 1 data key(s) re-wrapped" in term.run("keys", "rotate")
    _assert_still_readable(tmp_path / "home", database, bank)
    assert PHONES[0].encode() in good.read_bytes()  # the search below does find raw numbers
    leaks = storage_bytes(database) + "\n".join([*term.printed, caplog.text]).encode()
    for phone in PHONES:
        for spelling in spellings(phone):
            assert spelling.encode() not in leaks, f"{spelling[:3]}… leaked"


def _settings(home: Path, database: Database) -> Settings:
    return Settings(home=home, database_url=database.engine.url.render_as_string(False))


def _reveal_as_officer(home: Path, database: Database, bank: int) -> None:
    service = build_customer_service(_settings(home, database), database, bank)
    found = service.find_by_phone(PHONES[2])
    assert found is not None
    shown = service.reveal(
        found.customer_id,
        actor="wang.co",
        roles=["compliance_officer"],
        purpose="complaint_handling",
    )
    assert shown == f"+86{PHONES[2]}"  # returned to the caller, never logged or stored


def _assert_still_readable(home: Path, database: Database, bank: int) -> None:
    assert institution_id_for(database, "bank-a") == bank
    service = build_customer_service(_settings(home, database), database, bank)
    assert service.may_market(PHONES[0], "loan_marketing").allowed
    assert not service.may_market(PHONES[1], "loan_marketing").allowed


def test_keys_init_creates_private_files_once(
    root: click.Group, tmp_path: Path, database: Database
) -> None:
    term = Terminal(root, tmp_path / "home", database)
    term.run("keys", "init")
    master = tmp_path / "home" / "keys" / "master.keys"
    index = tmp_path / "home" / "keys" / "index.keys"
    assert (master.stat().st_mode & 0o777, index.stat().st_mode & 0o777) == (0o600, 0o600)
    before = master.read_bytes()
    assert "exists; kept" in term.run("keys", "init")
    assert master.read_bytes() == before


def test_commands_without_key_files_fail_closed(
    root: click.Group, tmp_path: Path, database: Database
) -> None:
    add_institution(database, code="bank-a", name="Bank A")
    term = Terminal(root, tmp_path / "home", database)
    term.run("keys", "rotate", ok=False)
    assert "does not exist" in term.printed[-1]
    term.run("customers", "find", PHONES[0], "--institution", "bank-a", ok=False)
    assert "master key file" in term.printed[-1]
    term.run("customers", "find", PHONES[0], "--institution", "bank-x", ok=False)
    assert "no institution with code 'bank-x'" in term.printed[-1]
