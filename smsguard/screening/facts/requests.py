"""What the SMS asks the reader to do or to hand over, and how it lets them complain or leave.

Police guidance is blunt: lenders never ask by SMS for verification codes, passwords, CVVs,
ID photos, a face scan, screen sharing, a meeting app, an IM contact or a transfer to a
"safe" account. Real banks do name those things, but in warnings ("切勿向他人透露验证码"), so
a mention inside a clause that carries a negation (勿, 不会, never …) is not a request. A plain
OTP delivery ("您的验证码是123456") is recorded separately: it is legitimate on its own, but a
loan advert should never carry one.
"""

from __future__ import annotations

import re

from smsguard.screening.facts.model import (
    ComplaintChannel,
    OptOutFact,
    RequestKind,
    SensitiveRequest,
)
from smsguard.screening.text import NormalizedText

_CLAUSE = r"[^，。！？；,!?;\n]"
_ASK = r"(?:告知|提供|发送|发给|回复|告诉|报给?|说出|转发|输入|填写|提交|念给?|上传)"
_CODE = r"(?:验证码|动态码|校验码|短信码|动态密码)"
_REQUEST = re.compile(
    rf"(?P<verification_code>{_ASK}{_CLAUSE}{{0,8}}?{_CODE}"
    rf"|{_CODE}{_CLAUSE}{{0,4}}?(?:发给|告诉|告知|提供给|回复给|转发给|报给)"
    r"|(?:send|give|tell|share|forward|reply with)[a-z ]{0,20}?(?:code|otp)(?![a-z]))"
    rf"|(?P<password>{_ASK}{_CLAUSE}{{0,8}}?(?:密码|pin码)"
    r"|(?:send|give|tell|share|enter|confirm)[a-z ]{0,20}?(?:password|pin)(?![a-z]))"
    r"|(?P<cvv>卡背面?的?(?:签名栏)?(?:末|后)?(?:三|3)位(?:数字|数|码)?|安全码|cvv2?|cvn2?|cvc)"
    rf"|(?P<card_number>{_ASK}{_CLAUSE}{{0,8}}?(?:银行卡号|卡号|银行账号)"
    r"|(?:send|give|enter|confirm)[a-z ]{0,20}?card number)"
    r"|(?P<id_photo>身份证正反面|手持身份证|身份证(?:照片|复印件|正面|反面)|拍摄身份证"
    r"|id (?:card )?(?:photo|picture|copy)|photo of your id)"
    r"|(?P<face_scan>人脸识别|刷脸|人脸验证|面部识别|face (?:scan|verification|recognition))"
    r"|(?P<screen_share>屏幕共享|共享屏幕|开启共享|screen ?shar(?:e|ing))"
    r"|(?P<meeting_app>腾讯会议|云视讯|如流(?!水)|zoom|会议软件|瞩目会议?|钉钉会议|tencent meeting)"
    r"|(?P<im_contact>加(?:我|好友)?(?:qq|q(?![a-z])|微信|v信|vx|wx|v(?![a-z])|威信|薇信|扣扣)"
    r"|添加(?:客服|微信|qq|专员|好友|业务员)|加群|进群|加入群"
    r"|(?:qq|微信|vx|wx)[号:：]?\s?[0-9a-z_-]{5,}|whatsapp|telegram)"
    r"|(?P<transfer_instruction>(?:转账|汇款|打款|转入|存入|扫码支付|转至|汇入|打入|缴纳)"
    rf"{_CLAUSE}{{0,10}}?(?:安全|监管|专用|指定|对公|以下|下列|如下|该)(?:银行)?(?:账户|账号|卡)"
    r"|(?:安全|监管|专用|指定|对公验证)账户"
    r"|(?:transfer|send|wire)[a-z ]{0,20}?(?:safe|secure|designated|holding) account)"
)
_REQUEST_KINDS: dict[str, RequestKind] = {
    "verification_code": "verification_code",
    "password": "password",
    "cvv": "cvv",
    "card_number": "card_number",
    "id_photo": "id_photo",
    "face_scan": "face_scan",
    "screen_share": "screen_share",
    "meeting_app": "meeting_app",
    "im_contact": "im_contact",
    "transfer_instruction": "transfer_instruction",
}
_NEGATION = re.compile(
    r"勿|不要|不会|不得|严禁|绝不|从不|谨防|防止|不向|警惕|谨记|never|do not|don't|won't|will not"
)
_CLAUSE_START = re.compile(r"[，。！？；,!?;\n][^，。！？；,!?;\n]*$")
_REQUEST_GATE = (
    "码", "密", "卡", "身份证", "脸", "屏", "会议", "云视讯", "如流", "zoom", "加", "群",
    "账户", "q", "微信", "v", "code", "pass", "pin", "id", "face", "screen", "whatsapp",
    "telegram", "account", "cv",
)  # fmt: skip

_OTP = re.compile(
    rf"{_CODE}(?:是|为|:|：|\s)*\d{{4,8}}(?!\d)|\d{{4,8}}\s?(?:是|为)?(?:您的)?(?:本次)?{_CODE}"
    r"|(?:code|otp)\s?(?:is|:)\s?\d{4,8}(?!\d)"
)

_OPT_OUT = re.compile(
    r"拒收请?回复?\s?[a-z]{1,4}(?![a-z])"
    r"|退订请?回复?\s?(?:[a-z]{1,4}|0000)(?![a-z])"
    r"|回复?\s?(?:[a-z]{1,4}|0000)\s?(?:退订|拒收)"
    r"|(?:reply|text|send|txt)\s[\"']?(?:stop|unsubscribe|end|quit|optout|cancel)(?![a-z])"
    r"(?:\s(?:to\s)?(?:opt[- ]?out|unsubscribe|end|cancel|stop|quit)(?![a-z]))?"
    r"|(?<![a-z])(?:unsubscribe|opt[- ]out)(?![a-z])"
)
_TAIL_OK = re.compile(
    r"(?:本?短信|信息)?[\s。.!！,，;；:：)）\]】]*(?:【[^【】]{0,20}】)?[\s。.!！)）\]]*$"
)

_COMPLAINT = re.compile(
    r"(?P<label>投诉电话|投诉热线|投诉|举报电话|举报|监督电话|客服热线|客服电话|服务热线"
    r"|消费者权益保护(?:热线|电话)?|消保热线)"
    r"[:：为请拨打致电至\s]{0,6}(?P<number>\d[\d-]{2,14}\d)"
    r"|(?<!\d)(?P<hotline>12321|12378|12315|12363)(?!\d)"
)


def _negated(text: str, start: int) -> bool:
    """Whether the clause that contains ``start`` says not to do the thing."""
    head = text[max(0, start - 40) : start]
    clause = _CLAUSE_START.search(head)
    return bool(_NEGATION.search(clause.group() if clause else head))


def find_requests(nt: NormalizedText) -> tuple[SensitiveRequest, ...]:
    """Requests for codes, credentials, biometrics, remote access, IM contact or transfers."""
    text = nt.text
    if not any(word in text for word in _REQUEST_GATE):
        return ()
    found: list[SensitiveRequest] = []
    for match in _REQUEST.finditer(text):
        if not _negated(text, match.start()):
            kind = _REQUEST_KINDS[match.lastgroup or ""]
            found.append(SensitiveRequest(kind, nt.to_original(*match.span())))
    return tuple(found)


def otp_code_present(text: str) -> bool:
    """A one-time code is being delivered (您的验证码是123456 / your code is 123456)."""
    if "码" not in text and "code" not in text and "otp" not in text:
        return False
    return _OTP.search(text) is not None


def find_opt_out(nt: NormalizedText) -> OptOutFact | None:
    """The last opt-out phrase; ``at_end`` when only punctuation or a signature follows."""
    text = nt.text
    if not any(w in text for w in ("退订", "拒收", "stop", "unsub", "opt", "end", "quit", "cancel")):
        return None
    matches = list(_OPT_OUT.finditer(text))
    if not matches:
        return None
    last = matches[-1]
    span = nt.to_original(*last.span())
    at_end = _TAIL_OK.match(text, last.end()) is not None
    return OptOutFact(nt.original[span[0] : span[1]], at_end, span)


def find_complaint_channels(nt: NormalizedText) -> tuple[ComplaintChannel, ...]:
    """Complaint routes: a labelled hotline (投诉电话 …) or a known hotline like 12321."""
    text = nt.text
    if not any(w in text for w in ("投诉", "举报", "热线", "电话", "123", "消费者", "消保")):
        return ()
    found: list[ComplaintChannel] = []
    for match in _COMPLAINT.finditer(text):
        span = nt.to_original(*match.span())
        if match["hotline"] is not None:
            found.append(ComplaintChannel(match["hotline"], match["hotline"], span))
        else:
            number = match["number"].replace("-", "")
            found.append(ComplaintChannel(match["label"], number, span))
    return tuple(found)
