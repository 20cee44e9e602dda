"""Requests for credentials, biometrics, remote access, IM contact or transfers."""

from __future__ import annotations

import pytest

from smsguard.screening.facts.requests import find_requests, otp_code_present
from smsguard.screening.text import NormalizedText


def kinds_of(text: str) -> list[str]:
    return [r.kind for r in find_requests(NormalizedText(text, text.lower()))]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("请告知收到的验证码以便放款", "verification_code"),
        ("把验证码发给客服即可激活额度", "verification_code"),
        ("please send us the code you received", "verification_code"),
        ("请提供银行卡密码完成认证", "password"),
        ("请回复卡背面三位数", "cvv"),
        ("enter the CVV on the back of your card", "cvv"),
        ("请提供您的银行卡号", "card_number"),
        ("上传身份证正反面照片", "id_photo"),
        ("需手持身份证拍照", "id_photo"),
        ("帮朋友做一下人脸识别", "face_scan"),
        ("请打开屏幕共享配合核验", "screen_share"),
        ("下载腾讯会议，会议号123", "meeting_app"),
        ("下载如流进入会议", "meeting_app"),
        ("join us on zoom meeting", "meeting_app"),
        ("加微信领取额度", "im_contact"),
        ("详询qq:12345678", "im_contact"),
        ("添加客服办理", "im_contact"),
        ("将保证金转入安全账户", "transfer_instruction"),
        ("请汇款至以下账户", "transfer_instruction"),
        ("资金转入监管账户", "transfer_instruction"),
        ("transfer the funds to a safe account", "transfer_instruction"),
    ],
)
def test_requests(text: str, kind: str) -> None:
    assert kind in kinds_of(text)


@pytest.mark.parametrize(
    "text",
    [
        "您的验证码是123456，切勿告诉他人",
        "验证码提供给他人将导致账户被盗",
        "请在页面输入验证码完成支付",
        "我行不会以任何理由要求您提供密码",
        "切勿在陌生网站填写卡号、密码、卡背面签名栏末三位安全码、动态验证码",
        "详询卡背面客服电话",
        "回复JF加卡号末4位查询积分",
        "万众瞩目，全城期待",
        "每个观众都倒背如流",
        "棉cvc面料，莱卡弹力",
        "工资已转入您的账户",
        "关注微信公众号",
        "加vip享折扣",
        "Never share your password with anyone",
        "shopping list and barcode",
    ],
)
def test_warnings_and_mentions_are_not_requests(text: str) -> None:
    assert kinds_of(text) == []


def test_request_span_covers_verb_and_destination() -> None:
    text = "请将5000元转入指定账户"
    (request,) = find_requests(NormalizedText(text, text))
    assert text[request.span[0] : request.span[1]] == "转入指定账户"


@pytest.mark.parametrize(
    ("text", "present"),
    [
        ("您的验证码是123456，5分钟内有效", True),
        ("验证码：8812", True),
        ("123456是您的验证码", True),
        ("Your code is 482913", True),
        ("请告知验证码", False),
        ("验证码错误", False),
        ("贷款额度50000元", False),
    ],
)
def test_otp_delivery(text: str, present: bool) -> None:
    assert otp_code_present(text.lower()) is present
