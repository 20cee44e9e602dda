"""Made-up fraud templates and fraudster-style rewrites, for measuring the index.

The index claims to survive what changes from one copy of a scam to the next. This module
makes that claim testable without any real message: :func:`synthetic_templates` writes
distinct fraud-like templates with slots for names, amounts, links and phone numbers, and
:func:`rewrite` applies the changes fraudsters make to a text. The benchmark and the
property tests share it, so both measure the same thing.

Nothing here is drawn from a corpus: the phrases were written for this module and the
filler vocabulary is made of random characters, pronounceable made-up words and a list of
common English words.
"""

from __future__ import annotations

import itertools
import math
import random
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass

_SLOT = re.compile(r"\{(name|amount|url|phone|code)\}")
# Digit runs, and runs of x that a corpus wrote where it masked digits (``xxxx元``).
_DIGITS = re.compile(r"[0-9]+|(?<![a-wyzA-Z])x{2,}(?![a-wyzA-Z])")
_URL = re.compile(r"(?:https?://)?(?:[a-z0-9-]+\.)+(?:cn|com|top|xyz|net|cc|vip)(?:/[\w/.-]*)?")

_ZH_PHRASES = (
    "【{bank}】尊敬的{name}客户，您的账户因异常交易已被冻结",
    "您尾号{code}的银行卡今日将扣除年费{amount}元",
    "请立即点击 {url} 验证身份",
    "逾期未处理将影响您的个人征信",
    "如有疑问请致电客服 {phone}",
    "恭喜您获得{amount}元无抵押贷款额度，当天放款",
    "需先缴纳保证金{amount}元解冻账户",
    "钱直接打到这个卡上 {code} {name} {bank}",
    "户名：{name}，开户行：{bank}，汇款后回复",
    "您的快递因地址不详被退回，请登录 {url} 填写",
    "您已被选为幸运用户，领取奖品请访问 {url}",
    "社保卡即将停用，需重新认证",
    "{name}您好，我是您的领导，明天上午来我办公室",
    "您的信用卡额度可提升至{amount}元，回复Y办理",
    "系统检测到您的医保账户存在风险",
)
_ZH_SNIPPETS = ("{amount}元", "{url}", "致电{phone}", "{name}", "尾号{code}", "户名{name}")
_EN_SNIPPETS = ("{amount} GBP", "{url}", "call {phone}", "Dear {name}", "ref {code}")
_ZH_BANKS = ("工商银行", "建设银行", "农业银行", "中国银行", "招商银行", "邮政储蓄银行", "交通银行")
_EN_PHRASES = (
    "Dear {name}, your {brand} account has been suspended",
    "verify your details at {url} within 24 hours",
    "you have won a {amount} prize, call {phone} to claim",
    "your parcel could not be delivered, reschedule at {url}",
    "a payment of {amount} was declined, confirm at {url}",
    "Your tax refund of {amount} is waiting, apply now",
    "reply STOP to opt out, ref {code}",
    "unusual sign-in detected on your {brand} card ending {code}",
    "Hi {name}, this is the security team, please call {phone} urgently",
    "claim code {code} expires today",
)
_EN_BRANDS = ("Barclays", "Apple ID", "HMRC", "Royal Mail", "Netflix", "PayPal", "Amazon", "DHL")
_EN_WORD_TEXT = (
    "the of and to a in is you that it for on are with as be at this have from or one had by "
    "word but not what all were we when your can said there use an each which she do how their "
    "if will up other about out many then them these so some her would make like him into time "
    "has look two more write go see number no way could people my than first water been call "
    "who oil its now find long down day did get come made may part over new sound take only "
    "little work know place year live me back give most very after thing our just name good "
    "sentence man think say great where help through much before line right too mean old any "
    "same tell boy follow came want show also around form three small set put end does another "
    "well large must big even such because turn here why ask went men read need land different "
    "home us move try kind hand picture again change off play spell air away animal house point "
    "page letter mother answer found study still learn should world high every near add food "
    "between own below country plant last school father keep tree never start city earth eye "
    "light thought head under story saw left few while along might close something seem next "
    "hard open example begin life always those both paper together got group often run"
)
_EN_WORDS = tuple(_EN_WORD_TEXT.split(" "))
_EN_NAMES = (
    "john",
    "mary",
    "david",
    "sarah",
    "james",
    "linda",
    "robert",
    "emma",
    "michael",
    "olivia",
    "peter",
    "grace",
)
_ZH_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董"


def _gb2312_level1() -> str:
    """The 3,755 most common simplified characters, read from the GB2312 code table."""
    chars: list[str] = []
    for high in range(0xB0, 0xD8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


COMMON_HANZI = _gb2312_level1()


@dataclass(frozen=True, slots=True)
class SyntheticTemplate:
    """A fraud-like template with slots; every :meth:`fill` is one copy as a scammer sends it."""

    pattern: str
    chinese: bool

    def fill(self, seed: int, *, names_seed: int | None = None) -> str:
        """One copy: slot values follow from ``seed``, names from ``names_seed`` if given.

        Two copies with the same ``seed`` and different ``names_seed`` differ in names only.
        """
        positions = itertools.count()

        def value(match: re.Match[str]) -> str:
            kind = match.group(1)
            base = names_seed if kind == "name" and names_seed is not None else seed
            return _slot_value(kind, self.chinese, random.Random(base * 64 + next(positions)))

        return _SLOT.sub(value, self.pattern)

    def has_slot(self, kind: str) -> bool:
        """Whether the template has a ``{kind}`` slot (name, amount, url, phone, code)."""
        return f"{{{kind}}}" in self.pattern


def synthetic_templates(count: int, rng: random.Random) -> list[SyntheticTemplate]:
    """Write ``count`` distinct templates, half Chinese, half English.

    A template is three or four sentences of filler words drawn with a Zipf-like skew, with
    slots woven in and, in one template of three, a stock fraud phrase. Templates thus share
    vocabulary the way real messages do, yet any two rarely share more than a phrase.
    """
    zh_vocab = ["".join(rng.choices(COMMON_HANZI, k=rng.choice((1, 2, 2, 3)))) for _ in range(6000)]
    en_vocab = [_pseudo_word(rng) for _ in range(6000)]
    seen: set[str] = set()
    out: list[SyntheticTemplate] = []
    while len(out) < count:
        chinese = len(out) % 2 == 0
        pattern = _zh_pattern(zh_vocab, rng) if chinese else _en_pattern(en_vocab, rng)
        if pattern not in seen:
            seen.add(pattern)
            out.append(SyntheticTemplate(pattern, chinese))
    return out


def _zh_pattern(vocab: list[str], rng: random.Random) -> str:
    parts = ["".join(_skewed_choices(vocab, rng, rng.randint(4, 7))) for _ in range(3)]
    parts += rng.sample(_ZH_SNIPPETS, 2)
    if rng.random() < 0.33:
        parts.append(rng.choice(_ZH_PHRASES))
    rng.shuffle(parts)
    return "，".join(parts).replace("{bank}", rng.choice(_ZH_BANKS)) + "。"


def _en_pattern(vocab: list[str], rng: random.Random) -> str:
    def word() -> str:
        return _skewed_choices(_EN_WORDS if rng.random() < 0.5 else vocab, rng, 1)[0]

    parts = [" ".join(word() for _ in range(rng.randint(5, 8))) for _ in range(3)]
    parts += rng.sample(_EN_SNIPPETS, 2)
    if rng.random() < 0.33:
        parts.append(rng.choice(_EN_PHRASES))
    rng.shuffle(parts)
    return ". ".join(parts).replace("{brand}", rng.choice(_EN_BRANDS)) + "."


def _pseudo_word(rng: random.Random) -> str:
    """A pronounceable made-up word, so English filler is not all stop words."""
    syllables = rng.randint(1, 3)
    return "".join(rng.choice("bcdfghklmnprstvw") + rng.choice("aeiou") for _ in range(syllables))


def _skewed_choices(vocab: Sequence[str], rng: random.Random, k: int) -> list[str]:
    """Pick words with a Zipf-like skew: rank is log-uniform, as word use roughly is."""
    top = math.log(len(vocab))
    return [vocab[int(math.exp(rng.random() * top)) - 1] for _ in range(k)]


def _slot_value(slot: str, chinese: bool, rng: random.Random) -> str:
    if slot == "name":
        return _random_name(chinese, rng)
    if slot == "amount":
        return str(rng.choice((50, 200, 500, 1000, 3000, 20000)) + rng.randint(0, 99))
    if slot == "url":
        return _random_url(rng)
    if slot == "phone":
        return "1" + "".join(rng.choices(string.digits, k=10))
    return "".join(rng.choices(string.digits, k=rng.randint(4, 6)))


def _random_name(chinese: bool, rng: random.Random) -> str:
    if chinese:
        given = "".join(rng.choices(COMMON_HANZI, k=rng.randint(1, 2)))
        return rng.choice(_ZH_SURNAMES) + given
    return rng.choice(_EN_NAMES).capitalize()


def _random_url(rng: random.Random) -> str:
    host = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 9)))
    tld = rng.choice(("cn", "com", "top", "xyz", "vip"))
    path = "".join(rng.choices(string.ascii_letters + string.digits, k=rng.randint(0, 6)))
    return f"http://{host}.{tld}/{path}" if path else f"{host}.{tld}"


# --- rewrites --------------------------------------------------------------------------

_SEPARATORS = (" ", "·", "-", "*", "|", "\u200b", "_", "/", "~", "　")
_LOOKALIKES = dict(
    zip(
        "aceopxyiABCEHKMOPTXdsj0123456789",
        "асеорхуіАВСЕНКМОРТХԁѕј０１２３４５６７８９",
        strict=True,
    )
)
_TRADITIONAL = dict(
    zip(
        "银账户点击证冻结费钱转号贷请验资额还网时们会员动办务线万发给这个为东卡户码领奖递医险",
        "銀賬戶點擊證凍結費錢轉號貸請驗資額還網時們會員動辦務線萬發給這個為東卡戶碼領獎遞醫險",
        strict=True,
    )
)


def change_numbers(text: str, rng: random.Random) -> str:
    """Give every digit run (or masked ``xxx`` run) new digits and a length ±1."""

    def fresh(match: re.Match[str]) -> str:
        length = max(1, len(match.group()) + rng.choice((-1, 0, 0, 1)))
        return "".join(rng.choices(string.digits, k=length))

    return _DIGITS.sub(fresh, text)


def change_links(text: str, rng: random.Random) -> str:
    """Point every link at a fresh domain, as scammers do once a domain is blocked."""
    return _URL.sub(lambda _match: _random_url(rng), text)


def insert_separators(text: str, rng: random.Random, rate: float = 0.1) -> str:
    """Wedge separators (spaces, dots, zero-width spaces …) between characters."""
    out: list[str] = []
    for ch in text:
        out.append(ch)
        if rng.random() < rate:
            out.append(rng.choice(_SEPARATORS))
    return "".join(out)


def swap_homoglyphs(text: str, rng: random.Random, rate: float = 0.3) -> str:
    """Swap characters for look-alikes: Cyrillic letters, full-width digits, traditional forms."""
    return "".join(
        _LOOKALIKES.get(ch, _TRADITIONAL.get(ch, ch)) if rng.random() < rate else ch for ch in text
    )


def edit_characters(text: str, rng: random.Random, rate: float = 0.1) -> str:
    """Apply ``floor(rate * len(text))`` random substitutions, insertions and deletions.

    Replacement characters come from the script of the text, as a human rewrite would.
    """
    chars = list(text)
    pool = COMMON_HANZI if any(ch >= "\u3400" for ch in text) else string.ascii_lowercase
    for _ in range(int(rate * len(text))):
        if not chars:
            break
        position = rng.randrange(len(chars))
        kind = rng.random()
        if kind < 0.5:
            chars[position] = rng.choice(pool)
        elif kind < 0.75:
            chars.insert(position, rng.choice(pool))
        else:
            del chars[position]
    return "".join(chars)


def rewrite(text: str, rng: random.Random, *, edit_rate: float = 0.1) -> str:
    """Apply every fraudster change at once: numbers, links, edits, look-alikes, separators.

    Names are changed by filling a :class:`SyntheticTemplate` again before calling this.
    """
    changed = change_links(change_numbers(text, rng), rng)
    changed = edit_characters(changed, rng, edit_rate)
    return insert_separators(swap_homoglyphs(changed, rng), rng)


FAMILIES = ("numbers", "links", "names", "separators", "homoglyphs", "edits", "all", "all-10%")
_OTHER_COPY = 1_000_003


def template_variant(
    template: SyntheticTemplate, seed: int, family: str, rng: random.Random
) -> str:
    """A variant of ``template.fill(seed)`` changed the way ``family`` says.

    ``edits`` edits up to 10% of the characters (a uniform share), ``all`` makes every
    change at once with that share, ``all-10%`` every change with exactly 10%.
    """
    if family == "names":
        return template.fill(seed, names_seed=seed + _OTHER_COPY)
    if family in ("all", "all-10%"):
        return text_variant(template.fill(seed + _OTHER_COPY), family, rng)
    return text_variant(template.fill(seed), family, rng)


def text_variant(text: str, family: str, rng: random.Random) -> str:
    """:func:`template_variant` for a plain text, which has no name slots to refill."""
    if family == "numbers":
        return change_numbers(text, rng)
    if family == "links":
        return change_links(text, rng)
    if family == "separators":
        return insert_separators(text, rng)
    if family == "homoglyphs":
        return swap_homoglyphs(text, rng)
    if family == "edits":
        return edit_characters(text, rng, rng.uniform(0.0, 0.1))
    if family in ("all", "all-10%"):
        return rewrite(text, rng, edit_rate=0.1 if family == "all-10%" else rng.uniform(0.0, 0.1))
    raise ValueError(f"no {family!r} variant of a plain text; choose one of {FAMILIES}")
