"""Unit tests for keyword expansion: variants hit, English and near-misses do not."""

from __future__ import annotations

import re

import pytest

from smsguard.screening.matcher import PatternSpec, compile_matcher
from smsguard.screening.normalize import normalize
from smsguard.screening.variants import (
    MIN_ASCII_VARIANT,
    expand_term,
    expand_terms,
    load_variants,
    parse_variants,
)

TERMS = [
    "贷款",
    "秒批",
    "征信",
    "微信",
    "无抵押",
    "加微信",
    "利息",
    "额度",
    "借钱",
    "百分百",
    "零利息",
    "无抵押贷款",
    "秒批到账",
    "不查征信",
    "一天到账",
    "急用钱",
    "T+0",
    "APP下载",
]
ENGLISH = [
    "the daily pay is due",
    "quick review",
    "Please review the education policy and pay the daily fee by Monday.",
    "Kuala Lumpur: mix, dice, dig, pie, tie, she, shed, hang, shine, ping pong.",
    "Visit https://t.cn/AbXyZ and www.edu.cn for info, a lixi or a diya.",
]


def hits(term: str, sms: str) -> bool:
    """True when the expanded ``term`` finds a match in the normalised ``sms``."""
    return re.search(expand_term(term), normalize(sms).text) is not None


@pytest.mark.parametrize("term", TERMS)
def test_every_term_matches_itself(term: str) -> None:
    assert hits(term, term)
    assert hits(term, f"前文{term}后文")


@pytest.mark.parametrize(
    ("term", "variant"),
    [
        ("秒批", "秒pi"),
        ("秒批", "miao批"),
        ("秒批", "妙批"),
        ("秒批", "miaopi"),
        ("秒批", "秒-批"),  # normalisation removes the separator
        ("贷款", "代款"),
        ("贷款", "袋款"),
        ("贷款", "dai款"),
        ("贷款", "daikuan"),
        ("贷款", "dai kuan"),
        ("贷款", "DK"),
        ("贷款", "貸款"),  # normalisation simplifies
        ("微信", "V信"),
        ("微信", "薇信"),
        ("微信", "威芯"),
        ("微信", "vx"),
        ("微信", "ＷＸ"),
        ("微信", "weixin"),
        ("征信", "正信"),
        ("征信", "zx"),
        ("征信", "徵信"),
        ("无抵押", "无抵鸭"),
        ("无抵押", "wu抵押"),
        ("无抵押", "wudiya"),
        ("加微信", "+V信"),
        ("加微信", "加vx"),
        ("加微信", "家薇信"),
        ("利息", "利悉"),
        ("额度", "颚度"),
        ("借钱", "借💰"),
        ("借钱", "jieqian"),
        ("零利息", "0利息"),
        ("一天到账", "1天到帐"),
        ("百分百", "100%"),
        ("无抵押贷款", "无抵押dk"),
        ("无抵押贷款", "wu抵押代款"),
    ],
)
def test_known_variants_match(term: str, variant: str) -> None:
    assert hits(term, f"现在{variant}了")


@pytest.mark.parametrize("term", [term for term in TERMS if not term.isascii()])
@pytest.mark.parametrize("sentence", ENGLISH)
def test_plain_english_never_matches(term: str, sentence: str) -> None:
    assert not hits(term, sentence)


@pytest.mark.parametrize(
    ("term", "text"),
    [
        ("贷", "代"),  # a single character gets no look-alikes
        ("贷", "dai"),
        ("额度", "edu"),  # all-ASCII variants shorter than the limit are not generated
        ("利息", "lixi"),
        ("加微信", "+vx"),
        ("秒批", "pi"),
        ("T+0", "tt0"),  # metacharacters are escaped
        ("百分百", "100"),
    ],
)
def test_near_misses_do_not_match(term: str, text: str) -> None:
    assert not hits(term, text)


def test_pinyin_only_variants_need_five_characters() -> None:
    assert MIN_ASCII_VARIANT == 5
    assert hits("秒批", "miaopi") and not hits("利息", "li xi")


def test_expansion_grows_polynomially() -> None:
    short = expand_term("无抵押贷款")
    long = expand_term("无抵押贷款秒批到账无抵押贷款秒批到账")
    assert len(short) < 2000
    assert len(long) < 5 * 4 * len(short)  # twice the units: about four times the size


def test_surrounding_whitespace_and_case_do_not_matter() -> None:
    assert expand_term(" 贷款\n") == expand_term("贷款") == expand_term("貸款")
    assert expand_term("ＡＰＰ") == expand_term("app")


def test_blank_terms_are_rejected() -> None:
    with pytest.raises(ValueError):
        expand_term(" ")
    with pytest.raises(ValueError):
        expand_term("\u200b")
    with pytest.raises(ValueError):
        expand_terms([])


def test_expand_terms_is_one_alternation_of_all_terms() -> None:
    pattern = re.compile(expand_terms(["贷款", "秒批", "贷款"]))
    assert pattern.search("dai款") and pattern.search("miao批")
    assert not pattern.search("the daily pay is due")


def test_every_curated_entry_expands_and_compiles() -> None:
    table = load_variants()
    assert 150 <= len(table.chars) <= 300
    for char in table.chars:
        term = char + "款"
        assert re.fullmatch(expand_term(term), term)
    for word in table.words:
        assert re.fullmatch(expand_term(word), word)


def test_expansions_compile_and_match_in_the_hyperscan_matcher() -> None:
    patterns = [expand_term(term) for term in TERMS] + [expand_terms(TERMS)]
    specs = [PatternSpec(i, p) for i, p in enumerate(patterns)]
    matcher = compile_matcher(specs, backend="hyperscan")
    sms = normalize("【某某】代款秒pi，+V信，无抵鸭，the daily pay is due, idk").text
    found_ids = {hit.pattern_id for hit in matcher.scan(sms)}
    expected = {i for i, p in enumerate(patterns) if re.search(p, sms)}
    assert found_ids == expected
    assert {TERMS.index(t) for t in ("贷款", "秒批", "微信", "加微信", "无抵押")} <= found_ids


def test_ascii_abbreviations_stand_alone() -> None:
    pattern = expand_term("贷款")
    assert re.search(pattern, "急用dk找我")
    assert not re.search(pattern, "idk what to do")
    assert not re.search(pattern, "vodka tonight")


def test_variant_data_is_validated() -> None:
    good = {"why": "test"}
    with pytest.raises(ValueError, match="normalised"):
        parse_variants({"chars": {"貸": good}})
    with pytest.raises(ValueError, match="why"):
        parse_variants({"chars": {"贷": {"py": "dai"}}})
    with pytest.raises(ValueError, match="pinyin"):
        parse_variants({"chars": {"贷": {"py": "Dai", "why": "x"}}})
    with pytest.raises(ValueError, match="misfiled"):
        parse_variants({"chars": {"贷": {"alike": "d", "why": "x"}}})
    with pytest.raises(ValueError, match="wrong section"):
        parse_variants({"words": {"贷": good}})
    with pytest.raises(ValueError):
        parse_variants(["not", "a", "mapping"])


def test_a_custom_table_is_used_when_given() -> None:
    table = parse_variants({"chars": {"好": {"py": "hu", "alike": "郝", "why": "test"}}})
    pattern = expand_term("好好", table)
    assert re.fullmatch(pattern, "郝hu") and re.fullmatch(pattern, "huhu") is None
