"""Why one customer is in or out of one campaign's audience (``smsguard audience explain``).

The answer is computed by the same compiled SQL as the selection, restricted to one customer,
so an explanation can never disagree with what selection does. It lists each condition of the
definition (met or not, with the customer's value), each mandatory exclusion (applies or not,
with the value that decides it) and whether the customer is in the list frozen at approval,
which is what the gateway sends to. It never shows a phone number, a name or an ID number:
only the targeting attributes (credit band, debt ratio, age from the birth year …).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from smsguard.errors import NotFound
from smsguard.store.models import Consent, Customer
from smsguard.store.targeting_models import CampaignAudience, CustomerProfile
from smsguard.store.workflow_models import Campaign
from smsguard.targeting.compiler import Frame, base_query, compile_leaf, definition_filter
from smsguard.targeting.compiler import youngest_age as _youngest_age
from smsguard.targeting.exclusions import EXCLUSIONS, predicates
from smsguard.targeting.explain_text import WORDS, Lang, describe, pick
from smsguard.targeting.language import leaves as _leaves
from smsguard.targeting.language import parse_audience
from smsguard.targeting.policy import ExclusionPolicy
from smsguard.targeting.selection import frame_for


@dataclass(frozen=True)
class Check:
    """One condition or exclusion for one customer: whether it holds, and the value."""

    key: str
    holds: bool
    value: str
    zh: str
    en: str


@dataclass(frozen=True)
class Explanation:
    """Everything that decides whether one customer is in one campaign's audience."""

    campaign_id: int
    customer_id: int
    at: datetime
    conditions: tuple[Check, ...]
    matches_definition: bool
    exclusions: tuple[Check, ...]
    frozen_member: bool | None  # None while the audience is not frozen
    segment: str | None = None
    ranked: bool = False  # the definition ranks by propensity (limit / minimum probability)

    @property
    def excluded(self) -> bool:
        return any(check.holds for check in self.exclusions)

    @property
    def included(self) -> bool:
        """The frozen list decides once there is one; before, the definition and exclusions."""
        if self.frozen_member is not None:
            return self.frozen_member
        return self.matches_definition and not self.excluded

    def lines(self, lang: Lang = "zh") -> list[str]:
        """The explanation as text lines in one language."""
        verdict = pick(WORDS["verdict_in" if self.included else "verdict_out"], lang)
        out = [f"campaign {self.campaign_id} · customer {self.customer_id}: {verdict}"]
        if self.frozen_member is None:
            out.append(f"  {pick(WORDS['not_frozen'], lang)}")
        else:
            member = pick(WORDS["in" if self.frozen_member else "out"], lang)
            out.append(f"  {member}" + (f" (segment {self.segment})" if self.segment else ""))
        out.append(f"  {pick(WORDS['evaluated'], lang)} {self.at.isoformat()}")
        met = pick(WORDS["met" if self.matches_definition else "not_met"], lang)
        out.append(f"{pick(WORDS['definition'], lang)}: {met}")
        out += [_line(c, "met", "not_met", lang) for c in self.conditions]
        out.append(f"{pick(WORDS['exclusions'], lang)}:")
        out += [_line(c, "hit", "clear", lang) for c in self.exclusions]
        if self.ranked and self.matches_definition and not self.excluded and not self.included:
            out.append(pick(WORDS["ranked_out"], lang))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "campaign_id": self.campaign_id,
            "customer_id": self.customer_id,
            "at": self.at.isoformat(),
            "included": self.included,
            "frozen_member": self.frozen_member,
            "segment": self.segment,
            "matches_definition": self.matches_definition,
            "ranked": self.ranked,
            "conditions": [c.__dict__ for c in self.conditions],
            "exclusions": [c.__dict__ for c in self.exclusions],
        }


def _line(check: Check, yes: str, no: str, lang: Lang) -> str:
    state = pick(WORDS[yes if check.holds else no], lang)
    text = check.zh if lang == "zh" else check.en
    return f"  [{state}] {check.key}: {text} — {check.value}"


def explain(session: Session, campaign: Campaign, customer_id: int, policy: ExclusionPolicy,
            now: datetime) -> Explanation:  # fmt: skip
    """Why ``customer_id`` is in or out of ``campaign``'s audience.

    Conditions and exclusions are evaluated on today's data as of the freeze instant (or
    ``now`` before approval), so they show why the selection came out as it did unless the
    customer's data changed since; the frozen list itself is the final word.
    """
    at = campaign.audience_frozen_at or now
    frame = frame_for(session, policy, at if at.tzinfo else at.replace(tzinfo=UTC))
    definition = parse_audience(campaign.audience)
    paths = _leaves(definition.where) if definition.where is not None else []
    tests = predicates(frame, policy)
    row = _row(session, frame, customer_id, definition_filter(definition, frame),
               [compile_leaf(leaf, frame) for _, leaf in paths], tests)  # fmt: skip
    values = _values(row, frame, session, customer_id)
    conditions = tuple(
        _condition(path, bool(row[f"leaf{i}"]), values[_attribute(path)], describe(leaf))
        for i, (path, leaf) in enumerate(paths)
    )
    exclusions = tuple(
        Check(e.id, bool(row[e.id]), values[e.id], *e.explanation(policy)) for e in EXCLUSIONS
    )
    member, segment = _membership(session, campaign, customer_id)
    return Explanation(campaign.id, customer_id, frame.now, conditions, bool(row["definition"]),
                       exclusions, member, segment, definition.rank is not None)  # fmt: skip


def _row(session: Session, frame: Frame, customer_id: int, wanted: Any, leaf_tests: list[Any],
         tests: dict[str, Any]) -> Any:  # fmt: skip
    columns = [wanted.label("definition")]
    columns += [test.label(f"leaf{i}") for i, test in enumerate(leaf_tests)]
    columns += [test.label(name) for name, test in tests.items()]
    columns += [
        CustomerProfile.id.label("profile_id"), CustomerProfile.credit_band,
        CustomerProfile.debt_ratio, CustomerProfile.income_band, CustomerProfile.product_interest,
        CustomerProfile.region, CustomerProfile.last_active_at, CustomerProfile.in_arrears,
        CustomerProfile.declined_at, Customer.birth_year, Customer.is_student,
    ]  # fmt: skip
    query = base_query(frame).with_only_columns(*columns).where(Customer.id == customer_id)
    found = session.execute(query).first()
    if found is None:
        raise NotFound(f"no customer {customer_id} in this institution")
    return found._mapping


def _condition(path: str, raw: bool, value: str, text: tuple[str, str]) -> Check:
    """A leaf under an odd number of ``not`` holds when its test is false; say so."""
    negated = path.split(".").count("not") % 2 == 1
    if negated:
        text = f"不是：{text[0]}", f"not: {text[1]}"
    return Check(path, raw != negated, value, *text)


def _attribute(path: str) -> str:
    return path.rsplit(".", 1)[-1]


def _days_ago(frame: Frame, when: datetime | None) -> str:
    if when is None:
        return "never"
    aware = when if when.tzinfo is not None else when.replace(tzinfo=frame.now.tzinfo)
    return f"{(frame.now - aware).days} days ago"


def _values(row: Any, frame: Frame, session: Session, customer_id: int) -> dict[str, str]:
    """The customer's value behind each condition and exclusion (never identity data)."""
    none = "no profile" if row["profile_id"] is None else None
    age = "birth year unknown"
    if row["birth_year"] is not None:
        age = f"age {_youngest_age(int(row['birth_year']), frame.day)}"
    ratio = none or f"{float(row['debt_ratio']):.2f}"
    return {
        "credit_band": none or str(row["credit_band"]),
        "income_band": none or str(row["income_band"]),
        "product_interest": none or str(row["product_interest"] or "none"),
        "region": none or str(row["region"]),
        "debt_ratio": ratio,
        "age": age,
        "active_within_days": none or f"last active {_days_ago(frame, row['last_active_at'])}",
        "no_consent": _consent(session, frame, customer_id),
        "consent_withdrawn": _consent(session, frame, customer_id),
        "student": "student" if row["is_student"] else "not a student",
        "minor": age,
        "no_profile": "profile on record" if none is None else "no profile",
        "in_arrears": none or ("in arrears" if row["in_arrears"] else "not in arrears"),
        "over_indebted": ratio,
        "recent_complaint": "complaint on record" if row["recent_complaint"] else "none recent",
        "recently_declined": none or f"declined {_days_ago(frame, row['declined_at'])}",
        "do_not_contact": "listed" if row["do_not_contact"] else "not listed",
    }


def _consent(session: Session, frame: Frame, customer_id: int) -> str:
    """The latest loan-marketing consent decision, as the exclusions read it."""
    rows = and_(Consent.customer_id == customer_id, Consent.purpose == "loan_marketing",
                Consent.recorded_at <= frame.now)  # fmt: skip
    latest = session.scalar(select(func.max(Consent.recorded_at)).where(rows))
    if latest is None:
        return "no consent on record"
    found = session.execute(
        select(Consent.status, Consent.evidence).where(rows, Consent.recorded_at == latest)
    ).all()
    statuses = sorted({s if (e or "").strip() or s != "granted" else "granted without evidence"
                       for s, e in found})  # fmt: skip
    return f"latest: {', '.join(statuses)}"


def _membership(session: Session, campaign: Campaign,
                customer_id: int) -> tuple[bool | None, str | None]:  # fmt: skip
    if campaign.audience_frozen_at is None:
        return None, None
    found = session.execute(
        select(CampaignAudience.segment).where(
            CampaignAudience.campaign_id == campaign.id, CampaignAudience.customer_id == customer_id
        )
    ).first()
    return (found is not None), (found[0] if found is not None else None)
