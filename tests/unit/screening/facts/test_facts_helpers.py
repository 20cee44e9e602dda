"""Small helpers: Chinese numerals, the prefix-tree pattern, clause windows, brand data."""

from __future__ import annotations

import re

import pytest

from smsguard.screening.facts.brands import BRANDS
from smsguard.screening.facts.numerals import cn_decimal, cn_int, to_number
from smsguard.screening.facts.textutil import clause_before, standalone, trie_pattern


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("五", 5),
        ("十", 10),
        ("十二", 12),
        ("三十六", 36),
        ("一百零五", 105),
        ("五千", 5000),
        ("三十万", 300_000),
        ("一千二百万", 12_000_000),
        ("两万五千", 25_000),
        ("万", 10_000),
    ],
)
def test_cn_int(text: str, value: int) -> None:
    assert cn_int(text) == value


@pytest.mark.parametrize("text", ["", "一二", "万万", "abc", "五x"])
def test_cn_int_rejects_non_numbers(text: str) -> None:
    assert cn_int(text) is None


def test_cn_decimal_and_to_number() -> None:
    assert cn_decimal("七点二") == pytest.approx(7.2)
    assert cn_decimal("零点零五") == pytest.approx(0.05)
    assert cn_decimal("七点") is None
    assert to_number("1,000.5") == pytest.approx(1000.5)
    assert to_number("18.25") == pytest.approx(18.25)
    assert to_number("三十") == 30.0
    assert to_number("x") is None


def test_trie_pattern_prefers_the_longest_word() -> None:
    words = ["年化", "年化利率", "日息", "日利率", "a b", "a"]
    pattern = re.compile(trie_pattern(words))
    found = [m.group() for m in pattern.finditer("年化利率 年化 日息 日利率 a b a")]
    assert found == ["年化利率", "年化", "日息", "日利率", "a b", "a"]
    assert pattern.fullmatch("年") is None


def test_trie_pattern_escapes_metacharacters() -> None:
    pattern = re.compile(trie_pattern(["us$", "hk$", "a.b"]))
    assert pattern.fullmatch("us$") and pattern.fullmatch("a.b")
    assert pattern.fullmatch("axb") is None


def test_clause_before_and_standalone() -> None:
    text = "额度高，请告知验证码"
    assert clause_before(text, len(text) - 3, 10) == "请告知"
    assert clause_before(text, 2, 1) == "度"
    assert standalone("send code now", 5, 9)
    assert not standalone("barcode", 3, 7)


def test_brand_seed_data_is_well_formed() -> None:
    names = [brand.name for brand in BRANDS]
    assert len(names) == len(set(names))
    for brand in BRANDS:
        assert brand.tokens and brand.official_domains
        assert all(token == token.lower() for token in brand.tokens)
        assert all("." in domain for domain in brand.official_domains)
