"""With ``log_storage: database`` the gateway logs into the database, not under home, and a
consumer still gets a proof that checks offline against the institution's key."""

from __future__ import annotations

import threading

import pytest
from gateway_helpers import GOOD, VALUES, Bank

from smsguard.bootstrap import build_consumer_verifier, build_tracer
from smsguard.gateway import outbox
from smsguard.gateway.worker import Worker, WorkerOptions
from smsguard.protect import FileKeyProvider
from smsguard.settings import Settings
from smsguard.tlog.leaf import parse_leaf
from smsguard.tlog.log import local_paths
from smsguard.tlog.verify import verify_sms
from smsguard.trace.db_store import DatabaseTileStore, open_database_log
from smsguard.trace.recorder import DatabaseMessageLog

PHONE = next(iter(GOOD))
TEXT = (
    f"【某银行】{GOOD[PHONE]}您好，您的账单{VALUES['amount']}已出，"
    f"请于{VALUES['due']}前还款。回复TD退订"
)


def _worker(bank: Bank, settings: Settings) -> Worker:
    tracer = build_tracer(settings, bank.database, bank.institution_id)
    assert tracer is not None and isinstance(tracer._log, DatabaseMessageLog)
    keys = FileKeyProvider(settings.effective_master_key_file)
    return Worker(bank.database, bank.institution_id, bank.provider, keys, bank.events(),
                  WorkerOptions(), clock=bank.clock, tracer=tracer)  # fmt: skip


def test_the_gateway_logs_into_the_database_and_the_consumer_gets_a_proof(bank: Bank) -> None:
    settings = bank.settings.model_copy(update={"log_storage": "database"})
    bank.gateway.start("mia", bank.campaign_id)
    _worker(bank, settings).run(threading.Event(), until_idle=True)

    folder, key_file = local_paths(settings.home, "bank-a")
    assert key_file.exists() and not folder.exists()  # the key under home, the tiles not
    objects = DatabaseTileStore(bank.database, bank.institution_id).objects()
    assert {"checkpoint", f"tile/0/000.p/{len(GOOD)}"} <= set(objects)
    log = open_database_log(bank.database, bank.institution_id, settings.home, "bank-a")
    assert log.size == len(GOOD)
    assert {parse_leaf(log.entry(i)).institution for i in range(log.size)} == {"bank-a"}

    verifier = build_consumer_verifier(settings, bank.database, bank.institution_id,
                                       bank.screener)  # fmt: skip
    answer = verifier.verify(TEXT, PHONE, bank.clock())
    assert answer.genuine and answer.proof is not None and answer.salt is not None
    leaf = verify_sms(answer.proof, [log.signer.verifier], salt=answer.salt,
                      number=f"+86{PHONE}", text=TEXT)  # fmt: skip
    assert leaf.institution == "bank-a"
    forged = verifier.verify(TEXT.replace("1000元", "9000元"), PHONE, bank.clock())
    assert not forged.genuine and forged.proof is None


def test_log_entries_commit_with_the_claim_or_not_at_all(
    bank: Bank, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = bank.settings.model_copy(update={"log_storage": "database"})
    bank.gateway.start("mia", bank.campaign_id)
    worker = _worker(bank, settings)

    def crash(*_: object) -> None:
        raise RuntimeError("worker died after logging")

    monkeypatch.setattr(outbox, "note_logged", crash)
    with pytest.raises(RuntimeError, match="worker died"):
        worker.run_once()
    store = DatabaseTileStore(bank.database, bank.institution_id)
    assert not any(path.startswith("tile/") for path in store.objects())
    monkeypatch.undo()
    worker.run(threading.Event(), until_idle=True)
    log = open_database_log(bank.database, bank.institution_id, settings.home, "bank-a")
    assert log.size == len(GOOD) == len(bank.provider.submitted)  # no entry twice
