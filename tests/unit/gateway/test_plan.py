"""The pure planner: what a rendered text may not change, and what each recipient gets."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

import pytest

from smsguard.consent.policy import ConsentRecord, History, Rules
from smsguard.gateway.plan import (
    ApprovedText,
    Candidate,
    Plan,
    RenderedTextCheck,
    birth_date_upper_bound,
    plan_message,
    render_for,
)
from smsguard.screening.engine import Screener
from smsguard.screening.verdict import Finding, Verdict

NOON = datetime(2026, 12, 1, 4, tzinfo=UTC)  # 12:00 in Shanghai
BODY = "【某银行】{name}您好，您的账单{amount}已出。回复TD退订"
APPROVED = ApprovedText(7, BODY, "pass", frozenset())


def _verdict(verdict: str, *rules: tuple[str, str]) -> Verdict:
    findings = tuple(
        Finding(rule, severity, "test", (0, 1), "m", "basis")  # type: ignore[arg-type]
        for rule, severity in rules
    )
    return Verdict(verdict, findings, None, "marketing", True, "test")  # type: ignore[arg-type]


class Screens:
    """Answers a fixed verdict per text and counts the batches it was asked for."""

    def __init__(self, verdicts: dict[str, Verdict]) -> None:
        self.verdicts = verdicts
        self.batches: list[list[str]] = []

    def __call__(self, texts: Sequence[str]) -> Iterable[Verdict]:
        self.batches.append(list(texts))
        return [self.verdicts.get(t, _verdict("pass")) for t in texts]


def _consented(customer: int = 1) -> History:
    grant = ConsentRecord(str(customer), "1", "loan_marketing", "granted", "app", "form 7",
                          NOON - timedelta(days=30))  # fmt: skip
    return History(consent=[grant])


def _plan(check: RenderedTextCheck, **changes: object) -> Plan:
    fields: dict[str, object] = {"customer_id": 1, "is_student": False, "birth_year": 1990,
                                 "history": _consented(), "name": "王芳"}  # fmt: skip
    candidate = Candidate(**(fields | changes))  # type: ignore[arg-type]
    return plan_message(
        candidate,
        render_for(candidate, APPROVED, {"amount": "100元"}),
        check=check,
        rules=Rules(),
        institution="1",
        purpose="loan_marketing",
        due=NOON,
    )


@pytest.mark.parametrize(
    ("verdict", "refused"),
    [
        (_verdict("pass"), False),
        (_verdict("pass", ("note", "info")), False),
        (_verdict("review", ("new_claim", "review")), True),
        (_verdict("block", ("link", "block")), True),
    ],
)
def test_a_rendered_text_may_not_screen_worse_than_the_approval(
    verdict: Verdict, refused: bool
) -> None:
    check = RenderedTextCheck(APPROVED, Screens({"x": verdict}))
    assert (check.problem("x") is not None) is refused


def test_a_review_approval_tolerates_its_own_rules_but_not_new_ones() -> None:
    approved = ApprovedText(7, BODY, "review", frozenset({"apr_missing"}))
    same = _verdict("review", ("apr_missing", "review"))
    new = _verdict("review", ("apr_missing", "review"), ("guaranteed_approval", "review"))
    check = RenderedTextCheck(approved, Screens({"same": same, "new": new}))
    assert check.problem("same") is None
    assert "guaranteed_approval" in (check.problem("new") or "")


def test_texts_are_screened_once_and_in_batches() -> None:
    screens = Screens({})
    check = RenderedTextCheck(APPROVED, screens)
    check.prepare(["a", "b", "a"])
    check.prepare(["b", "c"])
    assert check.problem("a") is None and check.problem("c") is None
    assert screens.batches == [["a", "b"], ["c"]]


def test_each_recipient_gets_a_reasoned_plan() -> None:
    check = RenderedTextCheck(APPROVED, Screens({}))
    queued = _plan(check)
    assert (queued.state, queued.text) == (
        "queued",
        "【某银行】王芳您好，您的账单100元已出。回复TD退订",
    )
    assert _plan(check, is_student=True).reason == "recipient is a student"
    assert _plan(check, history=History()).reason == "no consent"
    assert "no name on record" in _plan(check, name=None).reason
    assert "cannot render" in _plan(check, name="秒批贷款").reason


def test_only_a_birth_year_counts_as_the_youngest_age() -> None:
    assert birth_date_upper_bound(2008) == datetime(2008, 12, 31).date()
    check = RenderedTextCheck(APPROVED, Screens({}))
    # Born in 2008: 18 on 1 Dec 2026 only if born by then; with the year alone, assume not.
    assert _plan(check, birth_year=2008).reason == "recipient is a minor"


def test_the_real_screener_passes_an_ordinary_rendering(screener: Screener) -> None:
    approved_verdict = screener.screen("【某银行】张三您好，您的账单1000元已出。回复TD退订")
    approved = ApprovedText(7, BODY, approved_verdict.verdict, frozenset())
    check = RenderedTextCheck(approved, lambda texts: screener.screen_many(texts))
    assert check.problem("【某银行】王芳您好，您的账单100元已出。回复TD退订") is None
    assert check.problem("【某银行】王芳您好，点击 http://x.cn 领取额度") is not None
