"""Automatic actions as a record: what was done, to whom, why, and who undid it.

The monitor recommends; the wiring applies (pauses the campaign, revokes the decrypt right)
and records it here. :class:`ActionLog` is a pure state machine over immutable records so
the lead can persist it as rows or JSON: ``apply`` adds an action (once per subject and
action while it is in force), ``reverse`` ends it. Only an admin or a compliance officer may
reverse (the role names of ``smsguard.governance.roles``), never the person whose decrypt
right was suspended, and always with a reason: an automatic action is cheap to take and must
be cheap to undo, but not by the person it protects against.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from smsguard.errors import InputError, NotFound, PermissionDenied
from smsguard.monitor.alerts import Action, Alert, Subject

# Role values of smsguard.governance.roles.Role allowed to reverse (kept as strings so the
# pure monitor does not import the storage layer that roles.py depends on).
REVERSE_ROLES = frozenset({"admin", "compliance_officer"})
SYSTEM = "monitor"


@dataclass(frozen=True)
class ActionRecord:
    """One applied action; ``reversed_by``/``reversed_at`` are set once it is undone."""

    id: int
    action: Action
    subject: Subject
    reason: str
    at: datetime
    alert: Alert | None = None
    applied_by: str = SYSTEM
    reversed_by: str | None = None
    reversed_at: datetime | None = None
    reversal_reason: str | None = None

    @property
    def in_force(self) -> bool:
        """Whether the action still holds."""
        return self.reversed_at is None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for storage."""
        s = self.subject
        return {
            "id": self.id,
            "action": self.action.value,
            "subject": {"kind": s.kind, "id": s.id, "institution": s.institution},
            "reason": self.reason,
            "at": self.at.isoformat(),
            "alert": None if self.alert is None else self.alert.to_dict(),
            "applied_by": self.applied_by,
            "reversed_by": self.reversed_by,
            "reversed_at": None if self.reversed_at is None else self.reversed_at.isoformat(),
            "reversal_reason": self.reversal_reason,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ActionRecord:
        """Inverse of :meth:`to_dict`."""
        s, alert, back = data["subject"], data.get("alert"), data.get("reversed_at")
        return cls(
            id=int(data["id"]),
            action=Action(data["action"]),
            subject=Subject(s["kind"], str(s["id"]), str(s["institution"])),
            reason=str(data["reason"]),
            at=datetime.fromisoformat(data["at"]),
            alert=None if alert is None else Alert.from_dict(alert),
            applied_by=str(data.get("applied_by", SYSTEM)),
            reversed_by=data.get("reversed_by"),
            reversed_at=None if back is None else datetime.fromisoformat(back),
            reversal_reason=data.get("reversal_reason"),
        )


@dataclass(frozen=True)
class ActionLog:
    """All actions ever applied, oldest first; every method returns a new log."""

    records: tuple[ActionRecord, ...] = ()

    def in_force(self, subject: Subject, action: Action) -> ActionRecord | None:
        """The record holding ``action`` on ``subject`` now, if any."""
        for record in reversed(self.records):
            if record.subject == subject and record.action is action and record.in_force:
                return record
        return None

    def apply_alert(self, alert: Alert) -> tuple[ActionLog, ActionRecord | None]:
        """Apply an ``act`` alert's action; ``None`` when there is nothing new to do."""
        if alert.severity != "act" or alert.action is Action.NONE:
            return self, None
        return self.apply(alert.action, alert.subject, alert.explanation, alert.at, alert=alert)

    def apply(
        self,
        action: Action,
        subject: Subject,
        reason: str,
        at: datetime,
        *,
        alert: Alert | None = None,
        by: str = SYSTEM,
    ) -> tuple[ActionLog, ActionRecord | None]:
        """Add ``action`` on ``subject``; a second one while the first holds adds nothing."""
        if action is Action.NONE:
            raise InputError("'none' is not an action to apply")
        if not reason.strip():
            raise InputError("an action needs a reason")
        if self.in_force(subject, action) is not None:
            return self, None
        record = ActionRecord(len(self.records) + 1, action, subject, reason, at, alert, by)
        return ActionLog((*self.records, record)), record

    def reverse(
        self, record_id: int, *, by: str, roles: Iterable[str], reason: str, at: datetime
    ) -> tuple[ActionLog, ActionRecord]:
        """Undo an action in force; only an authorised person, with a reason."""
        record = self._find(record_id)
        held = set(roles)
        if not held & REVERSE_ROLES:
            needed = " or ".join(sorted(REVERSE_ROLES))
            raise PermissionDenied(
                f"user {by!r} may not reverse action {record_id}; needs {needed}"
            )
        if record.action is Action.SUSPEND_DECRYPT and record.subject.id == by:
            raise PermissionDenied(f"user {by!r} may not lift the suspension of their own rights")
        if not record.in_force:
            raise InputError(f"action {record_id} was already reversed by {record.reversed_by}")
        if not reason.strip():
            raise InputError("reversing an action needs a reason")
        undone = replace(record, reversed_by=by, reversed_at=at, reversal_reason=reason)
        records = tuple(undone if r.id == record_id else r for r in self.records)
        return ActionLog(records), undone

    def _find(self, record_id: int) -> ActionRecord:
        for record in self.records:
            if record.id == record_id:
                return record
        raise NotFound(f"no action with id {record_id}")

    def to_list(self) -> list[dict[str, Any]]:
        """Every record, JSON-ready."""
        return [r.to_dict() for r in self.records]

    @classmethod
    def from_list(cls, rows: Iterable[dict[str, Any]]) -> ActionLog:
        """Inverse of :meth:`to_list`."""
        try:
            return cls(tuple(ActionRecord.from_dict(row) for row in rows))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"action log is malformed: {exc!r}") from exc
