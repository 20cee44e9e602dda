"""Every handed-over message is in the institution's transparency log, and a consumer who
holds the SMS can have it checked: genuine with a proof, or not in the log."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from gateway_helpers import GOOD, VALUES, Bank
from sqlalchemy import select

from smsguard.bootstrap import build_consumer_verifier
from smsguard.errors import LogError
from smsguard.store import tenant_session
from smsguard.store.gateway_models import Message
from smsguard.store.models import AuditEvent
from smsguard.tlog.cosignature import CosignatureSigner
from smsguard.tlog.leaf import SmsLeaf, parse_leaf
from smsguard.tlog.log import local_paths, open_local_log
from smsguard.tlog.verify import verify_sms
from smsguard.tlog.witness import Witness, trusted_logs
from smsguard.tlog.witness_client import add_witness, cosign
from smsguard.tlog.witness_store import ALERTS_FILE, DirectoryWitnessState, JsonlAlarm
from smsguard.trace.consumer import Answer

PHONE = next(iter(GOOD))
TEXT = (
    f"【某银行】{GOOD[PHONE]}您好，您的账单{VALUES['amount']}已出，"
    f"请于{VALUES['due']}前还款。回复TD退订"
)


def _send_campaign(bank: Bank) -> None:
    bank.gateway.start("mia", bank.campaign_id)
    bank.worker().run(threading.Event(), until_idle=True)


def _verify(bank: Bank, text: str = TEXT, phone: str = PHONE) -> Answer:
    verifier = build_consumer_verifier(bank.settings, bank.database, bank.institution_id,
                                       bank.screener)  # fmt: skip
    return verifier.verify(text, phone, bank.clock())


def test_each_handed_over_message_has_one_leaf_committing_to_its_number_and_text(
    bank: Bank,
) -> None:
    _send_campaign(bank)
    log = open_local_log(bank.settings.home, "bank-a")
    with tenant_session(bank.database, bank.institution_id) as session:
        sent = session.scalars(select(Message).where(Message.log_index.is_not(None))).all()
    assert sorted(m.log_index for m in sent) == list(range(len(GOOD))) == list(range(log.size))
    leaves = {parse_leaf(log.entry(m.log_index or 0)).message: m for m in sent}
    assert set(leaves) == {m.message_key for m in sent}
    leaf: SmsLeaf = parse_leaf(log.entry(0))
    assert (leaf.institution, leaf.campaign) == ("bank-a", f"c-{bank.campaign_id}")
    assert PHONE.encode() not in log.entry(0) and "您好".encode() not in log.entry(0)


def test_a_consumer_gets_a_proof_that_checks_offline(bank: Bank) -> None:
    _send_campaign(bank)
    answer = _verify(bank)
    assert answer.genuine and answer.verdict == "pass"
    assert answer.summary.startswith("sent by Bank A at ")
    assert answer.proof is not None and answer.salt is not None
    log = open_local_log(bank.settings.home, "bank-a")
    leaf = verify_sms(answer.proof, [log.signer.verifier], salt=answer.salt,
                      number=f"+86{PHONE}", text=TEXT)  # fmt: skip
    assert leaf.institution == "bank-a"
    with tenant_session(bank.database, bank.institution_id) as session:
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "message.bodies_revealed")
        ).all()
    assert len(audit) == 1 and audit[0].detail["purpose"] == "consumer verification"


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        (TEXT.replace("1000元", "9000元"), PHONE),  # a forged amount
        (TEXT + " ", PHONE),  # not the exact text
        (TEXT, "13900000000"),  # someone else's number
        (TEXT, list(GOOD)[1]),  # a real customer who did not get this text
    ],
)
def test_anything_but_the_exact_sms_to_that_number_is_not_in_the_log(
    bank: Bank, text: str, phone: str
) -> None:
    _send_campaign(bank)
    answer = _verify(bank, text, phone)
    assert not answer.genuine and answer.proof is None
    assert answer.summary.startswith("not in Bank A's log")


def test_a_fraudulent_copy_gets_the_screening_verdict_too(bank: Bank) -> None:
    _send_campaign(bank)
    answer = _verify(bank, "【某银行】您的额度已提升至20万，点击 http://x.cn 解冻，需先缴解冻费")
    assert not answer.genuine and answer.verdict == "block"


def test_nothing_is_sent_when_the_log_cannot_be_written(bank: Bank) -> None:
    class BrokenLog:
        def record(self, leaves: object) -> int:
            raise LogError("disk full")

    bank.gateway.start("mia", bank.campaign_id)
    worker = bank.worker()
    worker._tracer._log = BrokenLog()  # type: ignore[union-attr]
    with pytest.raises(LogError, match="disk full"):
        worker.run_once()
    assert bank.provider.submitted == []
    assert bank.gateway.status(bank.campaign_id).messages["queued"] == len(GOOD)


def test_a_message_resent_after_a_crash_keeps_its_one_leaf(bank: Bank) -> None:
    bank.gateway.start("mia", bank.campaign_id)
    bank.worker()._claim()  # claimed, decrypted and logged; then the worker died
    bank.clock.advance(seconds=31)
    bank.worker().run(threading.Event(), until_idle=True)
    assert open_local_log(bank.settings.home, "bank-a").size == len(GOOD)
    assert len(bank.provider.submitted) == len(GOOD)


def test_the_answer_names_the_witnesses_that_cosigned(bank: Bank) -> None:
    _send_campaign(bank)
    log = open_local_log(bank.settings.home, "bank-a")
    folder = local_paths(bank.settings.home, "bank-a")[0]
    home = bank.settings.home
    signer = CosignatureSigner("regulator.example", b"r" * 32)
    state, alarm = DirectoryWitnessState(home / "w" / "state"), JsonlAlarm(home / "w" / ALERTS_FILE)
    witness = Witness(signer, trusted_logs([log.signer.verifier]), state, alarm)
    add_witness(folder, "http://witness.test", signer.verifier.vkey)

    def post(url: str, body: bytes) -> tuple[int, str, bytes]:
        from smsguard.tlog.http import witness_answer

        answer = witness_answer(witness, body)
        return answer.status, answer.content_type.split(";")[0], answer.body

    cosign(log, folder, post)
    answer = _verify(bank)
    assert answer.genuine and answer.witnesses == ("regulator.example",)
    assert "cosigned by regulator.example" in answer.summary
    assert bank.clock() - (answer.sent_at or bank.clock()) < timedelta(minutes=1)
