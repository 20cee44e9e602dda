"""How the SMS lets the reader leave or complain: opt-out wording and complaint channels.

Advertising Law Art. 43 and MIIT Order 31 require a way to refuse every commercial SMS, and
carriers now insist on fixed wordings (拒收请回复R, 回T退订 …) at the end of the text, after
which only the signature may follow. Complaint channels (投诉电话 …, 12321, 12378) count as
the "contact details" the same article asks for.
"""

from __future__ import annotations

import re

from smsguard.screening.facts.model import ComplaintChannel, OptOutFact
from smsguard.screening.facts.textutil import span_of
from smsguard.screening.text import NormalizedText

_OPT_OUT = re.compile(
    r"拒收请?回复?\s?[a-z]{1,4}(?![a-z])"
    r"|退订请?回复?\s?(?:[a-z]{1,4}|0000)(?![a-z])"
    r"|回复?\s?(?:[a-z]{1,4}|0000)\s?(?:退订|拒收)"
    r"|reply\s[\"']?(?:stop|unsubscribe|end|quit|optout|cancel)(?![a-z])(?P<tail1>)"
    r"|text\s[\"']?(?:stop|unsubscribe|end|quit|optout|cancel)(?![a-z])(?P<tail2>)"
    r"|txt\s[\"']?(?:stop|unsubscribe|end|quit|optout|cancel)(?![a-z])(?P<tail3>)"
    r"|send\s[\"']?(?:stop|unsubscribe|end|quit|optout|cancel)(?![a-z])(?P<tail4>)"
    r"|unsubscribe(?![a-z])|opt[- ]out(?![a-z])"
)
_EN_TAIL = re.compile(r"\s(?:to\s)?(?:opt[- ]?out|unsubscribe|end|cancel|stop|quit)(?![a-z])")
_TAIL_OK = re.compile(
    r"(?:本?短信|信息)?[\s。.!！,，;；:：)）\]】]*(?:【[^【】]{0,20}】)?[\s。.!！)）\]]*$"
)
_OPT_OUT_GATE = re.compile(r"stop|unsub|opt|end|quit|cancel")

_LABELLED = re.compile(
    r"(?:投诉电话|投诉热线|投诉|举报电话|举报|监督电话|客服热线|客服电话|服务热线"
    r"|消费者权益保护热线|消费者权益保护电话|消费者权益保护|消保热线)"
    r"[:：为请拨打致电至\s]{0,6}(?P<number>[0-9][0-9-]{2,14}[0-9])"
)
_HOTLINE = re.compile(r"123(?:21|78|15|63)")  # MIIT spam, NFRA, market regulator, PBoC


def find_opt_out(nt: NormalizedText) -> OptOutFact | None:
    """The last opt-out phrase; ``at_end`` when only punctuation or a signature follows."""
    text = nt.text
    if not ("退订" in text or "拒收" in text or _OPT_OUT_GATE.search(text)):
        return None
    phrase: tuple[int, int] | None = None
    for m in _OPT_OUT.finditer(text):
        if phrase is not None and m.start() < phrase[1]:
            continue  # "opt out" already belongs to "reply STOP to opt out"
        end = m.end()
        if m.lastgroup is not None and (tail := _EN_TAIL.match(text, end)):
            end = tail.end()
        phrase = (m.start(), end)  # the closing phrase is the one carriers look at
    if phrase is None:
        return None
    end = phrase[1]
    span = span_of(nt, *phrase)
    at_end = _TAIL_OK.match(text, end) is not None
    return OptOutFact(nt.original[span[0] : span[1]], at_end, span)


def _standalone_number(text: str, start: int, end: int) -> bool:
    return not text[start - 1 : start].isdigit() and not text[end : end + 1].isdigit()


def find_complaint_channels(nt: NormalizedText) -> tuple[ComplaintChannel, ...]:
    """Complaint routes: a labelled hotline (投诉电话 …) or a known hotline like 12321."""
    text = nt.text
    found: list[ComplaintChannel] = []
    numbers: list[tuple[int, int]] = []  # hotline digits already read as a labelled number
    if "投诉" in text or "举报" in text or "热线" in text or "电话" in text or "消" in text:
        for m in _LABELLED.finditer(text):
            label = text[m.start() : m.start("number")].rstrip(":：为请拨打致电至 \t")
            number = m.group("number").replace("-", "")
            found.append(ComplaintChannel(label, number, span_of(nt, *m.span())))
            numbers.append(m.span("number"))
    if "123" in text:
        for m in _HOTLINE.finditer(text):
            start, end = m.span()
            inside = any(a <= start < b for a, b in numbers)
            if not inside and _standalone_number(text, start, end):
                found.append(ComplaintChannel(m.group(), m.group(), span_of(nt, start, end)))
        found.sort(key=lambda c: c.span)
    return tuple(found)
