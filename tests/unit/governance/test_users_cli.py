"""``smsguard users``: add and list users; bad input is refused and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from smsguard.bootstrap import build_database
from smsguard.cli._context import CliState
from smsguard.cli.users import users
from smsguard.errors import InputError
from smsguard.settings import Settings
from smsguard.store import upgrade
from smsguard.store.institutions import add_institution


@pytest.fixture
def home(tmp_path: Path) -> Path:
    database = build_database(Settings(home=tmp_path))
    try:
        upgrade(database)
        add_institution(database, code="bank-a", name="Bank A")
    finally:
        database.dispose()
    return tmp_path


def _run(home: Path, *args: str) -> Result:
    return CliRunner().invoke(users, list(args), obj=CliState(home=home))


def test_add_then_list(home: Path) -> None:
    added = _run(
        home, "add", "olga", "--institution", "bank-a", "--role", "compliance-officer",
        "--role", "auditor", "--certified-until", "2027-06-30",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "added user olga" in added.output and "auditor, compliance_officer" in added.output
    assert _run(home, "add", "mia", "--institution", "bank-a", "--role", "marketer").exit_code == 0
    listed = _run(home, "list", "--institution", "bank-a")
    lines = [line.split("\t")[1:] for line in listed.output.splitlines()]
    assert lines == [["mia", "marketer", "-"], ["olga", "auditor,compliance_officer", "2027-06-30"]]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--institution", "bank-a", "--role", "boss"], "unknown role 'boss'"),
        (["--institution", "nope", "--role", "marketer"], "no institution with code 'nope'"),
        (
            ["--institution", "bank-a", "--role", "marketer", "--certified-until", "2027-01-01"],
            "compliance officers only",
        ),
    ],
)
def test_bad_input_is_a_clear_error_and_writes_nothing(
    home: Path, args: list[str], message: str
) -> None:
    result = _run(home, "add", "zed", *args)
    assert isinstance(result.exception, InputError)
    assert message in result.exception.message
    assert _run(home, "list", "--institution", "bank-a").output == ""


def test_duplicate_username_is_refused(home: Path) -> None:
    assert _run(home, "add", "mia", "--institution", "bank-a", "--role", "marketer").exit_code == 0
    again = _run(home, "add", "mia", "--institution", "bank-a", "--role", "admin")
    assert isinstance(again.exception, InputError)
    assert "already exists" in again.exception.message
    assert _run(home, "list", "--institution", "bank-a").output.count("mia") == 1
