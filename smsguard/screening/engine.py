"""The screening engine: normalise, scan once, extract facts, evaluate rules, decide.

Evaluation is pure and deterministic: the same text, sender and context always give the
same verdict under the same rulebook version. It fails closed: a rulebook that does not
load raises, and an SMS whose purpose cannot be told is treated as marketing when it talks
about lending, so the strictest rules apply.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any

from smsguard.errors import InputError
from smsguard.screening.checks import CheckInput
from smsguard.screening.compile import CompiledRule, CompiledRulebook
from smsguard.screening.facts import Facts, extract_facts
from smsguard.screening.facts.urls import find_urls
from smsguard.screening.inputs import ensure_text, ensure_texts
from smsguard.screening.matcher import Hit
from smsguard.screening.normalize import normalize
from smsguard.screening.risk import RiskAssessor, risk_findings
from smsguard.screening.rulebook.schema import ALL_PURPOSES, Purpose
from smsguard.screening.sender import SenderDirectory, SenderProfile, builtin_directory
from smsguard.screening.shared_intel import IntelLookup, IntelQuery, intel_findings
from smsguard.screening.text import NormalizedText
from smsguard.screening.verdict import Finding, RiskAssessment, Verdict, decide, finding_order


@dataclass(frozen=True, slots=True)
class ScreeningContext:
    """What is known about an SMS besides its text."""

    purpose: Purpose | None = None
    sender_number: str | None = None

    @classmethod
    def coerce(cls, value: ScreeningContext | Mapping[str, Any] | None) -> ScreeningContext:
        if value is None:
            return _NO_CONTEXT
        if isinstance(value, ScreeningContext):
            return value
        unknown = sorted(set(value) - {"purpose", "sender_number"})
        if unknown:
            raise InputError(f"unknown context key(s): {', '.join(unknown)}")
        purpose = value.get("purpose")
        if purpose is not None and purpose not in ALL_PURPOSES:
            raise InputError(f"unknown purpose {purpose!r}; use one of {', '.join(ALL_PURPOSES)}")
        number = value.get("sender_number")
        return cls(purpose=purpose, sender_number=None if number is None else str(number))


_NO_CONTEXT = ScreeningContext()


class Screener:
    """Screens SMS against one compiled rulebook. Build it once; reuse it for every SMS.

    Not thread-safe (the matcher keeps scratch space): give each thread or process its own.
    """

    def __init__(
        self,
        compiled: CompiledRulebook,
        *,
        sender: SenderProfile | None = None,
        directory: SenderDirectory | None = None,
        max_text_length: int = 65_536,
        risk: RiskAssessor | None = None,
        intel: IntelLookup | None = None,
    ) -> None:
        self._compiled = compiled
        self._risk = risk
        self._intel = intel
        self._default_sender = sender
        self._directory = directory if directory is not None else builtin_directory()
        self.max_text_length = max_text_length
        self._fact_rules_cache: dict[tuple[str, bool], tuple[CompiledRule, ...]] = {}
        self.rulebook_version = compiled.rulebook.version

    @property
    def compiled(self) -> CompiledRulebook:
        return self._compiled

    def screen(
        self,
        text: str | bytes,
        *,
        sender: SenderProfile | None = None,
        context: ScreeningContext | Mapping[str, Any] | None = None,
    ) -> Verdict:
        """Screen one SMS."""
        clean = ensure_text(text, max_length=self.max_text_length)
        nt = normalize(clean)
        hits = self._compiled.matcher.scan(nt.text)
        ctx = ScreeningContext.coerce(context)
        verdict = self._evaluate(nt, hits, sender, ctx, facts=True)
        if self._risk is not None:
            assessment = self._risk.assess_many([clean])[0]
            verdict = with_risk(verdict, assessment, len(clean), self._identified(sender))
        if self._intel is not None:
            verdict = self._with_intel(self._intel, [nt], [verdict], ctx)[0]
        return verdict

    def screen_many(
        self,
        texts: Iterable[str | bytes],
        *,
        sender: SenderProfile | None = None,
        context: ScreeningContext | Mapping[str, Any] | None = None,
        facts: bool = True,
        explain: bool = True,
        batch_size: int = 1024,
    ) -> Iterator[Verdict]:
        """Screen many SMS lazily, scanning them in batches.

        ``facts=False`` is the fast keyword-only pass: it skips fact extraction and the rules
        that need facts (rates, links, signature …), for a first filter over bulk traffic.
        The risk model and fingerprints, when configured, score every batch in one call;
        ``explain=False`` skips the model's explanations, which cost as much as its score.
        """
        ctx = ScreeningContext.coerce(context)
        iterator = iter(texts)
        offset = 0
        while batch := list(islice(iterator, batch_size)):
            normalized = self._prepare(batch, offset)
            offset += len(batch)
            all_hits = self._compiled.matcher.scan_batch([nt.text for nt in normalized])
            verdicts = [
                self._evaluate(nt, hits, sender, ctx, facts=facts)
                for nt, hits in zip(normalized, all_hits, strict=True)
            ]
            if self._risk is not None:
                originals = [nt.original for nt in normalized]
                assessments = self._risk.assess_many(originals, explain=explain)
                identified = self._identified(sender)
                for i, (text, assessment) in enumerate(zip(originals, assessments, strict=True)):
                    verdicts[i] = with_risk(verdicts[i], assessment, len(text), identified)
            if self._intel is not None:
                verdicts = self._with_intel(self._intel, normalized, verdicts, ctx)
            yield from verdicts

    @staticmethod
    def _with_intel(
        intel: IntelLookup,
        normalized: Sequence[NormalizedText],
        verdicts: list[Verdict],
        ctx: ScreeningContext,
    ) -> list[Verdict]:
        """The verdicts with the findings of shared fraud indicators merged in."""
        queries = [
            IntelQuery(
                nt.original,
                verdict.facts.urls if verdict.facts is not None else find_urls(nt)[0],
                ctx.sender_number,
            )
            for nt, verdict in zip(normalized, verdicts, strict=True)
        ]
        out: list[Verdict] = []
        for nt, verdict, hits in zip(normalized, verdicts, intel.lookup_many(queries), strict=True):
            added = intel_findings(hits, len(nt.original)) if hits else []
            out.append(with_findings(verdict, added) if added else verdict)
        return out

    def _identified(self, sender: SenderProfile | None) -> bool:
        return (sender or self._default_sender) is not None

    def _prepare(self, batch: list[str | bytes], offset: int) -> list[NormalizedText]:
        texts = ensure_texts(batch, max_length=self.max_text_length, first_index=offset)
        return [normalize(text) for text in texts]

    def _evaluate(
        self,
        nt: NormalizedText,
        hits: Sequence[Hit],
        sender: SenderProfile | None,
        ctx: ScreeningContext,
        *,
        facts: bool,
    ) -> Verdict:
        if not hits and not facts:  # the fast pass over a message nothing matched
            return Verdict("pass", (), None, ctx.purpose or "other", False, self.rulebook_version)
        slot_of = self._compiled.slot_of
        first: dict[int, Hit] = {}
        for hit in hits:  # sorted by start: the first hit of a slot is its leftmost
            for slot in slot_of[hit.pattern_id]:
                first.setdefault(slot, hit)
        extracted = extract_facts(nt) if facts else None
        loan = self._loan_related(first, extracted)
        purpose = ctx.purpose or self._infer_purpose(first, loan)
        check_input = None
        if extracted is not None:
            check_input = CheckInput(
                text=nt.original,
                facts=extracted,
                purpose=purpose,
                sender=sender or self._default_sender,
                sender_number=ctx.sender_number,
                directory=self._directory,
                rates=self._compiled.rates,
            )
        findings = [
            finding
            for rule in self._candidates(first, purpose, loan, with_facts=facts)
            if (finding := _apply(rule, first, nt, check_input)) is not None
        ]
        findings.sort(key=finding_order)
        ordered = tuple(findings)
        return Verdict(decide(ordered), ordered, extracted, purpose, loan, self.rulebook_version)

    def _candidates(
        self, first: Mapping[int, Hit], purpose: str, loan: bool, *, with_facts: bool
    ) -> Iterator[CompiledRule]:
        """Rules worth evaluating: those whose first group hit, and the fact checks."""
        by_slot = self._compiled.rules_by_slot
        for slot in first:
            for rule in by_slot.get(slot, ()):
                if rule.applies(purpose, loan) and (with_facts or not rule.needs_facts):
                    yield rule
        if with_facts:
            yield from self._fact_rules(purpose, loan)

    def _fact_rules(self, purpose: str, loan: bool) -> tuple[CompiledRule, ...]:
        key = (purpose, loan)
        rules = self._fact_rules_cache.get(key)
        if rules is None:
            always = self._compiled.always_evaluated
            rules = tuple(rule for rule in always if rule.applies(purpose, loan))
            self._fact_rules_cache[key] = rules
        return rules

    def _loan_related(self, first: Mapping[int, Hit], facts: Facts | None) -> bool:
        if self._compiled.signal_slots["loan"] in first:
            return True
        return facts is not None and bool(facts.rates)

    def _infer_purpose(self, first: Mapping[int, Hit], loan: bool) -> Purpose:
        slots = self._compiled.signal_slots
        if slots["verification"] in first and slots["marketing"] not in first:
            return "verification"
        if slots["marketing"] in first:
            return "marketing"
        if slots["collection"] in first:
            return "collection"
        if slots["service"] in first:
            return "service"
        return "marketing" if loan else "other"


def with_risk(
    verdict: Verdict, assessment: RiskAssessment, length: int, identified_sender: bool
) -> Verdict:
    """The verdict with the risk assessment attached and its findings merged in."""
    added = risk_findings(assessment, length, identified_sender=identified_sender)
    return with_findings(replace(verdict, risk=assessment), added)


def with_findings(verdict: Verdict, added: Sequence[Finding]) -> Verdict:
    """The verdict with more findings merged in (it only ever gets stricter)."""
    ordered = tuple(sorted((*verdict.findings, *added), key=finding_order))
    return Verdict(
        decide(ordered),
        ordered,
        verdict.facts,
        verdict.purpose,
        verdict.loan_related,
        verdict.rulebook,
        verdict.risk,
    )


def _apply(
    rule: CompiledRule,
    first: Mapping[int, Hit],
    nt: NormalizedText,
    check_input: CheckInput | None,
) -> Finding | None:
    span: tuple[int, int] | None = None
    for slot in rule.slots:
        hit = first.get(slot)
        if hit is None:
            return None
        if span is None:
            span = nt.to_original(hit.start, hit.end)
    detail = None
    if rule.check is not None:
        assert check_input is not None
        result = rule.check.fn(check_input, rule.check.params)
        if result is None:
            return None
        span = span or result.span
        detail = result.detail
    if rule.unless_slot is not None and rule.unless_slot in first:
        return None
    if rule.unless_check is not None:
        assert check_input is not None
        if rule.unless_check.fn(check_input, rule.unless_check.params) is not None:
            return None
    spec = rule.spec
    return Finding(
        rule=spec.id,
        severity=spec.severity,
        category=spec.category,
        span=span or (0, len(nt.original)),
        message=spec.message,
        basis=rule.basis,
        fraud_signal=spec.fraud_signal,
        detail=detail,
    )
