"""Classify an inbound SMS reply as an opt-out, a complaint, both, or neither.

Carriers and vendors treat a bare ``R``/``T``/``TD``/``N``/``退订``/``拒收``/``取消`` reply as a
refusal (regulations.md B6, F5), and the law asks for a "convenient, effective" opt-out, so a
customer who writes "别再给我发了" or "please stop texting me" has refused just as clearly.
Complaint words (投诉, 举报, 12321 …, F5 and B10) must reach the complaints desk (D1) rather
than vanish in an opt-out queue, so a reply can carry both flags at once.

Three layers, each over the text folded by screening's :func:`normalize` (width, case,
traditional → simplified):

* whole-reply codes: one-letter codes only count when they are the entire reply, so the
  ``t`` in "T恤多少钱" or the ``n`` in "N多" never opt anyone out;
* phrases anywhere in the reply, each with a negation guard where the phrase could be
  negated ("不要退订", "don't stop sending", "我不会投诉");
* complaint vocabulary, with the same guard.

When in doubt the rules lean towards opting out: wrongly suppressing one marketing SMS costs
little, ignoring a refusal breaks the law.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from smsguard.errors import InputError
from smsguard.screening.normalize import normalize

ReplyKind = Literal["opt_out", "complaint", "both", "other"]

# Whole-reply codes and refusals after punctuation and courtesy words are removed.
_CODES = frozenset(
    {
        "r", "t", "td", "n", "tdzd", "0000", "00000", "退订", "拒收", "取消", "退", "tuiding",
        "stop", "stopall", "stop all", "unsubscribe", "unsub", "cancel", "end", "quit",
        "optout", "opt out", "opt-out", "remove", "no", "nope", "not interested",
        "stop it", "stop now", "stop this", "stop them", "no more",
        "不需要", "不要", "不用", "不感兴趣", "没兴趣", "不需要不需要", "别发", "不要发",
    }
)  # fmt: skip
_COURTESY = re.compile(
    r"^(?:请|麻烦|谢谢|谢了|了|吧|啊|呀|哦|哈|please|pls|plz|thanks|thank you|thx|ok|just)+"
    r"|(?:请|麻烦|谢谢|谢了|了|吧|啊|呀|哦|哈|please|pls|plz|thanks|thank you|thx)+$"
)
_REPLY_CODE = re.compile(r"^回复?(?:r|t|td|n|tdzd|0000)$")
_LEADING_CODE = re.compile(r"^(r|t|td|n|stop|unsubscribe|退订|拒收)[\s!.,，。！]+")
_PUNCT = re.compile(r"[\W_]+")

# Words that, right before a phrase, turn it around ("不要退订", "don't unsubscribe me").
_ZH_NEGATION = re.compile(r"(?:不要|不用|不想|不会|不必|无需|别|不|没有要|没要|没有|没)$")
_EN_NEGATION = re.compile(
    r"\b(?:don't|dont|do not|never|not|can't|cannot|won't|didn't|no need to|no)"
    r"(?:\s+[a-z']+){0,2}\s*$"
)

_CONDITIONAL = re.compile(r"\b(?:if you|unless you) (?:don't|dont|do not)\s*$")


@dataclass(frozen=True)
class _Phrase:
    """One pattern; ``guard`` means a negation right before the match cancels it."""

    pattern: re.Pattern[str]
    guard: bool


def _p(regex: str, *, guard: bool = True) -> _Phrase:
    return _Phrase(re.compile(regex), guard)


_OPT_OUT_PHRASES = (
    _p(
        r"退订|拒收|退定|取关|拉黑|屏蔽|(?:加入|加到|拉进|列入)黑名单|取消(?:订阅|短信|推送|发送|营销|关注|通知)"
    ),
    _p(r"(?:不想|不愿意?|拒绝)再?(?:收到?|接收|看到)", guard=False),
    _p(
        r"(?:别|不要|不用|勿|请勿|甭|不许|不准)再?(?:给我|给俺|跟我)?再?"
        r"(?:发|推送?|推销|推广|打扰|骚扰|联系|打电话|来电)"
        r"(?:了|啦|短信|信息|消息|广告|贷款|借款|产品|这[种类些个]|过来|给我|我"
        r"|$|[！。，？!,.?~ ])",
        guard=False,
    ),
    _p(
        r"再(?:发|打扰|骚扰|联系)(?P<gap>[^，。！？,.!?]{0,10})(?:投诉|举报|报警|拉黑|告你)",
        guard=False,
    ),
    _p(
        r"(?:删除|删掉|移除)(?:我的?)?(?:号码|手机号|电话|信息)"
        r"|(?:号码|手机号)(?:删除|删掉|移除)|从(?P<gap>[^，。]{0,6})名单[中里]?(?:删除|移除)"
    ),
    _p(r"\bunsubscribe\b|\bunsub\b|\bopt[- ]?out\b"),
    _p(
        r"\b(?:stop|quit) (?:texting|messaging|sending|spamming|contacting|emailing|calling"
        r"|bothering|harassing|sms|the (?:texts|messages|spam))\b"
    ),
    _p(
        r"(?:^|[,.!;] ?|\bi said |\bjust )(?:please |pls )?stop"
        r"(?:\s+(?:it|this|that|now|already|all|them|these|please|immediately))*\s*[!.]*$"
    ),
    _p(
        r"\b(?:don't|dont|do not|never) (?:text|message|sms|contact|call|email|spam|send)"
        r"(?: me| anything| any| this)",
        guard=False,
    ),
    _p(
        r"停止(?:发送|推送|发|营销)|\b(?:don't|do not) want (?:any ?more|these|your|any) "
        r"(?:texts?|messages?|sms|offers?)",
        guard=False,
    ),
    _p(r"\bno more (?:texts?|messages?|sms|spam|offers?|ads?)\b"),
    _p(r"\b(?:remove|delete) (?:me|my (?:number|phone|details|info))\b|\btake me off\b"),
    _p(r"\bleave me alone\b|\bnot interested\b"),
)

_COMPLAINT_PHRASES = (
    _p(r"骚扰", guard=False),
    _p(r"投诉|举报|报警|起诉|律师函|告你们|告你|维权|曝光"),
    _p(r"(?<![0-9])(?:12321|12378|12363|12315)(?![0-9])", guard=False),
    _p(r"工信部|银保监|保监会|银监会|金融监管|监管局|监管部门|消协"),
    _p(r"\bcomplain(?:t|ts|ing)?\b|\bharass(?:ment|ing)?\b|\bpolice\b|\bregulators?\b"),
    _p(r"\breport(?:ing)? (?:you|this|your|them|it)\b|\bsue you\b|\blawyer\b|\blegal action\b"),
)


@dataclass(frozen=True)
class ReplyClass:
    """What one inbound reply means for suppression and complaint handling."""

    opt_out: bool
    complaint: bool
    matched: str
    reason: str

    @property
    def kind(self) -> ReplyKind:
        """The single label the labelled set uses: ``both`` when both flags are set."""
        if self.opt_out and self.complaint:
            return "both"
        if self.opt_out:
            return "opt_out"
        return "complaint" if self.complaint else "other"


def classify_reply(text: str) -> ReplyClass:
    """Classify ``text`` (one inbound SMS) for opt-out and complaint routing."""
    if not isinstance(text, str):
        raise InputError(f"reply text must be a string, not {type(text).__name__}")
    folded = normalize(text).text.replace("\u2019", "'").replace("\u2018", "'").strip()
    complaint = _first_match(folded, _COMPLAINT_PHRASES)
    opt_out = (
        _whole_reply_code(folded)
        or _first_match(folded, _OPT_OUT_PHRASES)
        or (_leading_code(folded) if complaint else "")
    )
    matched = " | ".join(m for m in (opt_out, complaint) if m)
    return ReplyClass(bool(opt_out), bool(complaint), matched, _reason(opt_out, complaint))


def _reason(opt_out: str, complaint: str) -> str:
    parts = []
    if opt_out:
        parts.append(f"opt-out wording {opt_out!r}")
    if complaint:
        parts.append(f"complaint wording {complaint!r}")
    return "; ".join(parts) if parts else "no opt-out or complaint wording"


def _whole_reply_code(folded: str) -> str:
    """The reply itself when it is nothing but an opt-out code or a bare refusal."""
    core = _PUNCT.sub(" ", folded).strip()
    bare = _COURTESY.sub("", core.replace(" ", "") if _is_cjk(core) else core).strip()
    for candidate in (core, bare, core.replace(" ", "")):
        if candidate in _CODES or _REPLY_CODE.match(candidate):
            return candidate
    return ""


def _leading_code(folded: str) -> str:
    """A code that opens a reply which goes on to complain ("T 投诉", "Stop or I'll report").

    Only used together with a complaint, because on its own "stop by later" or "T+1到账吗"
    also open with a code-like word.
    """
    found = _LEADING_CODE.match(folded)
    return found.group(1) if found else ""


def _is_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _first_match(folded: str, phrases: tuple[_Phrase, ...]) -> str:
    """The first phrase found that no negation cancels, or ``""``."""
    for phrase in phrases:
        for found in phrase.pattern.finditer(folded):
            if not (phrase.guard and _negated(folded[: found.start()])):
                return _without_gap(found)
    return ""


def _without_gap(found: re.Match[str]) -> str:
    """The matched wording with its free-text ``gap`` (if any) replaced by an ellipsis.

    ``matched`` ends up in stored consent evidence and audit rows, so it must hold only the
    fixed vocabulary: the gap in "再发给张三我就投诉" could be a name or a number.
    """
    text = found.group(0)
    gap = found.groupdict().get("gap")
    if gap:
        start, end = found.span("gap")
        text = text[: start - found.start()] + "…" + text[end - found.start() :]
    return text.strip()


def _negated(before: str) -> bool:
    """Whether the text right before a phrase ends in a negation."""
    tail = before.rstrip()
    if _CONDITIONAL.search(tail.lower()):
        return False  # "if you don't stop texting me" still asks to stop
    return bool(_ZH_NEGATION.search(tail) or _EN_NEGATION.search(tail.lower()))
