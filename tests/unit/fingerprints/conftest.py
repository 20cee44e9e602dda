"""Made-up fraud templates shared by the fingerprint tests (none is taken from a corpus)."""

from __future__ import annotations

import random

import pytest

from smsguard.fingerprints import TemplateIndex
from smsguard.fingerprints.synthetic import SyntheticTemplate, synthetic_templates

# Written for these tests; the numbers, links and names are invented.
FRAUD_TEXTS = {
    "icbc-freeze": (
        "【工商银行】您的账户已被冻结，请点击 http://icbc-safe.cn 验证身份并缴纳解冻费200元"
    ),
    "loan-deposit": "恭喜您获得30000元无抵押贷款额度，需先缴纳保证金800元，联系客服13912345678办理",
    "parcel": (
        "Your parcel could not be delivered due to an unpaid fee of 1.99 GBP. "
        "Pay now at http://parcel-redeliver.top/x7 to avoid return"
    ),
    "tax-refund": (
        "HMRC: you are owed a tax refund of 264.50 GBP. Claim it today at "
        "http://hmrc-refund-claim.com before the offer expires"
    ),
    "boss": "王总您好，我是你们领导，明天上午十点来我办公室一趟，先帮我转5000元给客户，急用",
}
HAM_TEXTS = (
    "今晚一起吃饭吗？我在老地方等你，七点见",
    "您尾号1234的储蓄卡3月5日消费500元，余额1000元【工商银行】",
    "Are you coming to the football match on Saturday? Let me know by Friday evening",
    "妈，我下周回家，记得帮我把那本书找出来，谢谢",
    "Meeting moved to 3pm in room 204, please bring the quarterly report printouts",
)


@pytest.fixture(scope="session")
def templates() -> list[SyntheticTemplate]:
    return synthetic_templates(400, random.Random(5))


@pytest.fixture(scope="session")
def synthetic_index(templates: list[SyntheticTemplate]) -> TemplateIndex:
    """Made-up templates plus the hand-written ones, fully indexed; tests must not change it."""
    index = TemplateIndex()
    for number, template in enumerate(templates):
        index.add(f"t{number}", template.fill(number), category="synthetic")
    for template_id, text in FRAUD_TEXTS.items():
        index.add(template_id, text, category="smishing")
    index.optimize()
    return index


@pytest.fixture(scope="session")
def fraud_texts() -> dict[str, str]:
    return dict(FRAUD_TEXTS)


@pytest.fixture(scope="session")
def ham_texts() -> tuple[str, ...]:
    return HAM_TEXTS
