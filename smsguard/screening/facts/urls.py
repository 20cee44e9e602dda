"""Links in an SMS, with or without a scheme, and the risk flags carriers and police use.

Loan-fraud SMS rarely write ``https://``: a bare ``zszwyx.cn`` or ``t.cn/abc`` is enough for a
phone to make it clickable. So bare domains count too, but only with a TLD from a known list,
which keeps decimals, abbreviations (a.m., e.g.) and file names out. Hosts are matched in the
lower-cased text; the path keeps the case of the original, because short-link codes are
case-sensitive.
"""

from __future__ import annotations

import re
import unicodedata

from smsguard.screening.facts.brands import BRANDS, LURE_WORDS
from smsguard.screening.facts.model import UrlFact
from smsguard.screening.facts.textutil import span_of, trie_pattern, word_set
from smsguard.screening.text import NormalizedText

_TLD = r"(?:[a-z]{2,24}+|xn--[a-z0-9-]{2,30}+)(?![a-z0-9-])"
_DOMAIN = rf"(?:[a-z0-9][a-z0-9-]{{0,62}}+\.)++{_TLD}"
_IP_HOST = r"(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9.])"
_PORT_PATH = r"(?::(?P<port>[0-9]{1,5}))?(?P<path>[/?#][a-z0-9\-._~/?#@!$&*+=%:;]*+)?"
# Two patterns, each starting with something the regex engine can scan for: "http", or the
# first character of a bare host (checked not to be glued to a word, an e-mail or a scheme).
# Labels are matched possessively; a label always ends in "." and a TLD never does.
_SCHEME_URL = re.compile(rf"(?P<scheme>https?)://(?P<host>{_IP_HOST}|{_DOMAIN}){_PORT_PATH}")
_BARE_URL = re.compile(
    r"(?P<host>[a-z0-9](?<![a-z0-9@._/:-][a-z0-9])"
    r"(?:(?<=[0-9])[0-9]{0,2}\.(?:[0-9]{1,3}\.){2}[0-9]{1,3}(?![0-9.])"
    rf"|[a-z0-9-]{{0,62}}+\.(?:[a-z0-9][a-z0-9-]{{0,62}}+\.)*+{_TLD}))"
    rf"{_PORT_PATH}"
)
_IP = re.compile(r"(?:\d{1,3}\.){3}\d{1,3}")
_DOT_LETTER = re.compile(r"[a-z0-9]\.[a-z]")  # cheap pre-checks: most SMS have no link
_DOTTED_QUAD = re.compile(r"[0-9]\.[0-9]{1,3}\.[0-9]")
_PATH_TRAILING = ".:;!?"
_LABEL_SPLIT = re.compile(r"[.-]")

_BARE_TLDS = word_set(
    "com cn net org info biz io co me cc xyz top vip icu club site online live shop work click "
    "link fun ltd buzz cyou tk ml ga cf gq hk tw mo uk us jp kr sg my au de fr ru in app dev tv "
    "wang ren mobi pro asia ink red kim fit love art store tech space website press host life "
    "world today group cloud pub win bid loan men pw rest bank"
)
_ODD_TLDS = word_set(
    "xyz top cc vip icu club site online live shop work click link fun ltd buzz cyou tk ml ga cf "
    "gq wang ren bid loan men win pw rest"
)
_SHORTENERS = word_set(
    "t.cn url.cn w.url.cn dwz.cn suo.im bit.ly tinyurl.com goo.gl is.gd sohu.gg t.co ow.ly "
    "985.so mrw.so u.nu dwz.mk tb.cn c.tb.cn rebrand.ly cutt.ly s.id v.gd buff.ly tiny.cc rb.gy "
    "shorturl.at j.mp"
)
# Two-label public suffixes: Chinese provincial and generic SLDs, and a few common foreign ones.
_CN_SECOND_LEVEL = word_set(
    "bj sh tj cq he sx nm ln jl hl js zj ah fj jx sd ha hb hn gd gx hi sc gz yn xz sn gs qh nx xj "
    "com net org gov edu ac mil"
)
_MULTI_SUFFIXES = frozenset(f"{label}.cn" for label in _CN_SECOND_LEVEL) | word_set(
    "com.hk net.hk org.hk gov.hk edu.hk com.tw net.tw org.tw gov.tw com.mo co.uk org.uk ac.uk "
    "gov.uk co.jp ne.jp or.jp com.au net.au org.au com.sg com.my co.kr co.nz co.in com.ph com.vn"
)
_OFFICIAL_ANYWHERE = frozenset(d for brand in BRANDS for d in brand.official_domains)
# Brand tokens of five or more characters (and digit tokens) may sit anywhere in a host; shorter
# ones must make up a label (see brands.py). Both tables are built once from the seed data.
_LONG_TOKEN_BRAND = {t: b.name for b in BRANDS for t in b.tokens if len(t) >= 5 or t.isdigit()}
_LONG_TOKENS = re.compile(trie_pattern(_LONG_TOKEN_BRAND))
_SHORT_TOKENS = {
    t: b.name for b in reversed(BRANDS) for t in b.tokens if t not in _LONG_TOKEN_BRAND
}


def registered_domain(host: str) -> str:
    """eTLD+1 using a small built-in list of two-label public suffixes (com.cn, co.uk …)."""
    if _IP.fullmatch(host):
        return host
    labels = host.split(".")
    if len(labels) >= 3 and ".".join(labels[-2:]) in _MULTI_SUFFIXES:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _short_token_brand(label: str) -> str | None:
    """Brand of a label that is a short token, alone or glued to digits or a lure word."""
    brand = _SHORT_TOKENS.get(label)
    if brand is not None:
        return brand
    for cut in range(2, min(len(label), 5)):
        head, tail = label[:cut], label[cut:]
        if head in _SHORT_TOKENS and (tail.isdigit() or tail in LURE_WORDS):
            return _SHORT_TOKENS[head]
        head, tail = label[:-cut], label[-cut:]
        if tail in _SHORT_TOKENS and (head.isdigit() or head in LURE_WORDS):
            return _SHORT_TOKENS[tail]
    return None


def lookalike_of(host: str, domain: str) -> str | None:
    """The brand a host borrows while not being on any of that brand's official domains."""
    if domain in _OFFICIAL_ANYWHERE:
        return None
    long_hit = _LONG_TOKENS.search(host)
    if long_hit is not None:
        return _LONG_TOKEN_BRAND[long_hit.group()]
    for label in _LABEL_SPLIT.split(host):
        brand = _short_token_brand(label)
        if brand is not None:
            return brand
    return None


def _cased(nt: NormalizedText, start: int, end: int) -> str:
    """``nt.text[start:end]`` with the letter case of the original restored."""
    lowered = nt.text[start:end]
    if nt.offsets is None:
        original = nt.original[start:end]
        if original.lower() == lowered:
            return original  # the common case: an ASCII link typed as is
    out: list[str] = []
    for i, ch in enumerate(lowered, start):
        index = nt.offsets[i] if nt.offsets is not None else i
        folded = unicodedata.normalize("NFKC", nt.original[index])
        out.append(folded if folded.lower() == ch else ch)
    return "".join(out)


def _accept(host: str, has_scheme: bool) -> bool:
    if _IP.fullmatch(host):
        return all(int(octet) <= 255 for octet in host.split("."))
    if has_scheme or host.startswith("www.") or host.rsplit(".", 1)[1] in _BARE_TLDS:
        return True
    return host in _SHORTENERS or registered_domain(host) in _SHORTENERS


def _fact(nt: NormalizedText, match: re.Match[str], scheme: str | None) -> UrlFact:
    host, port_digits, raw_path = match.group("host", "port", "path")
    path = (raw_path or "").rstrip(_PATH_TRAILING)
    end = match.end() - (len(raw_path or "") - len(path))
    is_ip = _IP.fullmatch(host) is not None
    domain = registered_domain(host)
    tld = "" if is_ip else host.rsplit(".", 1)[1]
    port = f":{port_digits}" if port_digits else ""
    span = span_of(nt, match.start(), end)
    return UrlFact(
        nt.original[span[0] : span[1]],
        f"{scheme or 'http'}://{host}{port}{_cased(nt, end - len(path), end)}",
        host,
        domain,
        tld,
        int(port_digits) if port_digits else None,
        scheme is not None,
        host in _SHORTENERS or domain in _SHORTENERS,
        is_ip,
        tld in _ODD_TLDS,
        path.split("?", 1)[0].split("#", 1)[0].endswith(".apk"),
        None if is_ip else lookalike_of(host, domain),
        span,
    )


def find_urls(nt: NormalizedText) -> tuple[tuple[UrlFact, ...], tuple[tuple[int, int], ...]]:
    """(links, their spans in ``nt.text``) — the text spans let phone parsing skip links."""
    text = nt.text
    if "." not in text or not (
        "://" in text or _DOT_LETTER.search(text) or _DOTTED_QUAD.search(text)
    ):
        return (), ()
    facts: list[UrlFact] = []
    spans: list[tuple[int, int]] = []
    if "://" in text:
        for match in _SCHEME_URL.finditer(text):
            if _accept(match.group("host"), True):
                facts.append(_fact(nt, match, match.group("scheme")))
                spans.append(match.span())
    for match in _BARE_URL.finditer(text):
        if _accept(match.group("host"), False) and not _inside(match.start(), spans):
            facts.append(_fact(nt, match, None))
            spans.append(match.span())
    if len(facts) > 1:
        order = sorted(range(len(facts)), key=lambda i: spans[i])
        return tuple(facts[i] for i in order), tuple(spans[i] for i in order)
    return tuple(facts), tuple(spans)


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)
