"""The fingerprint text: what is left of an SMS once everything a fraudster varies is gone.

:func:`~smsguard.risk.canonical.canonical` already folds look-alike characters, links,
digit runs and punctuation. Three more things vary between copies of one scam and would
otherwise weigh heavily in the fingerprint of a short message:

* **names** of the payee or the addressee (``户名：张伟``, ``0 建行 李娜``, ``尊敬的王芳先生``,
  ``李经理``, ``dear john``). A Chinese name is two or three characters in a message of
  twenty, so a new name alone would cut the overlap of two copies by a third. A name is a
  common surname plus one or two ideographs with a *cue* beside it: a label such as ``户名``
  before it, a title after it, a bank next to it, or, in a message naming a bank, a card
  number next to it (see :class:`_NameMasker`). Names become one placeholder, ``Ⓝ``.
  Template and query go through the same rule, so a wrong guess costs a little detail,
  not a match;
* **how a number is grouped**: ``6222 0212 3456`` and ``62220212 3456`` are one number, and
  ``xxxx.xxxx``, as one corpus masks digits, is a number too, not a link;
* **spacing**: separators wedged inside words become spaces in the canonical text, so all
  spaces are dropped.
"""

from __future__ import annotations

import re

from smsguard.risk.canonical import canonical

TEXT_VERSION = "t2"  # bump when the rules below change: stored signatures depend on them
NAME = "\u24c3"  # Ⓝ: cannot occur in canonical text, so it never collides with content

# Common single-character surnames. Compound ones (欧阳, 司马) begin with one of these, rare
# ones are not masked, and a few common ones are left out because after a number they are far
# more often a word (万元, 全场, 米, 时间, 单价, 包邮, 查询, 明天, 商户, 项目, 费用 …).
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺"
    "顾毛郝龚邵钱严覃武戴莫孔向汤常温康施牛樊葛邢齐乔伍庞颜倪庄聂章鲁岳翟殷詹申欧"
    "耿兰焦俞左柳甘祝宁尚符舒阮柯纪梅童凌毕季裴霍涂苗谷盛曲翁冉骆蓝游辛靳柴蒙"
    "鲍华喻祁蒲滕屈饶牟艾尤阳穆卓吉缪娄窦戚岑景卜冷晏卫"
    "柏宗瞿桂佟臧闵邬卞姬仇栾隋刁巫寇桑郎甄虞敖巩佘迟邝"
)
# Two-character words that begin with a surname and sit next to numbers: never names.
_NOT_NAMES = frozenset(
    (
        *("余额", "金额", "金币", "黄金", "周年", "周岁", "周末", "周六", "周日", "马上"),
        *("高达", "高于", "顾客", "谢谢", "左右", "龙湖", "宁波", "兰州", "苏州", "江苏"),
        *("华为", "温州", "常州", "韩国", "欧元", "任意", "任何", "程序", "范围", "石家"),
        *("申请", "付款", "祝您", "祝你", "祝各"),
    )
)
# Banks and payment channels named next to a payee; longest first so the regex takes them whole.
_BANKS = sorted(
    (
        *("工商银行", "工商", "工行", "建设银行", "建行", "农业银行", "农行", "中国银行", "中行"),
        *("招商银行", "招行", "交通银行", "交行", "邮政储蓄银行", "邮政储蓄", "邮储银行", "邮储"),
        *("邮政银行", "邮政", "农村信用社", "信用社", "农商银行", "农商行", "浦发银行", "民生银行"),
        *("兴业银行", "光大银行", "中信银行", "华夏银行", "平安银行", "广发银行", "银行"),
        *("支付宝", "微信"),
    ),
    key=len,
    reverse=True,
)
# Words before a name that make it one whatever else surrounds it.
_LABELS = (
    *("开户名", "账户名", "户名", "收款人", "收款名", "姓名", "名字叫", "名字是", "名字"),
    *("持卡人", "联系人", "尊敬的", "亲爱的", "致"),
)
# Words after a surname (and given name) that make it a name: titles and greetings.
_TITLES = ("先生", "女士", "小姐", "您好", "你好", "经理", "老师", "主任", "老板", "同学")

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_BANK = "|".join(_BANKS)
_TITLE = "|".join(_TITLES)
_LABEL = "|".join(_LABELS)
# A surname before a title (李经理), or a surname and one or two ideographs ending where a name
# can end. The pattern starts with the surname class so that ``re`` can scan for it quickly.
_CANDIDATE = re.compile(
    rf"[{_SURNAMES}](?:(?={_TITLE})|[{_CJK}]{{1,2}}(?=\s|0|↗|$|{_BANK}|{_TITLE}))"
)
_LEFT_LABEL = re.compile(rf"(?:{_LABEL})\s?$")
_LEFT_BANK = re.compile(rf"(?:{_BANK})\s?$")
_LEFT_NUMBER = re.compile(r"[0↗]\s?$")
_RIGHT_BANK = re.compile(rf"\s?(?:{_BANK})")
_RIGHT_TITLE = re.compile(_TITLE)
_RIGHT_NUMBER = re.compile(r"\s?[0↗]")
_HAS_BANK = re.compile(_BANK)
_STARTS_BANK = _HAS_BANK
_SALUTATION = re.compile(r"\b(?:dear|hi|hello|attn)\s[a-z]+")
_HAS_CJK = re.compile(f"[{_CJK}]")
_SALUTATION_HINT = re.compile("dear|hi|hello|attn")
_NUMBER_GROUPS = re.compile(r"0(?:\s*0)+")
# Runs of x where a corpus masked digits (xxxx.xxxx): read as the digits they stand for, so a
# template from a masked corpus and the real message with digits read alike.
_MASKED_DIGITS = re.compile(r"(?<![a-wyzA-WYZ])[xX]{2,}(?![a-wyzA-WYZ])")


def fingerprint_text(text: str) -> str:
    """Return the text a fingerprint is taken of (see the module docstring)."""
    if "xx" in text or "XX" in text:
        text = _MASKED_DIGITS.sub("0", text)
    folded = canonical(text)
    if "0" in folded:
        folded = _NUMBER_GROUPS.sub("0", folded)
    if _HAS_CJK.search(folded) is not None:
        masker = _NameMasker(_HAS_BANK.search(folded) is not None)
        folded = _CANDIDATE.sub(masker, folded)
    elif _SALUTATION_HINT.search(folded) is not None:
        folded = _SALUTATION.sub(_salutation, folded)
    return folded.replace(" ", "")


class _NameMasker:
    """Decides, for each candidate, whether its surroundings make it a person's name.

    A label before it (``户名``, ``尊敬的``), a title after it (``先生``, ``经理``) or a bank
    next to it is enough. A card number or link next to it counts only in a message that
    names a bank: ``0 张伟`` is a payee there, while ``0 万元`` elsewhere is an amount.
    Otherwise the candidate must not be glued to other words on its left.
    """

    def __init__(self, names_a_bank: bool) -> None:
        self._names_a_bank = names_a_bank

    def __call__(self, match: re.Match[str]) -> str:
        source, start, end = match.string, match.start(), match.end()
        word = match.group()
        if word[:2] in _NOT_NAMES or _STARTS_BANK.match(source, start):
            return word  # a word, or a bank's own name (华夏银行)
        window = max(0, start - 7)
        if _LEFT_LABEL.search(source, window, start) or _RIGHT_TITLE.match(source, end):
            return NAME
        left_bank = _LEFT_BANK.search(source, window, start) is not None
        if left_bank or _RIGHT_BANK.match(source, end):
            return NAME if left_bank or start == 0 or not _glued(source, start) else word
        if not self._names_a_bank or _glued(source, start):
            return word
        if _LEFT_NUMBER.search(source, window, start) or _RIGHT_NUMBER.match(source, end):
            return NAME
        return word


def _glued(source: str, start: int) -> bool:
    """Whether an ideograph sits right before ``start`` (the candidate ends a longer word)."""
    return start > 0 and "\u3400" <= source[start - 1] <= "\ufaff"


def _salutation(match: re.Match[str]) -> str:
    """``dear john`` and ``dear customer`` read alike: the addressee is what changes."""
    return match.group().split(" ", 1)[0] + NAME
