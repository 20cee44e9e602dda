"""Customers of one institution: import with consent, find by phone, withdraw, audited reveal.

This wires the two pure cores to storage. Phone numbers, names and ID numbers are encrypted
with the institution's data key before they reach a row and are found again only through the
keyed blind index, so nothing here decrypts to look a customer up. Decryption happens in one
place, :meth:`CustomerService.reveal`, behind protect's Revealer and a database audit sink.

A whole import file is one transaction: either every row is stored or none is. Consent is
appended, never overwritten, so the history an auditor asks for is the table itself, and a
customer without a usable record is never marketed to (fail closed, in consent.may_market).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from smsguard.consent import ConsentRecord, Decision, may_market
from smsguard.consent.replies import ReplyClass, classify_reply
from smsguard.customers.audit_sink import DatabaseAuditSink
from smsguard.customers.inbound import (
    INBOUND_SOURCE,
    ReplyOutcome,
    complaint_event,
    reply_evidence,
    unknown_number_event,
)
from smsguard.customers.keystore import load_ring, tenant_label
from smsguard.customers.rows import CustomerRow, RawRow, parse_rows
from smsguard.errors import AccessDenied, InputError, NotFound
from smsguard.governance.audit import decrypt_suspension
from smsguard.protect import (
    BlindIndexer,
    DataKeyRing,
    MasterKeyProvider,
    Reveal,
    Revealer,
    mask_phone,
    normalise_phone,
)
from smsguard.protect.envelope import DEK_ID_BYTES
from smsguard.store import Database, tenant_session
from smsguard.store.models import AuditEvent, Consent, Customer
from smsguard.targeting.profiles import upsert_profile

log = logging.getLogger(__name__)

_CIPHER_COLUMNS = {
    "phone": "phone_ciphertext",
    "name": "name_ciphertext",
    "id_number": "id_number_ciphertext",
}


@dataclass(frozen=True)
class ImportSummary:
    """How many customers an import created and how many it updated."""

    inserted: int
    updated: int


@dataclass(frozen=True)
class CustomerView:
    """What may be shown about a customer without a reveal: masked phone, no name."""

    customer_id: int
    masked_phone: str
    birth_year: int | None
    is_student: bool


def _aware(value: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; they were stored in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class CustomerService:
    """Customer operations for one institution (tenant)."""

    def __init__(
        self,
        database: Database,
        institution_id: int,
        provider: MasterKeyProvider,
        indexer: BlindIndexer,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._database = database
        self._institution_id = institution_id
        self._tenant = tenant_label(institution_id)
        self._provider = provider
        self._indexer = indexer
        self._clock = clock

    def import_customers(self, raw_rows: Iterable[RawRow]) -> ImportSummary:
        """Validate every row, then store all of them in one transaction (or none)."""
        rows = parse_rows(raw_rows, now=self._clock())
        inserted = updated = 0
        with tenant_session(self._database, self._institution_id) as session:
            ring = load_ring(session, self._provider, self._institution_id)
            for row in rows:
                created = self._upsert(session, ring, row)
                inserted, updated = inserted + created, updated + (not created)
        log.info("institution %s: imported %d new, %d updated", self._tenant, inserted, updated)
        return ImportSummary(inserted, updated)

    def _upsert(self, session: Session, ring: DataKeyRing, row: CustomerRow) -> bool:
        """Insert or update one customer plus its consent grant (and profile, when the row has
        one); True when the customer is new."""
        index = self._indexer.index_e164(row.phone).hex()
        customer = session.scalars(select(Customer).where(Customer.phone_index == index)).first()
        created = customer is None
        if customer is None:
            # The row id is bound into each ciphertext, so it must exist before encrypting.
            customer = Customer(phone_index=index, phone_ciphertext=b"", key_id="")
            session.add(customer)
            session.flush()
        self._encrypt_into(customer, ring, row)
        customer.birth_year, customer.is_student = row.birth_year, row.is_student
        session.add(
            Consent(
                customer_id=customer.id,
                purpose=row.consent_purpose,
                status="granted",
                source=row.consent_source,
                evidence=row.consent_evidence,
                recorded_at=row.consent_at,
            )
        )
        if row.profile is not None:  # one profile per customer, replaced on re-import
            upsert_profile(session, customer.id, row.profile, self._clock())
        return created

    def _encrypt_into(self, customer: Customer, ring: DataKeyRing, row: CustomerRow) -> None:
        """Encrypt every identity field under the active data key, all with one key id."""

        def seal(value: str, field: str) -> bytes:
            return ring.encrypt_field(
                value, tenant=self._tenant, field=field, record_id=str(customer.id)
            )

        customer.phone_ciphertext = seal(row.phone, "phone")
        customer.name_ciphertext = seal(row.name, "name") if row.name else None
        customer.id_number_ciphertext = seal(row.id_number, "id_number") if row.id_number else None
        customer.key_id = customer.phone_ciphertext[1 : 1 + DEK_ID_BYTES].hex()

    def find_by_phone(self, phone: str) -> CustomerView | None:
        """The customer with this number (any spelling), via the blind index; no decryption."""
        e164 = normalise_phone(phone)
        with tenant_session(self._database, self._institution_id) as session:
            customer = self._by_index(session, e164)
            if customer is None:
                return None
            return CustomerView(
                customer.id, mask_phone(e164), customer.birth_year, customer.is_student
            )

    def _by_index(self, session: Session, e164: str) -> Customer | None:
        index = self._indexer.index_e164(e164).hex()
        return session.scalars(select(Customer).where(Customer.phone_index == index)).first()

    def consents(self, customer_id: int) -> list[ConsentRecord]:
        """The customer's consent history, oldest first, as the consent core reads it."""
        with tenant_session(self._database, self._institution_id) as session:
            rows = session.scalars(
                select(Consent).where(Consent.customer_id == customer_id).order_by(Consent.id)
            )
            return [self._record(row) for row in rows]

    def _record(self, row: Consent) -> ConsentRecord:
        status: Literal["granted", "withdrawn"] = (
            "withdrawn" if row.status == "withdrawn" else "granted"
        )
        return ConsentRecord(
            customer_id=str(row.customer_id),
            institution_id=self._tenant,
            purpose=row.purpose,
            status=status,
            source=row.source,
            evidence=row.evidence or "",
            recorded_at=_aware(row.recorded_at),
        )

    def may_market(self, phone: str, purpose: str, at: datetime | None = None) -> Decision:
        """Whether the institution may market ``purpose`` to this number; unknown means no."""
        found = self.find_by_phone(phone)
        if found is None:
            return Decision(False, "no consent")
        records = self.consents(found.customer_id)
        at = at or self._clock()
        return may_market(records, str(found.customer_id), self._tenant, purpose, at)

    def withdraw(
        self,
        phone: str,
        *,
        source: str,
        evidence: str,
        purposes: Sequence[str] = (),
        actor: str | None = None,
    ) -> list[str]:
        """Record a withdrawal now, for the given purposes or every purpose on record.

        ``actor`` names the person who recorded it (a call-centre agent, an API user); their
        name goes into an audit row in the same transaction, because a withdrawal stops
        marketing for good and an auditor must be able to ask who entered it."""
        e164 = normalise_phone(phone)
        if not source.strip():
            raise InputError("a withdrawal needs a source (where it came from)")
        with tenant_session(self._database, self._institution_id) as session:
            customer = self._by_index(session, e164)
            if customer is None:
                raise NotFound(f"no customer with phone {mask_phone(e164)}")
            chosen = self._add_withdrawals(
                session, customer, source, evidence, purposes, self._clock()
            )
            if actor is not None:
                session.add(_withdrawal_event(actor, customer.id, source, chosen))
        log.info("withdrawal recorded for %s: %s", mask_phone(e164), ", ".join(chosen))
        return chosen

    def _add_withdrawals(
        self,
        session: Session,
        customer: Customer,
        source: str,
        evidence: str,
        purposes: Sequence[str],
        at: datetime,
    ) -> list[str]:
        """Append a ``withdrawn`` record per purpose (every purpose on record when none given)."""
        known = session.scalars(
            select(Consent.purpose).where(Consent.customer_id == customer.id).distinct()
        )
        chosen = sorted(set(purposes) or set(known))
        for purpose in chosen:
            session.add(
                Consent(
                    customer_id=customer.id,
                    purpose=purpose,
                    status="withdrawn",
                    source=source,
                    evidence=evidence,
                    recorded_at=at,
                )
            )
        return chosen

    def handle_reply(self, phone: str, text: str, *, received_at: datetime) -> ReplyOutcome:
        """Act on one inbound SMS: withdraw every purpose on an opt-out, keep any complaint.

        Everything is written in one transaction, so a reply that both refuses and complains
        never ends up withdrawn with its complaint lost, or the other way round. The reply
        text itself is never stored (see customers/inbound.py).
        """
        if received_at.tzinfo is None:
            raise InputError("received_at must carry a time zone")
        verdict = classify_reply(text)
        e164 = normalise_phone(phone)
        masked, now = mask_phone(e164), self._clock()
        withdrawn: list[str] = []
        with tenant_session(self._database, self._institution_id) as session:
            customer = self._by_index(session, e164)
            if customer is None:
                session.add(
                    unknown_number_event(self._institution_id, masked, verdict, received_at, now)
                )
            else:
                withdrawn = self._apply_reply(session, customer, verdict, received_at, now)
        log.info("reply from %s classified %s", masked, verdict.kind)
        return ReplyOutcome(
            masked,
            customer is not None,
            verdict.kind,
            verdict.matched,
            tuple(withdrawn),
            customer is not None and verdict.complaint,
        )

    def _apply_reply(
        self,
        session: Session,
        customer: Customer,
        verdict: ReplyClass,
        received_at: datetime,
        now: datetime,
    ) -> list[str]:
        """Add the withdrawal and complaint rows a classified reply calls for; the purposes."""
        withdrawn: list[str] = []
        if verdict.opt_out:
            # Effective from when the customer sent it, but never later than now: a sender
            # clock running ahead must not postpone an opt-out.
            evidence = reply_evidence(verdict, received_at)
            at = min(received_at, now)
            withdrawn = self._add_withdrawals(session, customer, INBOUND_SOURCE, evidence, (), at)
        if verdict.complaint:
            session.add(
                complaint_event(self._institution_id, customer.id, verdict, received_at, now)
            )
        return withdrawn

    def reveal(
        self,
        customer_id: int,
        *,
        actor: str,
        roles: Iterable[str],
        purpose: str,
        field: str = "phone",
    ) -> str:
        """One field, full or masked as the policy allows; every decision is audited first."""
        column = _CIPHER_COLUMNS.get(field)
        if column is None:
            raise InputError(f"field {field!r} is not a protected field")
        with tenant_session(self._database, self._institution_id) as session:
            suspended = decrypt_suspension(session, actor)
            if suspended is not None:
                raise AccessDenied(f"user {actor!r} may not reveal customer data: {suspended}")
            customer = session.get(Customer, customer_id)
            if customer is None:
                raise NotFound(f"no customer with id {customer_id}")
            blob: bytes | None = getattr(customer, column)
            ring = load_ring(session, self._provider, self._institution_id)
        if blob is None:
            raise InputError(f"customer {customer_id} has no {field} on record")
        revealer = Revealer(ring, DatabaseAuditSink(self._database, self._institution_id))
        request = Reveal(actor, frozenset(roles), purpose, self._tenant, str(customer_id), field)
        return revealer.reveal(request, blob)


def _withdrawal_event(actor: str, customer_id: int, source: str, purposes: list[str]) -> AuditEvent:
    return AuditEvent(
        actor=actor,
        action="consent.withdrawn",
        target_type="customer",
        target_id=str(customer_id),
        detail={"source": source, "purposes": purposes},
    )


def institution_id_for(database: Database, code: str) -> int:
    """The id of the institution operators call ``code``; InputError naming it otherwise."""
    from smsguard.store.models import Institution

    with database.transaction() as session:
        found = session.scalars(select(Institution.id).where(Institution.code == code)).first()
    if found is None:
        raise InputError(
            f"no institution with code {code!r}",
            hint="List them with `smsguard institutions list`.",
        )
    return found
