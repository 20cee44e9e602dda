"""The 【…】 signature, extra brackets and look-alike brackets."""

from __future__ import annotations

from smsguard.screening.facts.model import Signature, Span
from smsguard.screening.facts.signature import find_signature
from smsguard.screening.text import NormalizedText


def sig(text: str) -> tuple[Signature | None, tuple[Span, ...], bool]:
    return find_signature(NormalizedText(text, text.lower()))


def test_signature_at_start() -> None:
    signature, extras, lookalike = sig("【平安银行】您的额度已提升")
    assert signature is not None
    assert (signature.text, signature.span) == ("平安银行", (0, 6))
    assert signature.at_start and not signature.at_end and signature.well_formed
    assert extras == () and not lookalike


def test_signature_after_leading_space() -> None:
    signature, _, _ = sig("  【平安银行】您好")
    assert signature is not None and signature.at_start


def test_signature_at_end_keeps_original_case() -> None:
    signature, extras, _ = sig("您的额度已提升。【ABC Bank】")
    assert signature is not None
    assert signature.text == "ABC Bank"
    assert signature.at_end and not signature.at_start
    assert not signature.well_formed  # a space is not allowed in a filed signature
    assert extras == ()


def test_brackets_in_the_body_are_extras() -> None:
    text = "【好借银行】【限时】贷款秒批【通知】"
    signature, extras, _ = sig(text)
    assert signature is not None and signature.text == "好借银行"
    assert [text[a:b] for a, b in extras] == ["【限时】", "【通知】"]


def test_no_signature_when_brackets_sit_mid_message() -> None:
    text = "首付10万【京莎广场】开盘"
    signature, extras, _ = sig(text)
    assert signature is None
    assert [text[a:b] for a, b in extras] == ["【京莎广场】"]


def test_nested_and_broken_brackets() -> None:
    signature, _, _ = sig("【【平安】您好")
    assert signature is None or signature.text == "平安"
    assert sig("【】【")[0] is None
    assert sig("】【")[0] is None


def test_malformed_signatures() -> None:
    for text in ("【12345】您好", "【客】您好", "【客服 通知】您好"):
        signature = sig(text)[0]
        assert signature is not None
        assert not signature.well_formed


def test_lookalike_brackets() -> None:
    assert sig("[建设银行]您的额度已提升")[2]
    assert sig("〖建设银行〗您的额度已提升")[2]
    assert sig("您的额度已提升[招商银行]")[2]
    assert not sig("您的额度[已]提升，回复[Y]确认")[2]


def test_signature_span_maps_to_original() -> None:
    original = " \u200b【平安银行】您好"
    nt = NormalizedText(original, " 【平安银行】您好", offsets=(0, 2, 3, 4, 5, 6, 7, 8, 9, 10))
    signature, _, _ = find_signature(nt)
    assert signature is not None
    assert signature.span == (2, 8)
    assert signature.text == "平安银行"
