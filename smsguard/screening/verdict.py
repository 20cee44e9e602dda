"""What screening concludes: findings, each with a span, a reason and a legal basis.

``pass`` means the content may be sent; ``review`` means a person must decide; ``block``
means it must not be sent (a violation or fraud). The verdict is the most severe finding's
severity; ``info`` findings are notes that never change it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from smsguard.screening.facts import Facts

VerdictName = Literal["pass", "review", "block"]
_RANK = {"info": 0, "review": 1, "block": 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule that fired, where, and why it matters."""

    rule: str
    severity: Literal["block", "review", "info"]
    category: str
    span: tuple[int, int]
    message: str
    basis: str
    fraud_signal: bool = False
    detail: str | None = None

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "rule": self.rule,
            "severity": self.severity,
            "category": self.category,
            "span": [self.span[0], self.span[1]],
            "message": self.message,
            "basis": self.basis,
            "fraud_signal": self.fraud_signal,
        }
        if self.detail:
            data["detail"] = self.detail
        return data


@dataclass(frozen=True, slots=True)
class TemplateHit:
    """A known fraud template this SMS resembles."""

    template_id: str
    similarity: float
    category: str

    def to_dict(self) -> dict[str, object]:
        return {
            "template_id": self.template_id,
            "similarity": round(self.similarity, 4),
            "category": self.category,
        }


@dataclass(frozen=True, slots=True)
class RiskAssessment:
    """What the learned half of screening says: the model's label and probabilities, the
    features that drove them, and the known fraud templates the text resembles."""

    label: Literal["ham", "spam", "fraud"]
    probabilities: Mapping[str, float]
    explanation: tuple[tuple[str, float], ...]
    templates: tuple[TemplateHit, ...]
    model: str

    def to_dict(self) -> dict[str, object]:
        return {
            "label": self.label,
            "probabilities": {k: round(v, 4) for k, v in self.probabilities.items()},
            "explanation": [
                {"feature": feature, "weight": round(weight, 4)}
                for feature, weight in self.explanation
            ],
            "templates": [hit.to_dict() for hit in self.templates],
            "model": self.model,
        }


@dataclass(slots=True)
class Verdict:
    """The outcome of screening one SMS. Treat it as immutable (not frozen only because
    frozen dataclasses are slow to build, and one is built per screened SMS)."""

    verdict: VerdictName
    findings: tuple[Finding, ...]
    facts: Facts | None
    purpose: str
    loan_related: bool
    rulebook: str
    risk: RiskAssessment | None = None

    @property
    def fraud(self) -> bool:
        return any(f.fraud_signal for f in self.findings)

    def to_dict(self) -> dict[str, object]:
        return {
            "verdict": self.verdict,
            "fraud": self.fraud,
            "purpose": self.purpose,
            "loan_related": self.loan_related,
            "findings": [f.to_dict() for f in self.findings],
            "facts": self.facts.to_dict() if self.facts is not None else {},
            "rulebook": self.rulebook,
            "risk": self.risk.to_dict() if self.risk is not None else None,
        }


def decide(findings: tuple[Finding, ...]) -> VerdictName:
    """The verdict named by the most severe finding."""
    worst = max((_RANK[f.severity] for f in findings), default=0)
    return "block" if worst == 2 else "review" if worst == 1 else "pass"


def finding_order(finding: Finding) -> tuple[int, int, str]:
    """Most severe first, then by position in the text, then by rule id."""
    return (-_RANK[finding.severity], finding.span[0], finding.rule)
