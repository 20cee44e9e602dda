"""The fingerprint text keeps what a scam says and drops what changes between its copies."""

from __future__ import annotations

import pytest

from smsguard.fingerprints.text import NAME, fingerprint_text


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # the card number grouped differently, another payee
        (
            "钱打到这个卡上 6222 0212 3456 7890 123 张伟 工商银行",
            "钱打到这个卡上 6222021234567890123 李娜 工商银行",
        ),
        ("户名：彭建国，建行 6217000011112222", "户名：赵敏，建行 6217 0000 3333 4444"),
        ("尊敬的王芳先生您好，您的积分即将清零", "尊敬的刘洋先生您好，您的积分即将清零"),
        ("贷款找李经理，电话13800000000", "贷款找陈经理，电话13911112222"),
        ("Dear John, your account is on hold", "Dear customer, your account is on hold"),
        # links, amounts and inserted separators
        ("点击 http://a-b.cn/x 领取200元", "点击 https://zz-top.vip/abc 领取5000元"),
        ("验证身份", "验·证 身|份"),
        ("Verify your account", "V-e-r-i-f-y your acc0unt".replace("0", "o")),
    ],
)
def test_copies_of_one_scam_read_alike(first: str, second: str) -> None:
    assert fingerprint_text(first) == fingerprint_text(second)


@pytest.mark.parametrize(
    "text",
    [
        "您尾号1234的储蓄卡消费500元，余额1000元【工商银行】",  # 余额 is not a person
        "贷款5万元，3天到账",  # 万元 is an amount
        "0 华夏银行",  # a bank's own name starting with a surname
        "地址 东湖路 周末 安全",  # short words between spaces are not names
    ],
)
def test_ordinary_words_are_not_masked_as_names(text: str) -> None:
    assert NAME not in fingerprint_text(text)


def test_payee_names_next_to_a_bank_or_card_number_are_masked() -> None:
    assert fingerprint_text("0 0 0 0 0 中国银行 李治国") == f"0中国银行{NAME}"
    assert fingerprint_text("6222021234567890 陈志明 工商银行") == f"0{NAME}工商银行"


def test_a_number_beside_a_surname_alone_is_no_cue_without_a_bank() -> None:
    """``0 张伟`` is a payee in a transfer message; elsewhere the same shape is often a word."""
    assert NAME not in fingerprint_text("订单 12345 高达 3 倍返利")


def test_spacing_and_case_vanish() -> None:
    assert fingerprint_text("Call  NOW!") == "callnow"
