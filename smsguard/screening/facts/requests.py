"""What the SMS asks the reader to hand over or do.

Police guidance is blunt: lenders never ask by SMS for verification codes, passwords, CVVs,
ID photos, a face scan, screen sharing, a meeting app, an IM contact or a transfer to a
"safe" account. Real banks do name those things, but in warnings ("切勿向他人透露验证码"), so
a mention inside a clause that carries a negation (勿, 不会, never …) is not a request. Codes,
passwords and card numbers are only requests next to a verb of handing over (告知, 提供, 回复
…); a plain OTP delivery ("您的验证码是123456") is recorded separately, because it is
legitimate on its own but has no place in a loan advert.

The scan looks for fixed anchor words only (fast to find); the verb and destination checks
run on a few characters around each anchor.
"""

from __future__ import annotations

import re

from smsguard.screening.facts.model import RequestKind, SensitiveRequest
from smsguard.screening.facts.request_words import (
    ANCHORS,
    NEEDS_APP_CONTEXT,
    NEEDS_VERB,
    TRANSFER_VERBS,
)
from smsguard.screening.facts.textutil import clause_before, span_of, standalone, trie_pattern
from smsguard.screening.text import NormalizedText

_ANCHOR = re.compile(trie_pattern(ANCHORS))
# Verbs of handing something over to the sender. 输入/提交 (type into a page) are left out:
# legitimate OTP and payment SMS use them all the time.
_VERB_BEFORE = re.compile(
    r"告知|提供|发送|发给|回复|告诉|报给|说出|转发|念给|send|give|tell|share|forward|reply with"
)
_GIVE_AFTER = re.compile(r"[^，。！？；,!?;\n]{0,4}?(?:发给|告诉|告知|提供给|回复给|转发给|报给)")
_DESTINATION = re.compile(
    r"[^，。！？；,!?;\n]{0,10}?(?:安全|监管|专用|指定|对公|以下|下列|如下|该)(?:银行)?(?:账户|账号|卡)"
)
_EN_DESTINATION = re.compile(r"[a-z ]{0,20}?(?:safe|secure|designated|holding) account")
_IM_ID = re.compile(r"(?:[号:：]\s?|(?=[0-9a-z]))[0-9a-z_-]{5,}")
_APP_CONTEXT = re.compile(
    r"下载|安装|打开|登录|进入|加入|会议|app|软件|download|install|join|meeting|link|add|contact"
)
_CARD_BACK_DIGITS = re.compile(r"[^，。！？；,!?;\n]{0,6}?(?:三位|3位|安全码|cvv|cvn|签名栏)")
_PARTIAL_NUMBER = re.compile(r"(?:的)?(?:末|后|尾)[4四]位")
_CARD_CONTEXT = re.compile(r"卡背|信用卡|银行卡|card|bank|expiry|security")
# Warnings name the same things as scams; a clause with one of these words is a warning.
_WARNING = re.compile(
    r"勿|不要|不会|不得|严禁|绝不|从不|谨防|防止|不向|警惕|谨记|导致|被盗|诈骗|骗子"
    r"|never|do not|don't|won't|will not|scam|fraud"
)
_CLAUSE_AHEAD = re.compile(r"[^，。！？；,!?;\n]*")
_OTP = re.compile(r"(?:验证码|动态码|校验码|短信码|动态密码)(?:是|为|:|：|\s)*[0-9]{4,8}(?![0-9])")
_OTP_EN = re.compile(r"(?:code|otp)\s?(?:is|:)\s?[0-9]{4,8}(?![0-9])")
_OTP_AFTER = re.compile(r"[0-9][0-9]{3,7}\s?(?:是|为)?(?:您的)?(?:本次)?(?:验证码|动态码|校验码)")


def _end_of_request(text: str, m: re.Match[str], kind: RequestKind) -> int | None:
    """Where the request ends, or None when the anchor is only a mention."""
    word, end = m.group(), m.end()
    if word.isascii() and not standalone(text, m.start(), end):
        return None  # "pin" in "shopping", "code" in "barcode"
    if word in NEEDS_VERB:
        if _PARTIAL_NUMBER.match(text, end):
            return None  # 卡号末4位: the last digits identify a card, they do not expose it
        if _VERB_BEFORE.search(clause_before(text, m.start(), 25 if word.isascii() else 10)):
            return end
        give = _GIVE_AFTER.match(text, end) if kind == "verification_code" else None
        return give.end() if give else None
    if word in TRANSFER_VERBS:
        dest = (_EN_DESTINATION if word.isascii() else _DESTINATION).match(text, end)
        return dest.end() if dest else None
    if word in ("qq", "微信", "vx", "wx"):
        handle = _IM_ID.match(text, end)
        return handle.end() if handle else None
    if word in ("加q", "加v") and text[end : end + 1].isalpha():
        return None  # 加vip, 加quota: not an IM handle
    if word in NEEDS_APP_CONTEXT:
        window = text[max(0, m.start() - 15) : end + 15]
        return end if _APP_CONTEXT.search(window) else None
    if kind == "cvv" and word.isascii():
        window = text[max(0, m.start() - 25) : end + 25]
        return end if _CARD_CONTEXT.search(window) else None  # CVC is also a cotton blend
    if word == "卡背面":
        digits = _CARD_BACK_DIGITS.match(text, end)
        return digits.end() if digits else None  # 卡背面客服电话 is the bank's hotline
    return end


def _in_warning(text: str, start: int, end: int) -> bool:
    """Whether the clause around ``text[start:end]`` warns rather than asks."""
    if _WARNING.search(clause_before(text, start, 40)) is not None:
        return True
    after = _CLAUSE_AHEAD.match(text, end, end + 20)
    return after is not None and _WARNING.search(after.group()) is not None


def find_requests(nt: NormalizedText) -> tuple[SensitiveRequest, ...]:
    """Requests for codes, credentials, biometrics, remote access, IM contact or transfers."""
    text = nt.text
    found: list[SensitiveRequest] = []
    covered = 0  # 转入指定账户 is one request, not a verb request plus an account request
    for m in _ANCHOR.finditer(text):
        if m.start() < covered:
            continue
        kind = ANCHORS[m.group()]
        end = _end_of_request(text, m, kind)
        if end is not None and not _in_warning(text, m.start(), end):
            found.append(SensitiveRequest(kind, span_of(nt, m.start(), end)))
            covered = end
    return tuple(found)


def otp_code_present(text: str) -> bool:
    """A one-time code is being delivered (您的验证码是123456 / your code is 123456)."""
    if "码" in text:
        if (
            "验证码" not in text
            and "动态码" not in text
            and "校验码" not in text
            and ("短信码" not in text and "动态密码" not in text)
        ):
            return False
        return _OTP.search(text) is not None or _OTP_AFTER.search(text) is not None
    return ("code" in text or "otp" in text) and _OTP_EN.search(text) is not None
