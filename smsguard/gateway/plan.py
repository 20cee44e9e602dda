"""Pure planning of one campaign message per recipient: render, re-screen, consent, timing.

Nothing here reads a database, a key or a clock; :mod:`smsguard.gateway.enqueue` loads the
facts and stores the plans. For each recipient the answer is one :class:`Plan`: queue the
rendered text at ``not_before``, or refuse it with a reason an auditor can read. Nothing is
dropped silently.

A variable must not change what was approved. The approved version was screened with harmless
sample values; the rendered text is screened again and refused when it is judged worse (a
higher verdict, or any review/block rule the approved screening did not report), so a customer
name or an amount can never smuggle in a finding that the compliance officer did not see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from smsguard.consent.policy import LOAN_MARKETING, History, Recipient, Rules, schedule
from smsguard.errors import InputError
from smsguard.governance.variables import placeholders, render
from smsguard.screening.facts.segments import segment_info
from smsguard.screening.verdict import Verdict

_RANK = {"pass": 0, "review": 1, "block": 2}
NAME_VARIABLE = "name"
SERVICE = "service"


@dataclass(frozen=True)
class ApprovedText:
    """The wording a compliance officer approved, and what its screening reported."""

    version_id: int
    body: str
    verdict: str
    rules: frozenset[str]  # rules of severity review or block in the approved screening

    @classmethod
    def from_findings(
        cls, version_id: int, body: str, verdict: str, findings: Sequence[Mapping[str, Any]]
    ) -> ApprovedText:
        """Build from a stored template version (findings as their ``to_dict`` form)."""
        serious = frozenset(
            str(f["rule"]) for f in findings if f.get("severity") in ("review", "block")
        )
        return cls(version_id, body, verdict, serious)

    @property
    def needs_name(self) -> bool:
        """Whether rendering needs the recipient's name (a decryption the caller must audit)."""
        return NAME_VARIABLE in placeholders(self.body)


@dataclass(frozen=True)
class Candidate:
    """One recipient as the planner needs them; ``name`` only when the template uses it."""

    customer_id: int
    is_student: bool
    birth_year: int | None
    history: History
    name: str | None = None


@dataclass(frozen=True)
class Plan:
    """What to do with one recipient's message."""

    customer_id: int
    state: Literal["queued", "refused"]
    reason: str
    not_before: datetime
    text: str | None = None
    segments: int = 0


ScreenMany = Callable[[Sequence[str]], Iterable[Verdict]]


class RenderedTextCheck:
    """Screens rendered texts against the approval, once per distinct text, in batches.

    It also keeps each text's fraud score, so expansion can tell the monitor what screening
    saw (a burst of high scores is abuse even when every such text was refused).
    """

    def __init__(self, approved: ApprovedText, screen_many: ScreenMany) -> None:
        self._approved = approved
        self._screen_many = screen_many
        self._seen: dict[str, str | None] = {}
        self._scores: dict[str, float | None] = {}

    def prepare(self, texts: Iterable[str]) -> None:
        """Screen every text not seen yet in one batch (much faster than one at a time)."""
        fresh = list(dict.fromkeys(t for t in texts if t not in self._seen))
        for text, verdict in zip(fresh, self._screen_many(fresh), strict=True):
            self._seen[text] = self._judge(verdict)
            self._scores[text] = fraud_score(verdict)

    def score(self, text: str) -> float | None:
        """The fraud score of a text screened here (see :func:`fraud_score`)."""
        if text not in self._seen:
            self.prepare([text])
        return self._scores[text]

    def problem(self, text: str) -> str | None:
        """Why ``text`` may not go out under this approval, or None when it may."""
        if text not in self._seen:
            self.prepare([text])
        return self._seen[text]

    def _judge(self, verdict: Verdict) -> str | None:
        approved = self._approved
        new_rules = sorted(
            {f.rule for f in verdict.findings if f.severity != "info"} - approved.rules
        )
        if _RANK[verdict.verdict] > _RANK[approved.verdict] or new_rules:
            found = ", ".join(new_rules) or "none new"
            return (
                f"rendered text screens {verdict.verdict} (rules: {found}) but version "
                f"{approved.version_id} was approved as {approved.verdict}"
            )
        return None


def fraud_score(verdict: Verdict) -> float | None:
    """The model's fraud probability, or None without risk scoring. A fraud-signal finding
    (a known fraud template, a fraud rule) counts as 1.0: it is certain, not a probability,
    and it keeps the monitor's fraud detector working when risk scoring is off."""
    if verdict.fraud:
        return 1.0
    return None if verdict.risk is None else verdict.risk.probabilities.get("fraud")


def birth_date_upper_bound(birth_year: int | None) -> date | None:
    """The latest possible birthday in ``birth_year``: with only a year, assume the youngest
    age, so a customer who might be a minor is treated as one (fail closed)."""
    return None if birth_year is None else date(birth_year, 12, 31)


@dataclass(frozen=True)
class Rendered:
    """A recipient's text, or why it could not be rendered."""

    text: str | None
    error: str = ""


def render_for(candidate: Candidate, approved: ApprovedText, values: Mapping[str, str]) -> Rendered:
    """Fill the approved wording for this candidate (every value checked against its type)."""
    try:
        return Rendered(render(approved.body, _with_name(values, candidate, approved)))
    except InputError as exc:
        return Rendered(None, exc.message)


def plan_message(
    candidate: Candidate,
    rendered: Rendered,
    *,
    check: RenderedTextCheck,
    rules: Rules,
    institution: str,
    purpose: str,
    due: datetime,
) -> Plan:
    """The plan for one recipient of a message due at ``due``."""
    refused = _refusal(candidate, due)
    text = rendered.text
    if text is None:
        return refused(f"cannot render: {rendered.error}")
    problem = check.problem(text)
    if problem is not None:
        return refused(problem)
    segments = segment_info(text).parts
    if purpose != LOAN_MARKETING:
        return Plan(candidate.customer_id, "queued", f"{purpose} message", due, text, segments)
    recipient = Recipient(
        customer_id=str(candidate.customer_id),
        institution_id=institution,
        is_student=candidate.is_student,
        birth_date=birth_date_upper_bound(candidate.birth_year),
    )
    decision = schedule(due, recipient, candidate.history, rules)
    if decision.action == "refuse" or decision.send_at is None:
        return refused(decision.reason)
    return Plan(candidate.customer_id, "queued", decision.reason, decision.send_at, text, segments)


def _refusal(candidate: Candidate, due: datetime) -> Callable[[str], Plan]:
    def refused(reason: str) -> Plan:
        return Plan(candidate.customer_id, "refused", reason, due)

    return refused


def _with_name(
    values: Mapping[str, str], candidate: Candidate, approved: ApprovedText
) -> Mapping[str, str]:
    if not approved.needs_name:
        return values
    if candidate.name is None:
        raise InputError("the template needs {name} and the customer has no name on record")
    return {**values, NAME_VARIABLE: candidate.name}
