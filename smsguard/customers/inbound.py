"""What an inbound SMS reply leaves behind: withdrawal evidence and audit rows, never the text.

A reply is free text from the customer and may carry a name, an ID number or an address, so
nothing stored here quotes it. The evidence and audit detail keep what an auditor needs
instead: the classification, the wording that triggered it (``classify_reply`` reduces free
text inside a match to an ellipsis) and when the reply arrived.

A complaint is written as an ``audit_events`` row because that table is append-only and exists
today: the complaints module (a later issue) will pick these rows up, and until then nothing
can delete one by mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from smsguard.consent.replies import ReplyClass, ReplyKind
from smsguard.store.models import AuditEvent as AuditRow

INBOUND_SOURCE = "inbound-reply"
COMPLAINT_ACTION = "complaint_received"
UNKNOWN_NUMBER_ACTION = "reply_from_unknown_number"


@dataclass(frozen=True)
class ReplyOutcome:
    """What handling one reply did; the phone is masked so the result is safe to print."""

    masked_phone: str
    known_customer: bool
    kind: ReplyKind
    matched: str
    withdrawn: tuple[str, ...]
    complaint_recorded: bool


def reply_evidence(verdict: ReplyClass, received_at: datetime) -> str:
    """Consent evidence for an opt-out reply: classification, trigger wording, arrival time."""
    return (
        f"inbound reply classified {verdict.kind}; matched {verdict.matched!r}; "
        f"received {received_at.isoformat(timespec='seconds')}"
    )


def complaint_event(
    institution_id: int, customer_id: int, verdict: ReplyClass, received_at: datetime, at: datetime
) -> AuditRow:
    """The audit row that keeps a complaint until the complaints desk takes it over."""
    return AuditRow(
        institution_id=institution_id,
        actor=INBOUND_SOURCE,
        action=COMPLAINT_ACTION,
        target_type="customer",
        target_id=str(customer_id),
        detail={
            "kind": verdict.kind,
            "matched": verdict.matched,
            "received_at": received_at.isoformat(),
        },
        at=at,
    )


def unknown_number_event(
    institution_id: int, masked_phone: str, verdict: ReplyClass, received_at: datetime, at: datetime
) -> AuditRow:
    """The audit row for a reply from a number with no customer: masked number, no text.

    Kept because an unknown sender who complains or refuses may be a customer imported under
    another spelling or a recipient of a wrong number, both worth an operator's look.
    """
    return AuditRow(
        institution_id=institution_id,
        actor=INBOUND_SOURCE,
        action=UNKNOWN_NUMBER_ACTION,
        target_type="phone",
        target_id=None,
        detail={
            "masked_phone": masked_phone,
            "kind": verdict.kind,
            "received_at": received_at.isoformat(),
        },
        at=at,
    )
