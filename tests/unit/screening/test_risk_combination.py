"""How model and template findings join rule findings in one verdict."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from smsguard.bootstrap import build_screener
from smsguard.screening import Screener
from smsguard.screening.compile import CompiledRulebook
from smsguard.screening.verdict import RiskAssessment, TemplateHit
from smsguard.settings import Settings

CLEAN = "明天下午三点开会，请准时参加。"
VIOLATION = "【好借银行】贷款秒批，不看征信，点击申请"


class FixedAssessor:
    """Says the same thing about every text, and remembers what it was asked."""

    def __init__(self, label: str, templates: tuple[TemplateHit, ...] = ()) -> None:
        self.label = label
        self.templates = templates
        self.seen: list[str] = []

    def assess_many(self, texts: Sequence[str], *, explain: bool = True) -> list[RiskAssessment]:
        self.seen.extend(texts)
        self.explained = explain
        probabilities = {"ham": 0.1, "spam": 0.1, "fraud": 0.1, self.label: 0.8}
        return [
            RiskAssessment(self.label, probabilities, (("秒批", 1.5),), self.templates, "test")  # type: ignore[arg-type]
            for _ in texts
        ]


def _screener(compiled: CompiledRulebook, assessor: FixedAssessor) -> Screener:
    return Screener(compiled, risk=assessor)


def test_ham_adds_nothing_and_never_softens_rules(screener: Screener) -> None:
    with_model = _screener(screener.compiled, FixedAssessor("ham"))
    assert with_model.screen(CLEAN).verdict == "pass"
    ruled = with_model.screen(VIOLATION)
    assert ruled.verdict == screener.screen(VIOLATION).verdict == "block"
    assert ruled.risk is not None and ruled.risk.label == "ham"
    assert not {f.rule for f in ruled.findings} & {"MODEL_SPAM", "MODEL_FRAUD"}


def test_spam_is_review_and_fraud_is_block(screener: Screener) -> None:
    spam = _screener(screener.compiled, FixedAssessor("spam")).screen(CLEAN)
    assert spam.verdict == "review"
    assert [f.rule for f in spam.findings] == ["MODEL_SPAM"]
    assert "p(spam or fraud) = 0.90" in (spam.findings[0].detail or "")
    fraud = _screener(screener.compiled, FixedAssessor("fraud")).screen(CLEAN)
    assert fraud.verdict == "block" and fraud.fraud
    assert fraud.findings[0].rule == "MODEL_FRAUD"


def test_spam_from_an_identified_sender_is_only_noted(screener: Screener) -> None:
    from smsguard.demo import demo_senders

    bank = demo_senders()["good-bank"]
    scored = _screener(screener.compiled, FixedAssessor("spam"))
    verdict = scored.screen(CLEAN, sender=bank)
    assert verdict.verdict == "pass"
    assert [(f.rule, f.severity) for f in verdict.findings] == [("MODEL_SPAM", "info")]
    (bulk,) = scored.screen_many([CLEAN], sender=bank)
    assert bulk.verdict == "pass"


def test_template_match_blocks_and_names_the_template(screener: Screener) -> None:
    hit = TemplateHit("card-transfer:7", 0.83, "card-transfer")
    verdict = _screener(screener.compiled, FixedAssessor("ham", (hit,))).screen(CLEAN)
    assert verdict.verdict == "block" and verdict.fraud
    (finding,) = verdict.findings
    assert finding.rule == "FRAUD_TEMPLATE"
    assert "card-transfer:7" in (finding.detail or "") and "0.83" in (finding.detail or "")
    risk = verdict.to_dict()["risk"]
    assert isinstance(risk, dict)
    assert risk["templates"] == [hit.to_dict()]


def test_screen_many_scores_each_batch_once_in_order(screener: Screener) -> None:
    assessor = FixedAssessor("spam")
    texts = [f"{CLEAN}{i}" for i in range(5)]
    verdicts = list(_screener(screener.compiled, assessor).screen_many(texts, batch_size=2))
    assert assessor.seen == texts
    assert [v.verdict for v in verdicts] == ["review"] * 5
    assert assessor.explained
    fast = list(
        _screener(screener.compiled, assessor).screen_many(texts, facts=False, explain=False)
    )
    assert all(v.risk is not None for v in fast)
    assert not assessor.explained


def test_risk_scoring_can_be_switched_off(home: Path) -> None:
    verdict = build_screener(Settings(home=home, risk_scoring=False)).screen(CLEAN)
    assert verdict.risk is None
    assert verdict.to_dict()["risk"] is None


def test_shipped_model_scores_through_the_default_screener(screener: Screener) -> None:
    verdict = screener.screen("钱直接打到这个卡上 6222 0212 3456 7890 123 张伟 工商银行")
    assert verdict.risk is not None
    assert verdict.risk.label == "fraud"
    assert verdict.verdict == "block" and verdict.fraud
    notice = screener.screen("【招商银行】您尾号1234的信用卡本期账单已出，到期还款日11月25日。")
    assert notice.risk is not None and notice.risk.label == "ham"
