"""Inbound replies: codes, free-text refusals, complaints and the labelled set's scores."""

from __future__ import annotations

from importlib import resources

import pytest

from smsguard.consent.replies import classify_reply
from smsguard.errors import InputError


def _labelled() -> list[tuple[str, str]]:
    raw = resources.files("smsguard.consent").joinpath("data/replies.tsv").read_text("utf-8")
    rows = []
    for line in raw.splitlines():
        if line and not line.startswith("#"):
            label, text = line.split("\t", 1)
            rows.append((label, text))
    return rows


def _precision_recall(pairs: list[tuple[bool, bool]]) -> tuple[float, float]:
    """Precision and recall from (truth, predicted) pairs."""
    tp = sum(1 for truth, pred in pairs if truth and pred)
    fp = sum(1 for truth, pred in pairs if pred and not truth)
    fn = sum(1 for truth, pred in pairs if truth and not pred)
    return tp / (tp + fp), tp / (tp + fn)


def test_labelled_set_is_large_and_uses_known_labels() -> None:
    rows = _labelled()
    assert len(rows) >= 300
    assert {label for label, _ in rows} == {"opt_out", "complaint", "both", "other"}


@pytest.mark.parametrize(
    ("flag", "labels"), [("opt_out", {"opt_out", "both"}), ("complaint", {"complaint", "both"})]
)
def test_precision_and_recall_on_labelled_set(flag: str, labels: set[str]) -> None:
    rows = _labelled()
    pairs = [(label in labels, bool(getattr(classify_reply(text), flag))) for label, text in rows]
    precision, recall = _precision_recall(pairs)
    print(f"{flag}: precision={precision:.4f} recall={recall:.4f} n={len(rows)}")
    assert precision >= 0.98
    assert recall >= 0.98


@pytest.mark.parametrize("text", ["R", "t", "ＴＤ", " n ", "0000", "退訂", "拒收", "取消", "STOP!"])
def test_whole_reply_codes_opt_out(text: str) -> None:
    assert classify_reply(text).opt_out


@pytest.mark.parametrize("text", ["T恤多少钱", "N多人借了吗", "T+1到账吗", "TD是什么", "Rate?"])
def test_codes_inside_longer_replies_do_not_count(text: str) -> None:
    assert classify_reply(text).kind == "other"


@pytest.mark.parametrize(
    "text",
    ["不要退订我还要用", "别退订", "don't stop sending me offers", "I do not want to unsubscribe"],
)
def test_negated_opt_out_is_not_an_opt_out(text: str) -> None:
    assert not classify_reply(text).opt_out


@pytest.mark.parametrize("text", ["stop by later", "where is the bus stop", "取消借款申请"])
def test_lookalike_phrases_are_not_opt_outs(text: str) -> None:
    assert not classify_reply(text).opt_out


@pytest.mark.parametrize("text", ["别再给我发了", "please stop texting me", "不想再收到你们的短信"])
def test_free_text_refusals_opt_out(text: str) -> None:
    result = classify_reply(text)
    assert result.kind == "opt_out"
    assert result.matched
    assert "opt-out" in result.reason


def test_complaint_that_also_says_stop_sets_both_flags() -> None:
    result = classify_reply("再发我就去12321举报你们")
    assert result.opt_out and result.complaint
    assert result.kind == "both"


def test_complaint_alone_is_routed_not_suppressed() -> None:
    result = classify_reply("利息这么高我要投诉")
    assert result.kind == "complaint"
    assert "complaint" in result.reason


def test_negated_complaint_and_longer_numbers_are_not_complaints() -> None:
    assert not classify_reply("我不会投诉的").complaint
    assert not classify_reply("订单号1232199").complaint


def test_non_string_is_an_input_error() -> None:
    with pytest.raises(InputError):
        classify_reply(b"TD")  # type: ignore[arg-type]
