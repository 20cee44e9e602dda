"""The complaints desk of one institution: intake, handling steps, notices.

Every step runs in one tenant transaction: the case row, its history row and (for people's
actions) an ``audit_events`` row commit together or not at all. Decisions come from the pure
core (:mod:`~smsguard.complaints.deadlines`, :mod:`~smsguard.complaints.lifecycle`); this
module loads, checks roles, encrypts and stores.

SMS complaints arrive as ``complaint_received`` audit rows written by the customer service
in the same transaction as any opt-out (customers/inbound.py). :meth:`collect_replies` turns
each such row into exactly one case (a unique key on ``audit_event_id``), so a reply is never
lost even if the process stops between the two transactions: the next collection takes it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from smsguard.complaints import lifecycle
from smsguard.complaints.access import require, require_impartial, user_named
from smsguard.complaints.deadlines import DeadlinePolicy
from smsguard.complaints.desk import ComplaintDesk
from smsguard.complaints.lifecycle import Case, Change
from smsguard.complaints.notify import ACK_TEMPLATE, EXTENSION_TEMPLATE, Notice, Notifier
from smsguard.complaints.records import (
    DESK_ACTOR,
    MAX_TEXT,
    Links,
    check_category,
    check_intake,
    links_for,
    load,
    notice_event,
    policy_of,
    status_event,
    store_case,
    utc,
)
from smsguard.customers.inbound import COMPLAINT_ACTION
from smsguard.customers.keystore import load_ring, tenant_label
from smsguard.errors import InputError
from smsguard.governance import audit
from smsguard.protect import BlindIndexer, MasterKeyProvider, normalise_phone
from smsguard.store import Database, tenant_session
from smsguard.store.complaint_models import Complaint
from smsguard.store.models import AuditEvent, Customer, User

log = logging.getLogger(__name__)
REPLY_CATEGORY = "sms_marketing"
Moved = tuple[Case, Change]


class ComplaintService(ComplaintDesk):
    """Complaint operations of one institution (tenant)."""

    def __init__(
        self,
        database: Database,
        institution_id: int,
        keys: MasterKeyProvider,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        *,
        indexer: BlindIndexer | None = None,
        notifier: Notifier | None = None,
        policy: DeadlinePolicy | None = None,
    ) -> None:
        super().__init__(database, institution_id, keys, clock)
        self._indexer = indexer
        self._notifier = notifier
        self._policy = policy or DeadlinePolicy()

    # ---- intake -------------------------------------------------------------------------

    def intake_reply(
        self,
        customer_id: int,
        kind: str,
        matched: str,
        received_at: datetime,
        *,
        audit_event_id: int | None = None,
    ) -> int:
        """Open a case for an SMS reply classified as a complaint; the case id."""
        with tenant_session(self._database, self._institution_id) as session:
            return self._open_reply(
                session, customer_id, kind, matched, received_at, audit_event_id
            )

    def collect_replies(self) -> list[int]:
        """Open a case for every recorded SMS complaint that has none yet; the new case ids."""
        taken = select(Complaint.audit_event_id).where(Complaint.audit_event_id.is_not(None))
        with tenant_session(self._database, self._institution_id) as session:
            rows = session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == COMPLAINT_ACTION, AuditEvent.id.not_in(taken))
                .order_by(AuditEvent.id)
            ).all()
            opened = [self._open_from_audit(session, row) for row in rows]
        if opened:
            log.info(
                "institution %s: %d complaint(s) opened from replies",
                self._institution_id,
                len(opened),
            )
        return opened

    def _open_from_audit(self, session: Session, row: AuditEvent) -> int:
        detail = row.detail
        received = datetime.fromisoformat(str(detail.get("received_at") or row.at.isoformat()))
        received = received if received.tzinfo else received.replace(tzinfo=UTC)
        return self._open_reply(
            session,
            int(row.target_id or 0),
            str(detail.get("kind", "")),
            str(detail.get("matched", "")),
            received,
            row.id,
        )

    def _open_reply(
        self,
        session: Session,
        customer_id: int,
        kind: str,
        matched: str,
        received_at: datetime,
        audit_event_id: int | None,
    ) -> int:
        if session.get(Customer, customer_id) is None:
            raise InputError(f"no customer {customer_id} in this institution")
        links = links_for(session, customer_id)
        row = self._new_case(
            session,
            "sms",
            REPLY_CATEGORY,
            received_at,
            links,
            customer_id=customer_id,
            audit_event_id=audit_event_id,
        )
        session.flush()
        self._history_of_receipt(session, row, received_at, kind=kind, matched=matched)
        return row.id

    def intake(
        self,
        channel: str,
        phone_or_customer: str | int,
        category: str,
        text: str,
        *,
        received_at: datetime | None = None,
        message_id: int | None = None,
    ) -> int:
        """Open a case from the web form or the API; the complainant's text is encrypted.

        ``phone_or_customer`` is a customer id or a phone number; a number that is no
        customer's is kept encrypted (with its blind index) so the desk can still reply.
        A web or API complaint is linked to a message only when ``message_id`` names one:
        guessing "the latest message" would tie an unrelated complaint to a campaign.
        """
        check_intake(channel, category, text)
        received_at = received_at or self._clock()
        with tenant_session(self._database, self._institution_id) as session:
            customer_id, contact = self._complainant(session, phone_or_customer)
            links = Links()
            if customer_id is not None:
                links = links_for(session, customer_id, message_id)
                if message_id is None:
                    links = Links(consent_id=links.consent_id)
            row = self._new_case(
                session, channel, category, received_at, links, customer_id=customer_id
            )
            session.flush()
            self._seal(session, row, text, contact)
            self._history_of_receipt(session, row, received_at)
            return row.id

    def _complainant(self, session: Session, who: str | int) -> tuple[int | None, str | None]:
        """(customer id, phone to keep encrypted when the number is no customer's)."""
        if isinstance(who, int):
            if session.get(Customer, who) is None:
                raise InputError(f"no customer {who} in this institution")
            return who, None
        if self._indexer is None:
            raise InputError("intake by phone number needs the blind index key")
        e164 = normalise_phone(who)
        index = self._indexer.index_e164(e164).hex()
        found = session.scalar(select(Customer.id).where(Customer.phone_index == index))
        return (found, None) if found is not None else (None, e164)

    def _seal(self, session: Session, row: Complaint, text: str, contact: str | None) -> None:
        ring = load_ring(session, self._keys, self._institution_id)
        tenant, record = tenant_label(self._institution_id), str(row.id)
        row.text_ciphertext = ring.encrypt_field(
            text, tenant=tenant, field="complaint_text", record_id=record
        )
        if contact is not None and self._indexer is not None:
            row.contact_index = self._indexer.index_e164(contact).hex()
            row.contact_ciphertext = ring.encrypt_field(
                contact, tenant=tenant, field="contact", record_id=record
            )

    def _new_case(
        self,
        session: Session,
        channel: str,
        category: str,
        received_at: datetime,
        links: Links,
        **fields: int | None,
    ) -> Complaint:
        case, _change = lifecycle.received(received_at)
        row = Complaint(
            channel=channel,
            category=category,
            received_at=utc(received_at),
            message_id=links.message_id,
            campaign_id=links.campaign_id,
            template_version_id=links.template_version_id,
            log_index=links.log_index,
            consent_id=links.consent_id,
            policy=self._policy.to_dict(),
            **fields,
        )
        store_case(row, case, self._policy)
        session.add(row)
        return row

    def _history_of_receipt(
        self, session: Session, row: Complaint, at: datetime, **detail: object
    ) -> None:
        change = Change("receive", "", "received", at, {"channel": row.channel, **detail})
        session.add(status_event(row, change, DESK_ACTOR))

    # ---- handling -----------------------------------------------------------------------

    def acknowledge(self, complaint_id: int) -> Notice:
        """Send the approved acknowledgement SMS; acknowledged only if it was queued."""
        with tenant_session(self._database, self._institution_id) as session:
            row = load(session, complaint_id)
            lifecycle.acknowledge(self._case(row), self._clock())  # refuse early, before sending
            customer_id = row.customer_id
        notice = self._notify(ACK_TEMPLATE, customer_id, {"case": str(complaint_id)})
        with tenant_session(self._database, self._institution_id) as session:
            row = load(session, complaint_id)
            self._record_notice(session, row, "acknowledgement", notice)
            if notice.sent:
                now = self._clock()
                self._apply(session, row, *lifecycle.acknowledge(self._case(row), now), DESK_ACTOR)
                row.acknowledged_at = utc(now)
        return notice

    def acknowledge_pending(self) -> dict[int, Notice]:
        """Try the acknowledgement for every case still waiting for one."""
        with tenant_session(self._database, self._institution_id) as session:
            ids = list(
                session.scalars(
                    select(Complaint.id)
                    .where(Complaint.status == "received")
                    .order_by(Complaint.id)
                )
            )
        return {complaint_id: self.acknowledge(complaint_id) for complaint_id in ids}

    def assign(self, complaint_id: int, actor: str, assignee: str) -> None:
        """Give the case to ``assignee``, who must be allowed and impartial (§D1)."""

        def step(session: Session, row: Complaint, _user: User, now: datetime) -> Moved:
            handler = user_named(session, assignee)
            require(handler, "complaint.handle", now)
            require_impartial(session, handler, row)
            return lifecycle.assign(self._case(row), now, handler.id)

        self._step(complaint_id, actor, step)

    def extend(
        self, complaint_id: int, actor: str, reason: str, approved_by: str | None = None
    ) -> Notice | None:
        """Extend the deadline; the further extension needs a certified compliance officer
        other than ``actor`` and a notice to the complainant (§D1). The notice, if any."""

        def step(session: Session, row: Complaint, user: User, now: datetime) -> Moved:
            approver = None
            if approved_by is not None:
                officer = user_named(session, approved_by)
                require(officer, "complaint.approve_extension", now)
                if officer.id == user.id:
                    raise InputError("the further extension needs a second person's approval")
                approver = officer.username
            return lifecycle.extend(self._case(row), policy_of(row), now, reason, approver)

        row = self._step(complaint_id, actor, step)
        if row.extensions < 2:
            return None
        notice = self._notify(
            EXTENSION_TEMPLATE,
            row.customer_id,
            {"case": str(row.id), "days": str(policy_of(row).limit_days(2))},
        )
        with tenant_session(self._database, self._institution_id) as session:
            self._record_notice(session, load(session, complaint_id), "extension_notice", notice)
        return notice

    def resolve(self, complaint_id: int, actor: str, text: str) -> None:
        """Record the decision; its text is stored encrypted (it may quote the complainant)."""
        if not text.strip() or len(text) > MAX_TEXT:
            raise InputError(f"a resolution needs a text of 1-{MAX_TEXT} characters")

        def step(session: Session, row: Complaint, _user: User, now: datetime) -> Moved:
            ring = load_ring(session, self._keys, self._institution_id)
            row.resolution_ciphertext = ring.encrypt_field(
                text,
                tenant=tenant_label(self._institution_id),
                field="resolution",
                record_id=str(row.id),
            )
            row.resolved_at = utc(now)
            return lifecycle.resolve(self._case(row), now)

        self._step(complaint_id, actor, step)

    def close(self, complaint_id: int, actor: str) -> None:
        """Finish a resolved case."""

        def step(_session: Session, row: Complaint, _user: User, now: datetime) -> Moved:
            row.closed_at = utc(now)
            return lifecycle.close(self._case(row), now)

        self._step(complaint_id, actor, step)

    def reopen(self, complaint_id: int, actor: str, reason: str) -> None:
        """Take a resolved or closed case up again with a fresh statutory clock."""

        def step(_session: Session, row: Complaint, _user: User, now: datetime) -> Moved:
            row.resolved_at = row.closed_at = None
            return lifecycle.reopen(self._case(row), now, reason)

        self._step(complaint_id, actor, step)

    def recategorise(self, complaint_id: int, actor: str, category: str, reason: str) -> None:
        """Correct the category (an SMS reply is filed as sms_marketing until someone reads
        it); the old and new category and a reason code go into the status history."""
        check_category(category)

        def step(_session: Session, row: Complaint, _user: User, now: datetime) -> Moved:
            moved = lifecycle.recategorise(self._case(row), now, row.category, category, reason)
            row.category = category
            return moved

        self._step(complaint_id, actor, step)

    def _step(
        self,
        complaint_id: int,
        actor: str,
        step: Callable[[Session, Complaint, User, datetime], Moved],
    ) -> Complaint:
        """Check the actor, run one pure step, store case, history and audit row together."""
        now = self._clock()
        with tenant_session(self._database, self._institution_id) as session:
            user = user_named(session, actor)
            require(user, "complaint.handle", now)
            row = load(session, complaint_id)
            case, change = step(session, row, user, now)
            self._apply(session, row, case, change, user.username)
            audit.record(
                session,
                user,
                f"complaint.{change.action}",
                ("complaint", row.id),
                **{"from": change.from_status, "to": change.to_status, **change.detail},
            )
            return row

    def _apply(
        self, session: Session, row: Complaint, case: Case, change: Change, actor: str
    ) -> None:
        store_case(row, case, policy_of(row))
        session.add(status_event(row, change, actor))

    def _notify(self, template: str, customer_id: int | None, values: dict[str, str]) -> Notice:
        if customer_id is None:
            return Notice(False, "the complainant is not a customer; reply by the channel used")
        if self._notifier is None:
            return Notice(False, "no SMS gateway configured for complaint notices")
        return self._notifier.notify(template, customer_id, values)

    def _record_notice(self, session: Session, row: Complaint, what: str, notice: Notice) -> None:
        """A visible history row either way: queued, or why nothing could be sent."""
        if not notice.sent:
            log.warning("complaint %s: %s not sent: %s", row.id, what, notice.reason)
        session.add(notice_event(row, what, notice.sent, notice.reason,
                                 notice.template_version_id, self._clock()))  # fmt: skip
