""" "Is this SMS real?": a consumer's text and number checked against the institution's log.

The consumer gives the text as received, their number and roughly when it arrived. The
institution finds that customer's logged messages near that time through the blind index
(no decryption to search), decrypts their texts to find the exact one (an audited reveal),
then opens the log entry with the stored salt and proves its inclusion against the newest
checkpoint that covers it, preferring one cosigned by witnesses. The answer is combined with
the screening verdict, so the consumer hears one thing: genuine, or not in this log, and how
risky the text looks either way.

What leaves the institution is only what the consumer already holds plus public log data:
the entry, its proof, the checkpoint and the salt of *their* message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from smsguard.customers.keystore import load_ring, tenant_label
from smsguard.errors import LogError
from smsguard.protect import BlindIndexer, DataKeyRing, MasterKeyProvider, normalise_phone
from smsguard.screening.verdict import Verdict
from smsguard.store import Database, tenant_session
from smsguard.store.gateway_models import Message
from smsguard.store.models import AuditEvent, Customer
from smsguard.tlog.checkpoint import parse_checkpoint
from smsguard.tlog.cosignature import verify_cosignatures
from smsguard.tlog.log import TransparencyLog
from smsguard.tlog.note import parse_note
from smsguard.tlog.verify import EntryProof, verify_sms
from smsguard.tlog.witness_client import COSIGNED_FILE, load_witnesses

WINDOW = timedelta(days=3)
_CANDIDATES = 50


@dataclass(frozen=True)
class Answer:
    """One clear answer for a consumer, with the evidence behind it."""

    genuine: bool
    institution: str
    verdict: str
    sent_at: datetime | None = None
    witnesses: tuple[str, ...] = ()
    proof: EntryProof | None = None
    salt: bytes | None = None

    def to_dict(self) -> dict[str, object]:
        """The answer as JSON-ready data: the proof file `smsguard log verify` reads, and
        the salt that opens the commitment (the consumer already holds number and text)."""
        return {
            "genuine": self.genuine,
            "institution": self.institution,
            "summary": self.summary,
            "verdict": self.verdict,
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "witnesses": list(self.witnesses),
            "proof": self.proof.to_dict() if self.proof else None,
            "salt": self.salt.hex() if self.salt else None,
        }

    @property
    def summary(self) -> str:
        """The sentence to show."""
        if not self.genuine:
            return (f"not in {self.institution}'s log; screening says {self.verdict}: "
                    "treat this SMS as not sent by them")  # fmt: skip
        when = self.sent_at.isoformat(timespec="seconds") if self.sent_at else "?"
        cosigned = ", ".join(self.witnesses) or "no witness yet"
        return (f"sent by {self.institution} at {when}; proof checked against a checkpoint "
                f"cosigned by {cosigned}")  # fmt: skip


class ConsumerVerifier:
    """Answers "is this SMS real?" for one institution."""

    def __init__(
        self,
        database: Database,
        institution_id: int,
        institution_name: str,
        *,
        log: Callable[[], TransparencyLog],
        log_folder: Path,
        keys: MasterKeyProvider,
        indexer: BlindIndexer,
        screen: Callable[[str], Verdict],
    ) -> None:
        self._database = database
        self._institution_id = institution_id
        self._name = institution_name
        self._tenant = tenant_label(institution_id)
        self._log = log
        self._folder = log_folder
        self._keys = keys
        self._indexer = indexer
        self._screen = screen

    def verify(self, text: str, phone: str, around: datetime | None = None) -> Answer:
        """Check ``text`` received on ``phone`` (near ``around``) against the log."""
        verdict = self._screen(text).verdict
        number = normalise_phone(phone)
        found = self._find(text, number, around)
        if found is None:
            return Answer(False, self._name, verdict)
        index, salt, sent_at = found
        proof, witnesses = self._prove(index)
        log = self._log()
        verify_sms(proof, [log.signer.verifier], salt=salt, number=number, text=text,
                   origin=log.origin)  # fmt: skip
        return Answer(True, self._name, verdict, sent_at, witnesses, proof, salt)

    def _find(
        self, text: str, number: str, around: datetime | None
    ) -> tuple[int, bytes, datetime] | None:
        """The log index, salt and time of the logged message with exactly this text."""
        index = self._indexer.index_e164(number).hex()
        with tenant_session(self._database, self._institution_id) as session:
            customer = session.scalar(select(Customer.id).where(Customer.phone_index == index))
            if customer is None:
                return None
            rows = _candidates(session, customer, around)
            if not rows:
                return None
            session.add(self._audit(customer, [row.key for row in rows]))
            session.flush()  # audited before decrypting
            ring = load_ring(session, self._keys, self._institution_id)
        return self._match(ring, rows, text)

    def _match(
        self, ring: DataKeyRing, rows: Sequence[_Logged], text: str
    ) -> tuple[int, bytes, datetime] | None:
        for row in rows:
            seal = {"tenant": self._tenant, "record_id": row.key}
            if ring.decrypt_field(row.body, field="body", **seal) == text:
                salt_hex = ring.decrypt_field(row.salt, field="log_salt", **seal)
                at = row.sent_at if row.sent_at.tzinfo else row.sent_at.replace(tzinfo=UTC)
                return row.index, bytes.fromhex(salt_hex), at
        return None

    def _prove(self, index: int) -> tuple[EntryProof, tuple[str, ...]]:
        """A proof against the cosigned checkpoint when it covers ``index``, else the latest."""
        log = self._log()
        note, witnesses = log.checkpoint(), tuple[str, ...]()
        cosigned = self._cosigned()
        if cosigned is not None and index < _size(cosigned[0]):
            note, witnesses = cosigned
        size = _size(note)
        proof = EntryProof(log.entry(index), index, size, tuple(log.inclusion_proof(index, size)),
                           note)  # fmt: skip
        return proof, witnesses

    def _cosigned(self) -> tuple[str, tuple[str, ...]] | None:
        path = self._folder / COSIGNED_FILE
        if not path.exists():
            return None
        note = path.read_text(encoding="utf-8")
        verified = verify_cosignatures(note, [w.verifier for w in load_witnesses(self._folder)])
        return note, tuple(sorted({c.name for c in verified}))

    def _audit(self, customer_id: int, keys: list[str]) -> AuditEvent:
        return AuditEvent(
            institution_id=self._institution_id,
            actor="consumer-verification",
            action="message.bodies_revealed",
            target_type="customer",
            target_id=str(customer_id),
            detail={"purpose": "consumer verification", "messages": keys},
        )


@dataclass(frozen=True)
class _Logged:
    key: str
    body: bytes
    index: int
    salt: bytes
    sent_at: datetime


def _candidates(session: Session, customer_id: int, around: datetime | None) -> list[_Logged]:
    """The customer's logged messages, newest first, near ``around`` when it is given."""
    query = (
        select(Message.message_key, Message.body_ciphertext, Message.log_index,
               Message.log_salt_ciphertext, Message.sent_at)
        .where(Message.customer_id == customer_id, Message.log_index.is_not(None),
               Message.log_salt_ciphertext.is_not(None), Message.sent_at.is_not(None))
        .order_by(Message.sent_at.desc())
        .limit(_CANDIDATES)
    )  # fmt: skip
    if around is not None:
        query = query.where(Message.sent_at.between(around - WINDOW, around + WINDOW))
    return [
        _Logged(key, body or b"", index or 0, salt or b"", sent_at)
        for key, body, index, salt, sent_at in session.execute(query)
        if sent_at is not None
    ]


def _size(note: str) -> int:
    try:
        return parse_checkpoint(parse_note(note).text).size
    except LogError as exc:
        raise LogError(f"stored checkpoint: {exc.message}") from exc
