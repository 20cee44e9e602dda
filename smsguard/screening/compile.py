"""Compiling a rulebook once into one multi-pattern matcher plus evaluation records.

Each term group of each rule (``match``, every ``all`` group, ``unless``) and each purpose
signal gets a slot; each of its evasion-expanded terms and raw regexes becomes one pattern,
so a single scan of the normalised text tells which groups hit and where. ``slot_of`` maps
each pattern id to the slots of the groups that use it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from smsguard.errors import RulebookError
from smsguard.screening.checks import CHECKS, Check
from smsguard.screening.matcher import Backend, Matcher, PatternSpec, compile_matcher
from smsguard.screening.normalize import normalize
from smsguard.screening.rulebook.loader import Rulebook
from smsguard.screening.rulebook.schema import CheckRef, RateParameters, RuleSpec, TermGroup
from smsguard.screening.variants import expand_term

SIGNAL_NAMES = ("loan", "marketing", "service", "collection", "verification")
MatcherBuilder = Callable[[Sequence[PatternSpec], Backend], Matcher]


@dataclass(frozen=True, slots=True)
class BoundCheck:
    fn: Check
    params: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule ready to evaluate: its slots in the matcher and its bound checks."""

    spec: RuleSpec
    match_slot: int | None
    all_slots: tuple[int, ...]
    unless_slot: int | None
    check: BoundCheck | None
    unless_check: BoundCheck | None
    purposes: frozenset[str]
    basis: str

    slots: tuple[int, ...]
    needs_facts: bool

    def applies(self, purpose: str, loan: bool) -> bool:
        return purpose in self.purposes and (loan or not self.spec.loan_only)


@dataclass(frozen=True, slots=True)
class CompiledRulebook:
    rulebook: Rulebook
    rules: tuple[CompiledRule, ...]
    signal_slots: Mapping[str, int]
    matcher: Matcher
    matcher_specs: tuple[PatternSpec, ...]
    slot_of: tuple[tuple[int, ...], ...]
    rates: RateParameters
    rules_by_slot: Mapping[int, tuple[CompiledRule, ...]]
    always_evaluated: tuple[CompiledRule, ...]


class _SlotAllocator:
    """Gives each term group a slot; each distinct term or regex becomes one pattern.

    One pattern per term (not one alternation per group) keeps every pattern within
    Hyperscan's size limit; a regex used by several groups is scanned once and reported to
    each of its slots.
    """

    def __init__(self) -> None:
        self.specs: list[PatternSpec] = []
        self._slots_of: list[list[int]] = []
        self._by_regex: dict[str, int] = {}
        self.slots = 0

    def add(self, group: TermGroup, *, rule_id: str, field: str) -> int:
        try:
            pieces = [_literal(t) if group.literal else expand_term(t) for t in group.terms]
        except ValueError as exc:
            raise RulebookError(str(exc), rule_id=rule_id, field=f"{field}.terms") from exc
        pieces.extend(group.patterns)
        slot = self.slots
        self.slots += 1
        for regex in dict.fromkeys(pieces):
            pattern_id = self._by_regex.get(regex)
            if pattern_id is None:
                pattern_id = self._by_regex[regex] = len(self.specs)
                self.specs.append(PatternSpec(id=pattern_id, regex=regex))
                self._slots_of.append([])
            self._slots_of[pattern_id].append(slot)
        return slot

    @property
    def slot_of(self) -> tuple[tuple[int, ...], ...]:
        return tuple(tuple(slots) for slots in self._slots_of)


def _literal(term: str) -> str:
    """An exact term, normalised like the text it is matched against."""
    return re.escape(normalize(term).text)


def _compile_matcher(specs: Sequence[PatternSpec], backend: Backend) -> Matcher:
    return compile_matcher(specs, backend=backend)


def compile_rulebook(
    rulebook: Rulebook,
    *,
    rates: RateParameters | None = None,
    backend: Backend = "auto",
    build_matcher: MatcherBuilder = _compile_matcher,
) -> CompiledRulebook:
    """Turn a validated rulebook into one matcher plus evaluation records.

    ``build_matcher`` lets the composition root put a cache in front of compilation.
    """
    slots = _SlotAllocator()
    signal_slots = {
        name: slots.add(getattr(rulebook.signals, name), rule_id="signals", field=name)
        for name in SIGNAL_NAMES
    }
    rules = tuple(_compile_rule(rule, slots) for rule in rulebook.rules)
    try:
        matcher = build_matcher(slots.specs, backend)
    except RulebookError as exc:
        raise RulebookError(f"pattern does not compile: {exc.message}") from exc
    by_slot: dict[int, list[CompiledRule]] = {}
    for rule in rules:
        for slot in rule.slots[:1]:
            by_slot.setdefault(slot, []).append(rule)
    always = tuple(rule for rule in rules if not rule.slots)
    return CompiledRulebook(
        rulebook=rulebook,
        rules=rules,
        signal_slots=signal_slots,
        matcher=matcher,
        matcher_specs=tuple(slots.specs),
        slot_of=slots.slot_of,
        rates=rates or rulebook.header.parameters.rates,
        rules_by_slot={slot: tuple(group) for slot, group in by_slot.items()},
        always_evaluated=always,
    )


def _compile_rule(rule: RuleSpec, slots: _SlotAllocator) -> CompiledRule:
    match = rule.match
    match_slot = None if match.empty else slots.add(match, rule_id=rule.id, field="match")
    all_slots = tuple(
        slots.add(group, rule_id=rule.id, field=f"match.all.{i}")
        for i, group in enumerate(match.all)
    )
    unless = rule.unless
    unless_slot = None
    if unless is not None and not unless.empty:
        unless_slot = slots.add(unless, rule_id=rule.id, field="unless")
    check = _bind(match.check, rule.id, "match.check")
    unless_check = _bind(unless.check if unless else None, rule.id, "unless.check")
    return CompiledRule(
        spec=rule,
        match_slot=match_slot,
        all_slots=all_slots,
        unless_slot=unless_slot,
        check=check,
        unless_check=unless_check,
        purposes=frozenset(rule.purposes),
        basis="; ".join(b.render() for b in rule.basis),
        slots=((match_slot,) if match_slot is not None else ()) + all_slots,
        needs_facts=check is not None or unless_check is not None,
    )


def _bind(ref: CheckRef | None, rule_id: str, field: str) -> BoundCheck | None:
    if ref is None:
        return None
    fn = CHECKS.get(ref.name)
    if fn is None:
        known = ", ".join(sorted(CHECKS))
        raise RulebookError(
            f"unknown check {ref.name!r}; known: {known}", rule_id=rule_id, field=field
        )
    return BoundCheck(fn, ref.params)
