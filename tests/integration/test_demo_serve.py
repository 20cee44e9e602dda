"""``make serve`` as a user meets it: ``smsguard demo`` then ``smsguard serve``, real processes.

The demo seeds once per module (it is idempotent, which the first test checks); the service
runs on a free port and must answer, log the demo marketer in, send the running campaign
through its own worker and stop cleanly on SIGTERM. The account commands the README lists
next to it (``users set-password``, ``api-keys``) are checked on the same home.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest
from demo_service import ok, running, smsguard

SEND_WAIT = 20.0
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("demo-home")
    ok(home, "demo")
    return home


def table_counts(home: Path) -> dict[str, int]:
    with sqlite3.connect(home / "smsguard.db") as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {name: db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in tables}


def handed_over(home: Path) -> int:
    with sqlite3.connect(home / "smsguard.db") as db:
        row = db.execute(
            "SELECT count(*) FROM messages WHERE campaign_id = 1 AND state NOT IN "
            "('queued', 'refused', 'sending')"
        ).fetchone()
        return int(row[0])


def test_demo_is_idempotent(demo_home: Path) -> None:
    before = table_counts(demo_home)
    first = ok(demo_home, "demo")
    again = ok(demo_home, "demo")
    assert table_counts(demo_home) == before
    assert first == again
    assert before["customers"] == 200 and before["users"] == 6
    assert "mia   demo-mia-2026" in first and "root  demo-root-2026" in first
    assert "campaign spring-credit-2026: running" in first
    assert "campaign spring-credit-vip: awaiting approval" in first
    assert "template instant-loan: rejected" in first
    assert "138000" not in first  # no customer number in the output


def test_serve_answers_logs_in_sends_and_stops(demo_home: Path) -> None:
    sent_before = handed_over(demo_home)
    with running(demo_home) as service:
        status, body = service.get("api/v1/openapi.json")
        assert status == 200 and json.loads(body)["info"]["title"] == "smsguard"
        login = {"institution": "demo-bank", "username": "mia", "password": "demo-mia-2026"}
        status, body = service.post_json("api/v1/session", login)
        assert status == 200, body
        assert json.loads(body)["username"] == "mia"
        wrong = service.post_json("api/v1/session", {**login, "password": "not-the-password"})
        assert wrong[0] == 401
        deadline = time.monotonic() + SEND_WAIT
        while handed_over(demo_home) <= sent_before and time.monotonic() < deadline:
            time.sleep(0.5)
        assert handed_over(demo_home) > sent_before, "the worker sent nothing"
        code, out, err = service.stop()
    assert code == 0, err
    assert "smsguard serving http://127.0.0.1:" in out and out.rstrip().endswith("stopped")
    assert "Traceback" not in err and "138000" not in out + err


def test_serve_refuses_a_port_in_use(demo_home: Path) -> None:
    with running(demo_home, "--no-worker") as service:
        port = service.url.rsplit(":", 1)[1].strip("/")
        result = smsguard(demo_home, "serve", "--port", port, "--no-worker")
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_without_keys_says_what_to_run(tmp_path: Path) -> None:
    result = smsguard(tmp_path, "serve", "--port", "0")
    assert result.returncode == 2
    assert "key file" in result.stderr and "smsguard demo" in result.stderr
    assert "Traceback" not in result.stderr


def test_set_password_and_api_keys(demo_home: Path) -> None:
    ok(demo_home, "users", "set-password", "ada", "--institution", "demo-bank",
       "--password-stdin", stdin="a-new-password-for-ada\n")  # fmt: skip
    short = smsguard(demo_home, "users", "set-password", "ada", "--institution", "demo-bank",
                     "--password-stdin", stdin="short\n")  # fmt: skip
    assert short.returncode == 2 and "at least 12 characters" in short.stderr
    created = ok(demo_home, "api-keys", "create", "--institution", "demo-bank", "--as", "root",
                 "--user", "mia", "--name", "crm-sync", "--scope", "screen.use")  # fmt: skip
    summary, token = created.splitlines()[:2]
    assert summary.startswith("API key ") and "for mia: screen.use" in summary
    assert token.startswith("sgk_")
    key_id = summary.split()[2]
    listed = ok(demo_home, "api-keys", "list", "--institution", "demo-bank")
    assert "crm-sync\tmia" in listed and token not in listed
    denied = smsguard(demo_home, "api-keys", "revoke", key_id, "--institution", "demo-bank",
                      "--as", "mia")  # fmt: skip
    assert denied.returncode == 2 and "permission-denied" in denied.stderr
    assert listed.rstrip("\n").endswith("\t-")  # not revoked yet
    ok(demo_home, "api-keys", "revoke", key_id, "--institution", "demo-bank", "--as", "root")
    revoked = ok(demo_home, "api-keys", "list", "--institution", "demo-bank").rstrip("\n")
    assert not revoked.endswith("\t-")  # the revocation time
