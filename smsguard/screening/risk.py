"""How the learned half of screening joins the rules: the port and the combination policy.

The rulebook catches what regulators wrote down; a trained model and a fingerprint index of
known fraud templates catch what fraudsters rewrote last week. Screening only knows them
through :class:`RiskAssessor` (built by the composition root from the shipped model and the
operator's index), so the engine stays pure and testable with any assessor.

The policy, in one place:

* the model says ``spam`` → a ``review`` finding (``MODEL_SPAM``): likely unsolicited
  commercial SMS, which needs the recipient's consent; a person decides. When the sender is
  identified (a sender profile was given), the finding is ``info`` instead: the institution
  is marketing its own products, and whether each recipient agreed is checked per
  recipient at sending time, not from the text;
* the model says ``fraud`` → a ``block`` finding (``MODEL_FRAUD``), flagged as a fraud signal;
* the text matches a known fraud template → a ``block`` finding (``FRAUD_TEMPLATE``) naming
  the template and the similarity, also a fraud signal;
* ``ham`` adds nothing: the model never makes a verdict milder than the rules made it.

The verdict stays the most severe finding, so rules and model combine by taking the worse.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from smsguard.screening.verdict import Finding, RiskAssessment

SPAM_BASIS = (
    "《通信短信息服务管理规定》(工业和信息化部令第31号): commercial SMS only with the "
    "recipient's consent or request"
)
FRAUD_BASIS = (
    "《反电信网络诈骗法》(2022) 第25条: information-release services must detect and stop "
    "fraud content"
)


class RiskAssessor(Protocol):
    """Scores SMS for spam and fraud. Implementations must be pure given their model."""

    def assess_many(self, texts: Sequence[str], *, explain: bool = True) -> list[RiskAssessment]:
        """One assessment per text, in order; ``explain=False`` may leave explanations empty
        (they cost as much as the score, and bulk tables do not show them)."""
        ...


def risk_findings(
    assessment: RiskAssessment, length: int, *, identified_sender: bool = False
) -> list[Finding]:
    """The findings the assessment adds to a verdict (see the module docstring)."""
    whole = (0, length)
    findings: list[Finding] = []
    if assessment.label == "fraud":
        findings.append(
            Finding(
                rule="MODEL_FRAUD",
                severity="block",
                category="model",
                span=whole,
                message="The fraud model scores this text as likely fraud.",
                basis=FRAUD_BASIS,
                fraud_signal=True,
                detail=_model_detail(assessment, "fraud"),
            )
        )
    elif assessment.label == "spam":
        findings.append(
            Finding(
                rule="MODEL_SPAM",
                severity="info" if identified_sender else "review",
                category="model",
                span=whole,
                message="The spam model scores this text as likely unsolicited marketing.",
                basis=SPAM_BASIS,
                detail=_model_detail(assessment, "spam"),
            )
        )
    if assessment.templates:
        best = assessment.templates[0]
        findings.append(
            Finding(
                rule="FRAUD_TEMPLATE",
                severity="block",
                category="fraud",
                span=whole,
                message="The text is a variant of a known fraud template.",
                basis=FRAUD_BASIS,
                fraud_signal=True,
                detail=f"template {best.template_id} ({best.category}), "
                f"similarity {best.similarity:.2f}",
            )
        )
    return findings


def _model_detail(assessment: RiskAssessment, label: str) -> str:
    probabilities = assessment.probabilities
    if label == "spam":  # the spam threshold applies to "anything but ham"
        probability = probabilities.get("spam", 0.0) + probabilities.get("fraud", 0.0)
        label = "spam or fraud"
    else:
        probability = probabilities.get(label, 0.0)
    drivers = ", ".join(feature for feature, _ in assessment.explanation[:3])
    detail = f"p({label}) = {probability:.2f}"
    return f"{detail}; driven by: {drivers}" if drivers else detail
