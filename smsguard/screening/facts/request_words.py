"""Anchor words for sensitive requests, and which of them need more context.

Data, not logic: ``requests.py`` scans for these literals and then applies the context rule
that fits (a handing-over verb for codes and credentials, a destination for transfer verbs,
a handle after a bare IM name).
"""

from __future__ import annotations

from smsguard.screening.facts.model import RequestKind
from smsguard.screening.facts.textutil import word_set


def _words(kind: RequestKind, words: str) -> dict[str, RequestKind]:
    return dict.fromkeys(word_set(words), kind)


ANCHORS: dict[str, RequestKind] = {
    **_words("verification_code", "验证码 动态码 校验码 短信码 动态密码 code otp"),
    **_words("password", "密码 password pin码 pin"),
    **_words("cvv", "卡背面 背面三位 安全码 cvv cvv2 cvn cvc"),
    **_words("card_number", "银行卡号 卡号 银行账号 card_number"),
    **_words(
        "id_photo",
        "身份证正反面 手持身份证 身份证照片 身份证复印件 身份证正面 身份证反面 拍摄身份证 "
        "id_photo id_card_photo photo_of_your_id",
    ),
    **_words(
        "face_scan",
        "人脸识别 刷脸 人脸验证 面部识别 face_scan face_verification face_recognition",
    ),
    **_words("screen_share", "屏幕共享 共享屏幕 开启共享 screen_share screen_sharing screenshare"),
    **_words("meeting_app", "腾讯会议 云视讯 如流 zoom 会议软件 瞩目 钉钉会议 tencent_meeting"),
    **_words(
        "im_contact",
        "加qq 加q 加微信 加v信 加vx 加wx 加v 加威信 加薇信 加扣扣 加我qq 加我微信 加好友 "
        "添加客服 添加微信 添加qq 添加专员 添加好友 添加业务员 加群 进群 加入群 whatsapp "
        "telegram qq 微信 vx wx",
    ),
    **_words(
        "transfer_instruction",
        "安全账户 监管账户 专用账户 指定账户 对公验证账户 转账 汇款 打款 转入 存入 扫码支付 "
        "转至 汇入 打入 缴纳 transfer wire",
    ),
}

# Only a request when a verb of handing over sits in the same clause.
NEEDS_VERB: frozenset[str] = word_set(
    "验证码 动态码 校验码 短信码 动态密码 code otp 密码 password pin码 pin 银行卡号 卡号 "
    "银行账号 card_number"
)
# Ordinary words too (万众瞩目, 倒背如流, zoom in, card-back hotline), so they need company:
# an app verb nearby for the meeting apps, a "three digits" word after 卡背面.
NEEDS_APP_CONTEXT: frozenset[str] = frozenset(("如流", "瞩目", "zoom", "whatsapp", "telegram"))
# Only a request when a destination account follows.
TRANSFER_VERBS: frozenset[str] = word_set(
    "转账 汇款 打款 转入 存入 扫码支付 转至 汇入 打入 缴纳 transfer wire"
)
