"""A bank, a running campaign and real ``smsguard worker`` processes, for the fault tests.

Every fault test ends with the same checks (:func:`check_after_fault`): the simulated
provider's journal (its memory of accepted keys, shared by every process, written before it
answers) holds every message exactly once and each row is settled with the provider's id;
each has a ``sent_at`` (without one, consumer verification cannot find it);
the transparency log extends the last checkpoint written before the fault (a verified
consistency proof) and holds exactly one entry per message, each at the index its row names,
with a verified inclusion proof.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parents[1] / "unit" / "gateway"))
from gateway_helpers import approved_campaign, midday_zone, staff

from smsguard.bootstrap import build_customer_service, build_gateway
from smsguard.protect import generate_key_file
from smsguard.screening.engine import Screener
from smsguard.settings import Settings
from smsguard.store import Database, tenant_session
from smsguard.store.gateway_models import Message
from smsguard.store.institutions import add_institution
from smsguard.store.models import AuditEvent
from smsguard.store.signal_models import MonitorAlert
from smsguard.store.workflow_models import Campaign
from smsguard.tlog.checkpoint import open_checkpoint
from smsguard.tlog.leaf import parse_leaf
from smsguard.tlog.log import TransparencyLog, local_paths
from smsguard.tlog.merkle import leaf_hash, verify_consistency, verify_inclusion
from smsguard.tlog.note import parse_skey
from smsguard.tlog.store import DirectoryTileStore, TileStore
from smsguard.trace.db_store import DatabaseTileStore

CODE = "bank-a"
SURNAMES = "王李张刘陈杨黄赵吴周"
GIVEN = "伟芳娜敏静丽强磊军洋"


@dataclass
class World:
    home: Path
    database: Database
    institution_id: int
    campaign_id: int
    total: int
    log_storage: str


def _rows(count: int) -> list[tuple[int, dict[str, str]]]:
    return [
        (n + 2, {
            "phone": f"1390000{n:04d}", "name": SURNAMES[n % 10] + GIVEN[(n // 10) % 10],
            "birth_year": "1985", "is_student": "no", "consent_purpose": "loan_marketing",
            "consent_source": "app", "consent_evidence": f"form {n}",
            "consent_at": "2025-01-01T00:00:00+08:00",
        })
        for n in range(count)
    ]  # fmt: skip


def build_world(
    tmp_path: Path, database: Database, screener: Screener, *, customers: int,
    provider: str, log_storage: str = "directory", settings: str = "",
) -> World:  # fmt: skip
    """A bank with ``customers`` consenting customers and a started campaign to all of them."""
    home = tmp_path / "home"
    (home / "keys").mkdir(parents=True)
    url = database.engine.url.render_as_string(hide_password=False)
    zone = midday_zone()
    (home / "settings.yaml").write_text(
        f"database_url: '{url}'\ntimezone: '{zone}'\nlog_storage: {log_storage}\n{settings}"
    )
    (home / "keys" / "webhook.secret").write_text("a-test-secret-of-32-bytes-length\n")
    (home / "provider.yaml").write_text(provider)
    config = Settings(home=home, database_url=url, timezone=zone)
    generate_key_file(config.effective_master_key_file)
    generate_key_file(config.effective_index_key_file)
    bank = add_institution(database, code=CODE, name="Bank A").id
    staff(database, bank)
    build_customer_service(config, database, bank).import_customers(_rows(customers))
    campaign, _ = approved_campaign(
        database, bank, screener, rate=600_000, starts_at=datetime.now(UTC)
    )
    summary = build_gateway(config, database, bank, screener).start("mia", campaign)
    assert summary.queued == customers, summary
    return World(home, database, bank, campaign, customers, log_storage)


class Hook:
    """A local receiver of the alert webhooks: (arrival time, alert) for each POST."""

    def __init__(self) -> None:
        self.received: list[tuple[float, dict[str, Any]]] = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((time.monotonic(), json.loads(body)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/alerts"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def start_worker(world: World, *extra: str) -> subprocess.Popen[bytes]:
    """``smsguard worker`` in its own process; its stderr goes to a file under home."""
    env = {**os.environ, "SMSGUARD_HOME": str(world.home)}
    argv = [sys.executable, "-m", "smsguard", "worker", "--institution", CODE,
            "--batch-size", "25", *extra]  # fmt: skip
    with (world.home / "worker.log").open("ab") as err:
        return subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=err)


def worker_log(world: World) -> str:
    path = world.home / "worker.log"
    return path.read_text(errors="replace") if path.exists() else ""


def stop_worker(world: World, process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, and the worker must end cleanly (it finishes its cycle first)."""
    process.send_signal(signal.SIGTERM)
    code = process.wait(timeout=30)
    assert code == 0, f"worker exited with {code}:\n{worker_log(world)[-3000:]}"


def kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()


def journal(world: World) -> list[tuple[str, str]]:
    path = world.home / "accepted.tsv"
    lines = path.read_text().splitlines() if path.exists() else []
    return [(key, pid) for key, _, pid in (line.partition("\t") for line in lines) if pid]


def wait_until(
    what: str, done: Callable[[], bool], world: World, process: subprocess.Popen[bytes],
    timeout: float = 60,
) -> float:  # fmt: skip
    """Poll ``done``; fail if the worker dies or time runs out. Returns the seconds waited."""
    start = time.monotonic()
    while not done():
        if process.poll() is not None:
            pytest.fail(f"worker exited ({process.returncode}) before {what}:\n"
                        f"{worker_log(world)[-3000:]}")  # fmt: skip
        if time.monotonic() - start > timeout:
            pytest.fail(f"no {what} within {timeout:.0f} s:\n{worker_log(world)[-3000:]}")
        time.sleep(0.05)
    return time.monotonic() - start


def states(world: World) -> dict[str, int]:
    with tenant_session(world.database, world.institution_id) as session:
        found = session.scalars(select(Message.state)).all()
    return {state: found.count(state) for state in set(found)}


def all_sent(world: World) -> bool:
    found = states(world)
    return found.get("sent", 0) + found.get("delivered", 0) == world.total


def audit(world: World, action: str) -> list[dict[str, Any]]:
    with tenant_session(world.database, world.institution_id) as session:
        rows = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == action))
        return [dict(detail) for detail in rows]


def alerts(world: World, detector: str) -> list[str]:
    with tenant_session(world.database, world.institution_id) as session:
        query = select(MonitorAlert.explanation).where(MonitorAlert.detector == detector)
        return list(session.scalars(query))


def campaign_state(world: World) -> str:
    with tenant_session(world.database, world.institution_id) as session:
        campaign = session.get(Campaign, world.campaign_id)
        assert campaign is not None
        return campaign.state


def attempts(world: World) -> list[int]:
    with tenant_session(world.database, world.institution_id) as session:
        return list(session.scalars(select(Message.attempts)))


def _store(world: World) -> TileStore:
    if world.log_storage == "database":
        return DatabaseTileStore(world.database, world.institution_id)
    return DirectoryTileStore(local_paths(world.home, CODE)[0])


def checkpoint_now(world: World) -> bytes:
    """The log's current signed checkpoint (taken before a fault, checked after it)."""
    raw = _store(world).read_checkpoint()
    assert raw is not None, "nothing logged yet"
    return raw


def check_after_fault(world: World, before: bytes, orphans: range = range(0)) -> None:
    """No message lost, none sent twice, the log consistent with ``before``; see the top.

    ``orphans``: log indexes a killed append left behind (see test_fault_kill_log_append.py).
    """
    accepted = journal(world)
    keys = [key for key, _ in accepted]
    assert len(keys) == len(set(keys)), "the provider accepted a message twice"
    with tenant_session(world.database, world.institution_id) as session:
        rows = session.execute(
            select(Message.message_key, Message.state, Message.provider_id, Message.log_index,
                   Message.sent_at)
        ).all()  # fmt: skip
    assert all(row.sent_at is not None for row in rows), "a sent row has no sent_at"
    outbox = {key: (state, pid, index) for key, state, pid, index, _ in rows}
    assert len(outbox) == world.total
    assert set(keys) == set(outbox), "the journal and the outbox disagree (lost or phantom)"
    assert {state for state, _, _ in outbox.values()} <= {"sent", "delivered"}
    assert all(outbox[key][1] == pid for key, pid in accepted), "a row has another send's id"
    _check_log(world, before, {key: index for key, (_, _, index) in outbox.items()}, orphans)


def _check_log(world: World, before: bytes, indexes: dict[str, int | None], orphans: range) -> None:
    signer = parse_skey(local_paths(world.home, CODE)[1].read_text(encoding="utf-8"))
    log = TransparencyLog.open_read_only(_store(world), signer, signer.name)
    old, _ = open_checkpoint(before, [signer.verifier], origin=signer.name)
    new, _ = open_checkpoint(log.checkpoint(), [signer.verifier], origin=signer.name)
    assert 0 < old.size <= new.size
    proof = [] if old.size == new.size else log.consistency_proof(old.size, new.size)
    verify_consistency(old.size, new.size, old.root, new.root, proof)
    expected = len(indexes) + len(orphans)
    assert new.size == expected, f"{new.size} log entries for {len(indexes)} messages"
    for key, index in indexes.items():
        assert index is not None, f"{key} was sent but never logged"
        assert index not in orphans
        entry = log.entry(index)
        assert parse_leaf(entry).message == key
        path = log.inclusion_proof(index, new.size)
        verify_inclusion(leaf_hash(entry), index, new.size, path, new.root)
    assert {parse_leaf(log.entry(index)).message for index in orphans} <= set(indexes)
