"""The audited gate through which every decryption of a customer field passes.

Reading a phone number is an act someone answers for, so a reveal names an actor, their
roles, a purpose and the record. A policy table says which role and purpose pairs see the
full value, which see it masked, and (by omission) which see nothing. Every decision,
including refusals, is written to an :class:`AuditSink` *before* anything is decrypted: if
the audit write fails the call fails, so there is never an unrecorded reveal (fail closed).
Audit events carry who, what, why and when, never the value itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Protocol

from smsguard.errors import AccessDenied, CryptoError, InputError
from smsguard.protect.envelope import DataKeyRing
from smsguard.protect.phones import mask_id_number, mask_name, mask_phone


class Visibility(Enum):
    """What a role and purpose pair may see of a protected field."""

    FULL = "full"
    MASKED = "masked"


Policy = Mapping[tuple[str, str], Visibility]

DEFAULT_POLICY: Policy = {
    ("compliance_officer", "complaint_handling"): Visibility.FULL,
    ("compliance_officer", "regulator_request"): Visibility.FULL,
    ("admin", "data_subject_request"): Visibility.FULL,
    ("support_agent", "customer_service"): Visibility.MASKED,
    ("marketer", "campaign_review"): Visibility.MASKED,
}

MASKERS: Mapping[str, Callable[[str], str]] = {
    "phone": mask_phone,
    "name": mask_name,
    "id_number": mask_id_number,
}


@dataclass(frozen=True)
class Reveal:
    """A request to read one protected field of one record, and why."""

    actor: str
    roles: frozenset[str]
    purpose: str
    tenant: str
    record_id: str
    field: str = "phone"


@dataclass(frozen=True)
class AuditEvent:
    """One reveal decision: who, which record and field, what purpose, outcome, when."""

    actor: str
    roles: tuple[str, ...]
    purpose: str
    tenant: str
    record_id: str
    field: str
    outcome: str  # "full", "masked" or "denied"
    at: datetime


class AuditSink(Protocol):
    """Where audit events go (a database table, an append-only log…); must raise on failure."""

    def record(self, event: AuditEvent) -> None:
        """Persist the event durably before returning."""
        ...


@dataclass
class MemoryAuditSink:
    """Keeps events in a list; for tests and single-process tools."""

    events: list[AuditEvent] = field(default_factory=list)

    def record(self, event: AuditEvent) -> None:
        """Append the event."""
        self.events.append(event)


def decide(policy: Policy, roles: frozenset[str], purpose: str) -> Visibility | None:
    """The widest visibility any of the roles has for the purpose; None means denied."""
    granted = {policy.get((role, purpose)) for role in roles}
    if Visibility.FULL in granted:
        return Visibility.FULL
    return Visibility.MASKED if Visibility.MASKED in granted else None


class Revealer:
    """Decrypts protected fields for callers the policy allows, auditing every decision."""

    def __init__(
        self,
        ring: DataKeyRing,
        audit: AuditSink,
        policy: Policy = DEFAULT_POLICY,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._ring = ring
        self._audit = audit
        self._policy = policy
        self._clock = clock

    def reveal(self, request: Reveal, ciphertext: bytes) -> str:
        """The field in full or masked as the policy allows; AccessDenied otherwise."""
        masker = MASKERS.get(request.field)
        if masker is None:
            raise InputError(f"field {request.field!r} is not a protected field")
        visibility = decide(self._policy, request.roles, request.purpose)
        self._write(request, visibility.value if visibility else "denied")
        if visibility is None:
            raise AccessDenied(
                f"{request.actor} may not read {request.field} for purpose {request.purpose!r}"
            )
        clear = self._ring.decrypt_field(
            ciphertext, tenant=request.tenant, field=request.field, record_id=request.record_id
        )
        return clear if visibility is Visibility.FULL else masker(clear)

    def reveal_phone(self, request: Reveal, ciphertext: bytes) -> str:
        """:meth:`reveal` for the ``phone`` field, whatever field the request named."""
        if request.field != "phone":
            raise InputError(f"reveal_phone was asked for field {request.field!r}")
        return self.reveal(request, ciphertext)

    def _write(self, request: Reveal, outcome: str) -> None:
        """Audit the decision; any failure stops the reveal (nothing unrecorded is shown)."""
        event = AuditEvent(
            actor=request.actor,
            roles=tuple(sorted(request.roles)),
            purpose=request.purpose,
            tenant=request.tenant,
            record_id=request.record_id,
            field=request.field,
            outcome=outcome,
            at=self._clock(),
        )
        try:
            self._audit.record(event)
        except Exception as exc:
            raise CryptoError("audit write failed; nothing was revealed") from exc
