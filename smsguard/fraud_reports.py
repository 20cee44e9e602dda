"""Consumers' reports of suspected fraud SMS: taken in publicly, reviewed by analysts.

A consumer who received a suspicious SMS pastes it into the public page; the text is
screened at once (so the consumer hears the verdict) and kept with a receipt id. Analysts
(``complaint.handle``) of the institution the SMS claims to come from confirm or dismiss it;
confirmed reports are what a later step turns into fraud indicators.

The reporter's own phone number is personal data the desk needs only to call back: it is
kept encrypted, with its blind index, under the claimed institution's keys, and not kept at
all when the report names no institution (no one would be entitled to read it). Lists show
texts and sender numbers with mobile numbers masked.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from smsguard.customers.keystore import load_ring, tenant_label
from smsguard.errors import InputError, NotFound
from smsguard.governance import audit
from smsguard.protect import BlindIndexer, MasterKeyProvider, normalise_phone
from smsguard.protect.phones import redact_phones
from smsguard.screening.engine import Screener
from smsguard.screening.verdict import Verdict
from smsguard.settings import Settings
from smsguard.store import Database, tenant_session
from smsguard.store.models import User
from smsguard.store.signal_models import FraudReport

MAX_TEXT = 2000
STATUSES = ("new", "confirmed", "dismissed")
Decision = Literal["confirmed", "dismissed"]
MAX_PAGE = 500


@dataclass(frozen=True)
class Receipt:
    """What the consumer gets back."""

    receipt: str
    verdict: str
    fraud: bool
    rules: list[str]
    reporter_kept: bool


@dataclass(frozen=True)
class FraudReportView:
    """A report as analysts see it: mobile numbers masked, the reporter's never shown."""

    id: int
    receipt: str
    claimed_institution_id: int | None
    text: str
    sender_number: str | None
    verdict: str
    fraud: bool
    rules: list[str]
    status: str
    reviewed_by: str | None
    reviewed_at: datetime | None
    received_at: datetime


class FraudIntake:
    """Takes consumers' reports in; keys and screener come from the composition root."""

    def __init__(
        self,
        database: Database,
        screen: Callable[[str], Verdict],
        keys: MasterKeyProvider,
        indexer_for: Callable[[int], BlindIndexer],
    ) -> None:
        self._database = database
        self._screen = screen
        self._keys = keys
        self._indexer_for = indexer_for

    def submit(
        self,
        text: str,
        *,
        sender_number: str | None = None,
        institution_id: int | None = None,
        reporter_phone: str | None = None,
    ) -> Receipt:
        """Screen and keep one report; the reporter's number only under a claimed institution."""
        if not text.strip() or len(text) > MAX_TEXT:
            raise InputError(f"a report needs the SMS text, 1-{MAX_TEXT} characters")
        reporter = normalise_phone(reporter_phone) if reporter_phone else None
        verdict = self._screen(text)
        rules = sorted({finding.rule for finding in verdict.findings})
        row = FraudReport(
            receipt=f"FR-{secrets.token_hex(8).upper()}", institution_id=institution_id,
            text=text, sender_number=(sender_number or "").strip()[:32] or None,
            verdict=verdict.verdict, fraud=verdict.fraud, rules=rules, status="new",
        )  # fmt: skip
        keep = reporter is not None and institution_id is not None
        if institution_id is None:
            with self._database.transaction() as session:
                session.add(row)
        else:
            with tenant_session(self._database, institution_id) as session:
                session.add(row)
                session.flush()
                if keep and reporter is not None:
                    self._seal(session, row, institution_id, reporter)
        return Receipt(row.receipt, verdict.verdict, verdict.fraud, rules, keep)

    def _seal(self, session: Session, row: FraudReport, institution_id: int, e164: str) -> None:
        ring = load_ring(session, self._keys, institution_id)
        row.reporter_index = self._indexer_for(institution_id).index_e164(e164).hex()
        row.reporter_ciphertext = ring.encrypt_field(
            e164, tenant=tenant_label(institution_id), field="reporter_phone",
            record_id=str(row.id),
        )  # fmt: skip


def build_fraud_intake(settings: Settings, database: Database, screener: Screener) -> FraudIntake:
    """The intake with the configured keys (a candidate for ``smsguard.bootstrap``)."""
    from smsguard.bootstrap import build_blind_indexer, build_master_key_provider

    return FraudIntake(
        database,
        screener.screen,
        build_master_key_provider(settings),
        lambda tenant: build_blind_indexer(settings, tenant),
    )


def list_reports(
    session: Session,
    institution_id: int,
    *,
    status: str | None = None,
    unclaimed: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> list[FraudReportView]:
    """Reports claiming ``institution_id`` (or, with ``unclaimed``, those naming nobody),
    newest first."""
    if status is not None and status not in STATUSES:
        raise InputError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise InputError(f"a page holds 1-{MAX_PAGE} reports from a non-negative offset")
    owner = FraudReport.institution_id
    query = select(FraudReport).where(owner.is_(None) if unclaimed else owner == institution_id)
    if status is not None:
        query = query.where(FraudReport.status == status)
    query = query.order_by(FraudReport.id.desc()).limit(limit).offset(offset)
    return [_view(row) for row in session.scalars(query)]


def review_report(
    session: Session, actor: User, report_id: int, decision: Decision, note: str = ""
) -> FraudReportView:
    """Confirm or dismiss a report of the actor's institution or of nobody's, audited."""
    if decision not in ("confirmed", "dismissed"):
        raise InputError(f"a review decides confirmed or dismissed, not {decision!r}")
    row = session.scalar(
        select(FraudReport).where(
            FraudReport.id == report_id,
            or_(
                FraudReport.institution_id == actor.institution_id,
                FraudReport.institution_id.is_(None),
            ),
        )
    )
    if row is None:
        raise NotFound(f"no fraud report {report_id} for this institution")
    if row.status != "new":
        raise InputError(f"fraud report {report_id} was already {row.status}")
    row.status, row.reviewed_by, row.note = decision, actor.username, note.strip() or None
    row.reviewed_at = datetime.now(UTC)
    audit.record(session, actor, f"fraud_report.{decision}", ("fraud_report", row.id),
                 receipt=row.receipt)  # fmt: skip
    return _view(row)


def _view(row: FraudReport) -> FraudReportView:
    def aware(value: datetime | None) -> datetime | None:
        return value.replace(tzinfo=UTC) if value and value.tzinfo is None else value

    return FraudReportView(
        row.id, row.receipt, row.institution_id, redact_phones(row.text),
        redact_phones(row.sender_number) if row.sender_number else None, row.verdict,
        row.fraud, list(row.rules), row.status, row.reviewed_by, aware(row.reviewed_at),
        aware(row.received_at) or row.received_at,
    )  # fmt: skip
