"""Fees and repayment methods named in a loan SMS.

The police rule of thumb for loan fraud is "money before the loan": 解冻费, 保证金, 刷流水 and
their kin exist only in scams, and any ordinary fee becomes one when it must be paid first
(先交, 放款前). Advertised-free fees (0手续费, 无违约金) are recorded too, because a "free"
claim without an annualised rate is itself a finding.
"""

from __future__ import annotations

import re

from smsguard.screening.facts.model import FeeMention
from smsguard.screening.facts.textutil import clause_before, span_of, trie_pattern, word_set
from smsguard.screening.text import NormalizedText

# Fees that only appear in pay-before-disbursement fraud (regulations.md §E1, §F3).
_UPFRONT_FEES = word_set(
    "回档押金 开启提款通道 解除冻结 资金认证 信用佐证 提高评分 解冻费 解冻金 保证金 押金 "
    "认证金 验证金 验证费 激活费 开通费 包装费 刷流水 流水费 验资金 验资 upfront_fee "
    "advance_fee unlock_fee unlocking_fee"
)
# Fees that are normal in lending unless they must be paid before the loan.
_ORDINARY_FEES = word_set(
    "账户管理费 分期手续费 提前还款违约金 手续费 服务费 管理费 担保费 违约金 罚息 会员费 "
    "vip费 中介费 介绍费 工本费 材料费 邮递费 公证费 保险费 逾期费 滞纳金 评估费 咨询费 "
    "审核费 上门费 processing_fee deposit_fee late_fee"
)
_FEE = re.compile(trie_pattern(_UPFRONT_FEES | _ORDINARY_FEES))
_PAY_FIRST = re.compile(
    r"预先|先交|先缴|先付|先支付|需先|要先|先行|放款前|下款前|到账前|提现前|提前缴纳"
    r"|upfront|in advance|before"
)
_WAIVED_BEFORE = re.compile(
    r"(?:(?:无|免|零|不收|不交|不用|不需|没有|no|free of)[^，。！？；,!?;]{0,6}|(?<![0-9.])0)$"
)
_WAIVED_AFTER = re.compile(r"全免|为0|为零|0元|免收|free")
_FEE_GATE = re.compile(r"息|流水|验资|通道|冻结|认证|佐证|评分|fee")

_REPAYMENT_NAMES = {
    "等额本息": "等额本息",
    "等额本金": "等额本金",
    "先息后本": "先息后本",
    "按月付息": "先息后本",
    "每月付息": "先息后本",
    "随借随还": "随借随还",
    "随时还款": "随借随还",
    "随时还": "随借随还",
    "按日计息": "按日计息",
    "按天计息": "按日计息",
    "日计息": "按日计息",
    "用一天算一天": "按日计息",
    "到期还本": "到期还本",
    "一次性还本": "到期还本",
    "分期": "分期",
}
_REPAYMENT = re.compile(
    trie_pattern(_REPAYMENT_NAMES)
    + r"|分[0-9一二两三四五六七八九十][0-9一二两三四五六七八九十]{0,2}期"
)


def _fee(nt: NormalizedText, m: re.Match[str]) -> FeeMention:
    text, name = nt.text, m.group()
    before = clause_before(text, m.start(), 12)
    waived = bool(_WAIVED_BEFORE.search(before) or _WAIVED_AFTER.match(text, m.end()))
    inherent = name in _UPFRONT_FEES
    upfront = not waived and (inherent or _PAY_FIRST.search(before) is not None)
    return FeeMention(name, upfront, waived, span_of(nt, *m.span()))


def find_fees(nt: NormalizedText) -> tuple[FeeMention, ...]:
    """Every named fee, flagged upfront (fraud pattern) or waived (free claim)."""
    text = nt.text
    if "费" not in text and "金" not in text and _FEE_GATE.search(text) is None:
        return ()
    return tuple(_fee(nt, m) for m in _FEE.finditer(text))


def find_repayment_methods(text: str) -> tuple[str, ...]:
    """Canonical repayment-method names in order of first mention, without repeats."""
    if "还" not in text and "息" not in text and "分" not in text and "本" not in text:
        return ()
    names: dict[str, None] = {}
    for m in _REPAYMENT.finditer(text):
        names.setdefault(_REPAYMENT_NAMES.get(m.group(), "分期"), None)
    return tuple(names)
