"""Screening never crashes and never points outside the text, whatever the input."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smsguard.errors import InputError
from smsguard.screening import Screener

# Text biased towards the shapes screening cares about, plus anything Unicode has.
FRAGMENTS = st.sampled_from(
    [
        "贷款",
        "秒批",
        "年化利率",
        "7.2%",
        "日息",
        "万分之五",
        "【建设银行】",
        "t.cn/ab",
        "95533",
        "13800001111",
        "回T退订",
        "验证码",
        "解冻费",
        "转账",
        "-",
        " ",
        "\u200b",
        "％",
        "貸",
    ]
)
TEXTS = st.one_of(
    st.text(),
    st.lists(st.one_of(FRAGMENTS, st.text(max_size=3)), max_size=30).map("".join),
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(TEXTS)
def test_screen_never_crashes_and_spans_stay_inside(screener: Screener, text: str) -> None:
    try:
        verdict = screener.screen(text)
    except InputError:
        return
    assert verdict.verdict in ("pass", "review", "block")
    for finding in verdict.findings:
        start, end = finding.span
        assert 0 <= start <= end <= len(text)
    verdict.to_dict()
