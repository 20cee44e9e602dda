"""``smsguard db`` and ``smsguard institutions`` against a SQLite file under --home."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from smsguard.bootstrap import build_database
from smsguard.cli import cli
from smsguard.cli import db as db_cli
from smsguard.errors import StorageError
from smsguard.settings import Settings, load_settings
from smsguard.store import head_revision, upgrade


@pytest.fixture
def root() -> click.Group:
    """The real top-level group (its --home handling included) with the storage groups added,
    built fresh so the shared ``cli`` object is not changed."""
    commands = {**cli.commands, "db": db_cli.db, "institutions": db_cli.institutions}
    return click.Group("smsguard", params=cli.params, callback=cli.callback, commands=commands)


def _run(root: click.Group, home: Path, *args: str) -> str:
    result = CliRunner().invoke(root, ["--home", str(home), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_upgrade_then_status_reports_head(root: click.Group, tmp_path: Path) -> None:
    before = json.loads(_run(root, tmp_path, "db", "status", "--json"))
    assert before == {"current": None, "head": head_revision(), "up_to_date": False}
    assert f"revision {head_revision()}" in _run(root, tmp_path, "db", "upgrade")
    assert (tmp_path / "smsguard.db").is_file()
    text = _run(root, tmp_path, "db", "status")
    assert f"current revision: {head_revision()}" in text and "up to date" in text


def test_institutions_add_and_list(root: click.Group, tmp_path: Path) -> None:
    _run(root, tmp_path, "db", "upgrade")
    _run(root, tmp_path, "institutions", "add", "Zeta Bank", "--code", "zeta")
    _run(root, tmp_path, "institutions", "add", "Alpha Credit", "--code", "alpha")
    lines = _run(root, tmp_path, "institutions", "list").splitlines()
    assert [line.split("\t")[1:] for line in lines] == [
        ["alpha", "Alpha Credit"],
        ["zeta", "Zeta Bank"],
    ]


def test_duplicate_code_is_a_storage_error(root: click.Group, tmp_path: Path) -> None:
    _run(root, tmp_path, "db", "upgrade")
    _run(root, tmp_path, "institutions", "add", "One", "--code", "same")
    result = CliRunner().invoke(
        root, ["--home", str(tmp_path), "institutions", "add", "Two", "--code", "same"]
    )
    assert isinstance(result.exception, StorageError)
    assert "already exists" in result.exception.message


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url", "not a valid URL"),
        ("mysql://u:secret@db/x", "supports sqlite and postgresql"),
        ("postgresql://u:secret@127.0.0.1:1/x", "database postgresql+psycopg://u:***@"),
    ],
)
def test_bad_database_url_is_a_clear_storage_error(tmp_path: Path, url: str, expected: str) -> None:
    settings = load_settings(environ={"SMSGUARD_DATABASE_URL": url}, overrides={"home": tmp_path})
    with pytest.raises(StorageError) as caught:
        upgrade(build_database(settings))
    assert expected in caught.value.message
    assert "secret" not in caught.value.diagnostics()
    assert caught.value.code == "storage-error"


def test_cli_passes_storage_errors_to_the_entry_point(
    root: click.Group, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """main() prints any SmsguardError as one line without a traceback, so a command only
    has to raise that type rather than a raw driver exception."""
    monkeypatch.setenv("SMSGUARD_DATABASE_URL", "oracle://x/y")
    result = CliRunner().invoke(root, ["--home", str(tmp_path), "db", "status"])
    assert isinstance(result.exception, StorageError)
    assert "oracle" in result.exception.message


def test_default_database_lives_under_home(tmp_path: Path) -> None:
    database = build_database(Settings(home=tmp_path))
    assert database.backend == "sqlite"
    assert str(tmp_path.resolve() / "smsguard.db") in database.display_url
