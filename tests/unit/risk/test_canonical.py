"""The canonical model text: what changes between copies of a scam reads the same."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from smsguard.risk import canonical as module
from smsguard.risk.canonical import LINK, canonical


def _every_pass(text: str) -> str:
    """The same steps without the shortcuts that skip a pass when it cannot change anything."""
    folded = module.normalize(text).text
    folded = module._LINK.sub(LINK, folded)
    folded = module._PLACEHOLDER.sub(module.NUMBER, folded)
    folded = module._NUMBER.sub(module.NUMBER, folded)
    return module._NOISE.sub(" ", folded).strip()


def test_links_numbers_and_punctuation_fold() -> None:
    a = canonical("【工商银行】额度提升至50,000元，点击 http://icbc-vip.cn/a?b=1 激活！")
    b = canonical("【工商銀行】額度提升至80000元,點擊 icbc-safe.top 激活")
    assert a == b == f"工商银行 额度提升至0元 点击 {LINK} 激活"


def test_masked_digits_and_placeholders_read_as_numbers() -> None:
    assert canonical("可以贷工资的xx倍，电话xxxxxxxxxxx") == canonical(
        "可以贷工资的20倍，电话13800138000"
    )
    assert canonical("Hi {name}, your code is [DIGIT]") == "hi 0 your code is 0"
    assert canonical("box of 2x fox") == "box of 0 fox"


_PIECES = [*"ab.x:/{}[]0189 贷款银行，。ｈｔｔｐ", "http://", "digit", "www."]


@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_shortcuts_never_change_the_result(text: str) -> None:
    assert canonical(text) == _every_pass(text)
