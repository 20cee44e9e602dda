"""Every rule's own examples: positives must fire the rule, negatives must not."""

from __future__ import annotations

import pytest

from smsguard.demo import demo_senders
from smsguard.screening import Screener
from smsguard.screening.rulebook.loader import load_rulebook
from smsguard.screening.rulebook.schema import RuleSpec

RULES = load_rulebook().rules
CASES = [
    pytest.param(rule, text, expected, id=f"{rule.id}-{'pos' if expected else 'neg'}{i}")
    for rule in RULES
    for expected, texts in ((True, rule.examples.positive), (False, rule.examples.negative))
    for i, text in enumerate(texts)
]


@pytest.mark.parametrize(("rule", "text", "expected"), CASES)
def test_rule_example(screener: Screener, rule: RuleSpec, text: str, expected: bool) -> None:
    ctx = rule.example_context
    sender = demo_senders()[ctx.sender] if ctx.sender else None
    context = {"purpose": ctx.purpose, "sender_number": ctx.sender_number}
    verdict = screener.screen(text, sender=sender, context=context)
    fired = {f.rule for f in verdict.findings}
    assert (rule.id in fired) is expected, verdict.to_dict()["findings"]
