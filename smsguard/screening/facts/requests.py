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
from smsguard.screening.facts.request_words import ANCHORS, NEEDS_VERB, TRANSFER_VERBS
from smsguard.screening.facts.textutil import clause_before, span_of, standalone, trie_pattern
from smsguard.screening.text import NormalizedText

_ANCHOR = re.compile(trie_pattern(ANCHORS))
_VERB_BEFORE = re.compile(
    r"告知|提供|发送|发给|回复|告诉|报给|说出|转发|提交|念给|上传|输入|填写"
    r"|send|give|tell|share|forward|reply with|enter|confirm"
)
_CODE_VERBS = re.compile(
    r"告知|提供|发送|发给|回复|告诉|报给|说出|转发|提交|念给|send|give|tell|share|forward|reply with"
)
_GIVE_AFTER = re.compile(r"[^，。！？；,!?;\n]{0,4}?(?:发给|告诉|告知|提供给|回复给|转发给|报给)")
_DESTINATION = re.compile(
    r"[^，。！？；,!?;\n]{0,10}?(?:安全|监管|专用|指定|对公|以下|下列|如下|该)(?:银行)?(?:账户|账号|卡)"
)
_EN_DESTINATION = re.compile(r"[a-z ]{0,20}?(?:safe|secure|designated|holding) account")
_IM_ID = re.compile(r"[号:：]?\s?[0-9a-z_-]{5,}")
_NEGATION = re.compile(
    r"勿|不要|不会|不得|严禁|绝不|从不|谨防|防止|不向|警惕|谨记|never|do not|don't|won't|will not"
)
_OTP = re.compile(
    r"(?:验证码|动态码|校验码|短信码|动态密码)(?:是|为|:|：|\s)*[0-9]{4,8}(?![0-9])"
    r"|(?:code|otp)\s?(?:is|:)\s?[0-9]{4,8}(?![0-9])"
)
_OTP_AFTER = re.compile(r"[0-9][0-9]{3,7}\s?(?:是|为)?(?:您的)?(?:本次)?(?:验证码|动态码|校验码)")


def _end_of_request(text: str, m: re.Match[str], kind: RequestKind) -> int | None:
    """Where the request ends, or None when the anchor is only a mention."""
    word, end = m.group(), m.end()
    if word.isascii() and not standalone(text, m.start(), end):
        return None  # "pin" in "shopping", "code" in "barcode"
    if word in NEEDS_VERB:
        verbs = _CODE_VERBS if kind == "verification_code" else _VERB_BEFORE
        if verbs.search(clause_before(text, m.start(), 25 if word.isascii() else 10)):
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
    if word == "如流" and text.startswith("水", end):
        return None  # 如流水 is "like a bank statement"
    return end


def find_requests(nt: NormalizedText) -> tuple[SensitiveRequest, ...]:
    """Requests for codes, credentials, biometrics, remote access, IM contact or transfers."""
    text = nt.text
    found: list[SensitiveRequest] = []
    for m in _ANCHOR.finditer(text):
        kind = ANCHORS[m.group()]
        end = _end_of_request(text, m, kind)
        if end is not None and not _NEGATION.search(clause_before(text, m.start(), 40)):
            found.append(SensitiveRequest(kind, span_of(nt, m.start(), end)))
    return tuple(found)


def otp_code_present(text: str) -> bool:
    """A one-time code is being delivered (您的验证码是123456 / your code is 123456)."""
    if "码" not in text and "code" not in text and "otp" not in text:
        return False
    return _OTP.search(text) is not None or _OTP_AFTER.search(text) is not None
