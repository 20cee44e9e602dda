"""Turning a running campaign (or one service message) into outbox rows.

Expansion walks the campaign's audience as frozen at approval (``campaign_audiences``, never
the customer table) in chunks of customers, in id order, loads what the planner needs for the
whole chunk in a few queries (consents, recent sends, names only when the template uses
``{name}``), plans each message and writes the chunk in one transaction:
``queued`` rows with the rendered text encrypted, ``refused`` rows with their reason. A
customer who already has a row for this campaign is skipped, so expansion can be run again
after a crash and continues where it stopped; the unique (campaign, customer) key makes a
double row impossible even if two processes race.

Decrypting names for rendering is a reveal like any other and is audited: one audit row per
chunk lists the customers whose names were read and why.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Row, Table, func, insert, select
from sqlalchemy.orm import Session

from smsguard.consent.policy import LOAN_MARKETING, ConsentRecord, History, Rules
from smsguard.customers.keystore import load_ring, tenant_label
from smsguard.errors import InputError
from smsguard.gateway import screening_watch
from smsguard.gateway.plan import (
    ApprovedText,
    Candidate,
    Plan,
    RenderedTextCheck,
    ScreenMany,
    plan_message,
    render_for,
)
from smsguard.protect import DataKeyRing, MasterKeyProvider
from smsguard.store import Database, tenant_session
from smsguard.store.gateway_models import Message
from smsguard.store.models import AuditEvent, Consent, Customer
from smsguard.store.monitor_models import ScreeningSummary
from smsguard.store.targeting_models import CampaignAudience
from smsguard.store.workflow_models import Campaign, TemplateVersion
from smsguard.targeting.language import parse_audience
from smsguard.targeting.offers import values_for

CHUNK = 1000
_MESSAGES: Table = Message.__table__  # type: ignore[assignment]
_SUMMARIES: Table = ScreeningSummary.__table__  # type: ignore[assignment]
_CustomerRow = Row[int, bool, int | None, bytes | None]
GATEWAY_ACTOR = "gateway"
# Messages that count against a customer's frequency cap: sent or on their way.
_COUNTED = ("queued", "sending", "sent", "delivered", "undelivered", "uncertain")


@dataclass(frozen=True)
class ExpansionSummary:
    """How many messages one expansion queued and refused, with the refusal reasons."""

    queued: int
    refused: int
    reasons: Mapping[str, int]


@dataclass(frozen=True)
class _Job:
    """Everything fixed for one expansion."""

    institution_id: int
    campaign_id: int | None
    approved: ApprovedText
    values: Mapping[str, str]
    purpose: str
    check: RenderedTextCheck
    rules: Rules
    clock: Callable[[], datetime]  # when a chunk was screened, for the monitor's summary
    offers: Mapping[str, Mapping[str, str]] | None = None  # segment -> values (frozen)

    def values_for(self, segment: str | None) -> Mapping[str, str]:
        """The template values for a member of ``segment`` (its offer, if tailored)."""
        if self.offers is None:
            return self.values
        return {**self.values, **values_for(self.offers, segment)}


class Enqueuer:
    """Plans and stores messages for one institution."""

    def __init__(
        self,
        database: Database,
        institution_id: int,
        provider: MasterKeyProvider,
        screen_many: ScreenMany,
        rules: Rules,
    ) -> None:
        self._database = database
        self._institution_id = institution_id
        self._tenant = tenant_label(institution_id)
        self._provider = provider
        self._screen_many = screen_many
        self._rules = rules

    def expand_campaign(self, campaign_id: int, now: datetime) -> ExpansionSummary:
        """Queue (or refuse) one message per audience member who has none yet."""
        totals: dict[str, int] = defaultdict(int)
        queued = refused = 0
        for plans in self.expansion(campaign_id, now):
            for plan in plans:
                if plan.state == "queued":
                    queued += 1
                else:
                    refused += 1
                    totals[plan.reason] += 1
        return ExpansionSummary(queued, refused, dict(totals))

    def expansion(self, campaign_id: int, now: datetime) -> Iterator[list[Plan]]:
        """Expand chunk by chunk, each committed before it is yielded, so a caller can hand
        one chunk over while the next is planned."""
        with tenant_session(self._database, self._institution_id) as session:
            campaign = session.get(Campaign, campaign_id)
            if campaign is None:
                raise InputError(f"no campaign {campaign_id} in this institution")
            if campaign.state != "running":
                raise InputError(f"campaign {campaign_id} is {campaign.state!r}, not running")
            job = self._job(
                session, campaign.template_version_id, campaign.variables, campaign.id, now=now
            )
            job = replace(job, offers=parse_audience(campaign.audience).offers)
            if campaign.audience_frozen_at is None:
                raise InputError(f"campaign {campaign_id} has no audience frozen at approval; "
                                 "only the approved list may be sent to")  # fmt: skip
            due = max(now, _aware(campaign.starts_at))
        after = 0
        while after >= 0:
            plans, after = self._expand_chunk(job, after, due)
            if plans:
                yield plans

    def enqueue_one(self, version_id: int, customer_id: int, values: Mapping[str, str],
                    purpose: str, now: datetime) -> Plan:  # fmt: skip
        """Plan and store one message (a service message) to one customer."""
        with tenant_session(self._database, self._institution_id) as session:
            job = self._job(session, version_id, values, None, purpose, now=now)
            candidates = self._candidates(session, job, [customer_id], now)
            if not candidates:
                raise InputError(f"no customer {customer_id} in this institution")
            ring = load_ring(session, self._provider, self._institution_id)
            plans, texts = self._plans(job, candidates, now)
            self._store(session, job, plans, ring, texts)
        return plans[0]

    def _job(self, session: Session, version_id: int, values: Mapping[str, Any],
             campaign_id: int | None, purpose: str = LOAN_MARKETING, *,
             now: datetime) -> _Job:  # fmt: skip
        version = session.get(TemplateVersion, version_id)
        if version is None:
            raise InputError(f"no template version {version_id} in this institution")
        if version.state != "approved" or version.verdict is None:
            raise InputError(f"template version {version_id} is {version.state!r}, not approved")
        approved = ApprovedText.from_findings(
            version.id, version.body, version.verdict, version.findings or []
        )
        check = RenderedTextCheck(approved, self._screen_many)
        text_values = {str(key): str(value) for key, value in values.items()}
        return _Job(self._institution_id, campaign_id, approved, text_values, purpose, check,
                    self._rules, _running_from(now))  # fmt: skip

    def _expand_chunk(self, job: _Job, after: int,
                      due: datetime) -> tuple[list[Plan], int]:  # fmt: skip
        """Plan and store the next chunk after customer id ``after``; -1 when none is left."""
        with tenant_session(self._database, self._institution_id) as session:
            segments = _next_members(session, job.campaign_id, after)
            if not segments:
                return [], -1
            ring = load_ring(session, self._provider, self._institution_id)
            candidates = self._candidates(session, job, list(segments), due, ring)
            plans, texts = self._plans(job, candidates, due, segments)
            self._store(session, job, plans, ring, texts)
        return plans, max(segments)

    def _plans(self, job: _Job, candidates: Sequence[Candidate], due: datetime,
               segments: Mapping[int, str | None] | None = None,
               ) -> tuple[list[Plan], list[str]]:  # fmt: skip
        """Render every text (with each member's offer), screen the new ones in one batch,
        then plan each recipient; the plans and the rendered texts."""
        segment = (segments or {}).get
        rendered = [render_for(c, job.approved, job.values_for(segment(c.customer_id)))
                    for c in candidates]  # fmt: skip
        texts = [r.text for r in rendered if r.text is not None]
        job.check.prepare(texts)
        plans = [
            plan_message(c, r, check=job.check, rules=job.rules, institution=self._tenant,
                         purpose=job.purpose, due=due)
            for c, r in zip(candidates, rendered, strict=True)
        ]  # fmt: skip
        return plans, texts

    def _candidates(self, session: Session, job: _Job, ids: Sequence[int], at: datetime,
                    ring: DataKeyRing | None = None) -> list[Candidate]:  # fmt: skip
        customers = session.execute(
            select(Customer.id, Customer.is_student, Customer.birth_year, Customer.name_ciphertext)
            .where(Customer.id.in_(ids))
            .order_by(Customer.id)
        ).all()
        consents = _consents(session, ids, self._tenant, job.purpose)
        sent = _recent_sends(session, ids, at - self._rules.cap.window)
        names = self._names(session, job, customers, ring)
        return [
            Candidate(
                customer_id=c.id,
                is_student=c.is_student,
                birth_year=c.birth_year,
                history=History(consent=consents.get(c.id, ()), sent=sent.get(c.id, ())),
                name=names.get(c.id),
            )
            for c in customers
        ]

    def _names(self, session: Session, job: _Job, customers: Sequence[_CustomerRow],
               ring: DataKeyRing | None) -> dict[int, str]:  # fmt: skip
        """Decrypt names only when the template uses {name}; audit the batch first."""
        if not job.approved.needs_name:
            return {}
        ring = ring or load_ring(session, self._provider, self._institution_id)
        holders = [c for c in customers if c.name_ciphertext is not None]
        session.add(_reveal_audit(job, [c.id for c in holders]))
        session.flush()  # the audit row is written before anything is decrypted
        return {
            c.id: ring.decrypt_field(
                c.name_ciphertext or b"", tenant=self._tenant, field="name", record_id=str(c.id)
            )
            for c in holders
        }

    def _store(self, session: Session, job: _Job, plans: Iterable[Plan], ring: DataKeyRing,
               texts: Sequence[str]) -> None:  # fmt: skip
        """Insert the chunk's rows with one executemany (Core, so the institution is named
        here: the tenant session's automatic checks cover ORM writes only), and the chunk's
        screening summary for the worker's monitor in the same transaction."""
        rows = [self._row(job, plan, ring) for plan in plans]
        if rows:
            session.execute(insert(_MESSAGES), rows)
        summary = screening_watch.summary_row(
            job.check, texts, institution_id=job.institution_id, campaign_id=job.campaign_id,
            version_id=job.approved.version_id, at=job.clock(),
        )  # fmt: skip
        if summary is not None:
            session.execute(insert(_SUMMARIES), [summary])

    def _row(self, job: _Job, plan: Plan, ring: DataKeyRing) -> dict[str, object]:
        key = uuid.uuid4().hex
        body = None
        if plan.text is not None:
            body = ring.encrypt_field(plan.text, tenant=self._tenant, field="body", record_id=key)
        return {
            "institution_id": job.institution_id,
            "message_key": key,
            "campaign_id": job.campaign_id,
            "template_version_id": job.approved.version_id,
            "customer_id": plan.customer_id,
            "purpose": job.purpose,
            "body_ciphertext": body,
            "segments": plan.segments,
            "state": plan.state,
            "reason": plan.reason,
            "not_before": plan.not_before,
            "attempts": 0,
            "finished_at": plan.not_before if plan.state == "refused" else None,
        }


def _next_members(session: Session, campaign_id: int | None,
                  after: int) -> dict[int, str | None]:  # fmt: skip
    """The next chunk of the campaign's frozen audience without an outbox row yet: each
    member's customer id and offer segment, in id order."""
    done = select(Message.customer_id).where(Message.campaign_id == campaign_id)
    member = CampaignAudience.customer_id
    query = (
        select(member, CampaignAudience.segment)
        .where(CampaignAudience.campaign_id == campaign_id, member > after, member.not_in(done))
        .order_by(member)
        .limit(CHUNK)
    )
    return {row.customer_id: row.segment for row in session.execute(query)}


def _consents(session: Session, ids: Sequence[int], tenant: str,
              purpose: str) -> dict[int, list[ConsentRecord]]:  # fmt: skip
    rows = session.execute(
        select(Consent.customer_id, Consent.status, Consent.source, Consent.evidence,
               Consent.recorded_at)
        .where(Consent.customer_id.in_(ids), Consent.purpose == purpose)
    )  # fmt: skip
    found: dict[int, list[ConsentRecord]] = defaultdict(list)
    for customer_id, status, source, evidence, recorded_at in rows:
        found[customer_id].append(
            ConsentRecord(
                customer_id=str(customer_id),
                institution_id=tenant,
                purpose=purpose,
                status="granted" if status == "granted" else "withdrawn",
                source=source,
                evidence=evidence or "",
                recorded_at=_aware(recorded_at),
            )
        )
    return found


def _recent_sends(
    session: Session, ids: Sequence[int], since: datetime
) -> dict[int, list[datetime]]:
    when = func.coalesce(Message.sent_at, Message.not_before)
    rows = session.execute(
        select(Message.customer_id, when).where(
            Message.customer_id.in_(ids), Message.state.in_(_COUNTED), when > since
        )
    )
    found: dict[int, list[datetime]] = defaultdict(list)
    for customer_id, at in rows:
        found[customer_id].append(_aware(at))
    return found


def _reveal_audit(job: _Job, customer_ids: Sequence[int]) -> AuditEvent:
    return AuditEvent(
        institution_id=job.institution_id,
        actor=GATEWAY_ACTOR,
        action="customer.names_revealed",
        target_type="campaign" if job.campaign_id is not None else "template_version",
        target_id=str(job.campaign_id or job.approved.version_id),
        detail={"purpose": "message rendering", "customers": list(customer_ids)},
    )


def _running_from(now: datetime) -> Callable[[], datetime]:
    """A clock that starts at the caller's ``now`` and runs with real time, so a long
    expansion's chunks are stamped minutes apart in the monitor's windows, as they happened."""
    started = time.monotonic()
    return lambda: now + timedelta(seconds=time.monotonic() - started)


def _aware(value: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; they were stored in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
