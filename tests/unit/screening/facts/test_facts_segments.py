"""SMS segment counting (regulations.md §B9)."""

from __future__ import annotations

import pytest

from smsguard.screening.facts.segments import segment_info


@pytest.mark.parametrize(("length", "parts"), [(70, 1), (68, 1), (71, 2), (134, 2), (135, 3)])
def test_ucs2_parts(length: int, parts: int) -> None:
    info = segment_info("贷" * length)
    assert (info.encoding, info.length, info.parts) == ("ucs2", length, parts)


@pytest.mark.parametrize(("length", "parts"), [(160, 1), (161, 2), (306, 2), (307, 3)])
def test_gsm7_parts(length: int, parts: int) -> None:
    info = segment_info("a" * length)
    assert (info.encoding, info.length, info.parts) == ("gsm7", length, parts)


def test_extension_characters_count_twice() -> None:
    info = segment_info("{}[]~|^€\\")
    assert (info.encoding, info.length) == ("gsm7", 18)


def test_one_chinese_mark_switches_to_ucs2() -> None:
    assert segment_info("Hello，world").encoding == "ucs2"
    assert segment_info("Hello `world`").encoding == "ucs2"  # backtick is not GSM-7


def test_signature_counts_and_emoji_take_two_units() -> None:
    assert segment_info("【华为云】").length == 5
    assert segment_info("hi 😀").length == 5


def test_empty_text_takes_no_parts() -> None:
    assert segment_info("") == segment_info("")
    assert segment_info("").parts == 0
