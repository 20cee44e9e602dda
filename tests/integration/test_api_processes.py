"""Several API processes on one PostgreSQL behave as one service: a session opened on one
process (cookie and CSRF token) works on another, a logout on one ends it everywhere, an API
key made on one works on the other and its revocation reaches it within the identity
cache's few seconds; and ``smsguard serve --workers 2`` runs, answers and stops cleanly
(docs/deployment.md, "What each process keeps")."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from demo_service import environ, free_port, running
from pg import PostgresServer, start_postgres

from smsguard.governance.credentials import set_password
from smsguard.protect import generate_key_file
from smsguard.settings import Settings
from smsguard.store import Database, tenant_session, upgrade
from smsguard.store.institutions import add_institution
from smsguard.store.models import User

pytestmark = pytest.mark.slow
PROC_PASSWORD = "two processes, one service"
PROC_START_SECONDS = 90.0


@pytest.fixture(scope="module")
def proc_postgres() -> Iterator[PostgresServer]:
    server = start_postgres()  # PostgresUnavailable fails the module, naming what is missing
    yield server
    server.stop()


@pytest.fixture(scope="module")
def proc_home(
    proc_postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """A home on PostgreSQL: keys, schema, bank-a with an admin who has a password."""
    home = tmp_path_factory.mktemp("procs")
    (home / "keys").mkdir()
    url = proc_postgres.create_database("procs")
    (home / "settings.yaml").write_text(f"database_url: '{url}'\napi_processes: 2\n")
    settings = Settings(home=home, database_url=url)
    generate_key_file(settings.effective_master_key_file)
    generate_key_file(settings.effective_index_key_file)
    database = Database.from_url(url)
    upgrade(database)
    tenant = add_institution(database, code="bank-a", name="Bank A").id
    with tenant_session(database, tenant) as session:
        session.add(User(username="root", display_name="root", roles=["admin", "marketer"]))
    set_password(database, tenant, "root", PROC_PASSWORD)
    database.dispose()
    yield home


def _proc_uvicorn(home: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "--factory", "smsguard.api.asgi:app_from_environment",
            "--port", str(port), "--log-level", "warning", "--no-access-log"]  # fmt: skip
    process = subprocess.Popen(argv, env=environ(home), stderr=subprocess.PIPE)
    return process, f"http://127.0.0.1:{port}"


def _proc_wait(process: subprocess.Popen[bytes], base: str) -> None:
    deadline = time.monotonic() + PROC_START_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read() if process.stderr else b""
        try:
            if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{base} did not get ready within {PROC_START_SECONDS} s")


@pytest.fixture(scope="module")
def proc_pair(proc_home: Path) -> Iterator[tuple[str, str]]:
    """Two independent API processes on the same home and database."""
    started = [_proc_uvicorn(proc_home) for _ in range(2)]
    try:
        for process, base in started:
            _proc_wait(process, base)
        yield started[0][1], started[1][1]
    finally:
        for process, _base in started:
            process.terminate()
            process.wait(timeout=30)
            if process.stderr:
                process.stderr.close()


def _proc_login(base: str) -> tuple[str, str]:
    answer = httpx.post(base + "/api/v1/session", json={
        "institution": "bank-a", "username": "root", "password": PROC_PASSWORD,
    })  # fmt: skip
    assert answer.status_code == 200, answer.text
    return answer.cookies["smsguard_session"], answer.json()["csrf_token"]


def test_a_session_from_one_process_works_on_the_other(proc_pair: tuple[str, str]) -> None:
    first, second = proc_pair
    cookie, csrf = _proc_login(first)
    cookies = {"smsguard_session": cookie}
    me = httpx.get(second + "/api/v1/me", cookies=cookies)
    assert me.status_code == 200 and me.json()["username"] == "root"
    # An unsafe request on the other process: the CSRF token is derived, not stored.
    refused = httpx.post(second + "/api/v1/screen", json={"text": "hi"}, cookies=cookies)
    assert refused.status_code == 403
    screened = httpx.post(
        second + "/api/v1/screen", json={"text": "您好"}, cookies=cookies,
        headers={"X-CSRF-Token": csrf},
    )  # fmt: skip
    assert screened.status_code == 200, screened.text
    # Logging out on the second process ends the session on the first.
    out = httpx.delete(second + "/api/v1/session", cookies=cookies, headers={"X-CSRF-Token": csrf})
    assert out.status_code == 204
    assert httpx.get(first + "/api/v1/me", cookies=cookies).status_code == 401


def test_an_api_key_made_on_one_process_works_and_is_revoked_on_the_other(
    proc_pair: tuple[str, str],
) -> None:
    first, second = proc_pair
    cookie, csrf = _proc_login(first)
    made = httpx.post(
        first + "/api/v1/api-keys", cookies={"smsguard_session": cookie},
        headers={"X-CSRF-Token": csrf},
        json={"name": "crm", "username": "root", "scopes": ["screen.use"]},
    )  # fmt: skip
    assert made.status_code in (200, 201), made.text
    bearer = {"Authorization": f"Bearer {made.json()['token']}"}
    assert httpx.post(second + "/api/v1/screen", json={"text": "您好"}, headers=bearer).is_success
    revoked = httpx.delete(
        f"{first}/api/v1/api-keys/{made.json()['id']}",
        cookies={"smsguard_session": cookie}, headers={"X-CSRF-Token": csrf},
    )  # fmt: skip
    assert revoked.is_success, revoked.text
    deadline = time.monotonic() + 15  # the other process's identity cache holds it 5 s
    while time.monotonic() < deadline:
        answer = httpx.post(second + "/api/v1/screen", json={"text": "您好"}, headers=bearer)
        if answer.status_code == 401:
            return
        time.sleep(0.5)
    raise AssertionError("the revoked key still works on the other process")


def test_both_processes_are_ready_on_postgresql(proc_pair: tuple[str, str]) -> None:
    for base in proc_pair:
        assert httpx.get(base + "/readyz").json() == {"status": "ready", "database": "postgresql"}
        assert httpx.get(base + "/healthz").json()["status"] == "ok"


def test_serve_with_two_processes_answers_and_stops(proc_home: Path) -> None:
    with running(proc_home, "--workers", "2", "--no-worker") as service:
        status, body = service.get("readyz")
        assert status == 200 and b"postgresql" in body
        for _ in range(10):
            assert service.get("healthz")[0] == 200
        code, out, err = service.stop()
    assert code == 0, err
    assert "API processes: 2" in out and out.rstrip().endswith("stopped")
    assert "Traceback" not in err
