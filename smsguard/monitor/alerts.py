"""What a detector says: an :class:`Alert` that explains itself, and the action it recommends.

An alert is read by people (a compliance officer at 3 a.m.) and by code (the wiring that
pauses a campaign), so it carries both: ``explanation`` is one sentence with the numbers that
triggered it, ``numbers`` holds the same numbers as data. Severity ``warn`` informs; ``act``
means the recommended ``action`` should be applied automatically.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

Severity = Literal["warn", "act"]
SEVERITY_RANK: dict[str, int] = {"warn": 1, "act": 2}


class Action(StrEnum):
    """The automatic actions the issue allows; each is reversible by an authorised person."""

    PAUSE_CAMPAIGN = "pause_campaign"
    SUSPEND_DECRYPT = "suspend_decrypt"
    REQUIRE_REAPPROVAL = "require_reapproval"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Subject:
    """Who or what an alert is about: a campaign, template, user or institution by id."""

    kind: Literal["campaign", "template", "user", "institution"]
    id: str
    institution: str

    def label(self) -> str:
        """``campaign 17`` — how explanations name the subject."""
        return f"{self.kind} {self.id}"


@dataclass(frozen=True, slots=True)
class Alert:
    """One finding of one detector about one subject at one instant."""

    detector: str
    severity: Severity
    subject: Subject
    explanation: str
    action: Action
    at: datetime
    numbers: dict[str, float | int | str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form for webhooks, the audit trail and the action log."""
        return {
            "detector": self.detector,
            "severity": self.severity,
            "subject": {
                "kind": self.subject.kind,
                "id": self.subject.id,
                "institution": self.subject.institution,
            },
            "explanation": self.explanation,
            "action": self.action.value,
            "at": self.at.isoformat(),
            "numbers": dict(self.numbers),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Alert:
        """Inverse of :meth:`to_dict` (for a persisted action log)."""
        subject = data["subject"]
        return cls(
            detector=str(data["detector"]),
            severity="act" if data["severity"] == "act" else "warn",
            subject=Subject(subject["kind"], str(subject["id"]), str(subject["institution"])),
            explanation=str(data["explanation"]),
            action=Action(data["action"]),
            at=datetime.fromisoformat(data["at"]),
            numbers=dict(data.get("numbers", {})),
        )


def pct(value: float) -> str:
    """A rate for people: ``3.1%``; below 1% one more decimal (``0.25%``)."""
    digits = 2 if value < 0.01 else 1
    return f"{value * 100:.{digits}f}%"


def num(value: int) -> str:
    """A count for people, with thousands separators: ``1,000``."""
    return f"{value:,}"
