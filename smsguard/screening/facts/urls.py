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
from smsguard.screening.facts.textutil import span_of, word_set
from smsguard.screening.text import NormalizedText

_URL = re.compile(
    r"(?<![a-z0-9@._-])(?:(?P<scheme>https?)://)?"
    r"(?P<host>(?:\d{1,3}\.){3}\d{1,3}"
    r"|(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,24}|xn--[a-z0-9-]{2,30}))"
    r"(?![a-z0-9-])(?::(?P<port>\d{1,5}))?"
    r"(?P<path>[/?#][a-z0-9\-._~/?#@!$&*+=%:;]*)?"
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


def registered_domain(host: str) -> str:
    """eTLD+1 using a small built-in list of two-label public suffixes (com.cn, co.uk …)."""
    if _IP.fullmatch(host):
        return host
    labels = host.split(".")
    if len(labels) >= 3 and ".".join(labels[-2:]) in _MULTI_SUFFIXES:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _token_in_host(token: str, host: str) -> bool:
    if len(token) >= 5 or token.isdigit():
        return token in host
    for label in _LABEL_SPLIT.split(host):
        if label == token:
            return True
        for rest in (label.removeprefix(token), label.removesuffix(token)):
            if rest != label and (rest.isdigit() or rest in LURE_WORDS):
                return True
    return False


def lookalike_of(host: str, domain: str) -> str | None:
    """The brand a host borrows while not being on any of that brand's official domains."""
    if domain in _OFFICIAL_ANYWHERE:
        return None
    for brand in BRANDS:
        if any(_token_in_host(token, host) for token in brand.tokens):
            return brand.name
    return None


def _cased(nt: NormalizedText, start: int, end: int) -> str:
    """``nt.text[start:end]`` with the letter case of the original restored."""
    out: list[str] = []
    offsets = nt.offsets
    for i in range(start, end):
        lowered = nt.text[i]
        index = offsets[i] if offsets is not None else i
        original = nt.original[index] if index < len(nt.original) else lowered
        folded = unicodedata.normalize("NFKC", original)
        out.append(folded if folded.lower() == lowered else lowered)
    return "".join(out)


def _accept(match: re.Match[str]) -> bool:
    host = match["host"]
    if _IP.fullmatch(host):
        return all(int(octet) <= 255 for octet in host.split("."))
    tld = host.rsplit(".", 1)[1]
    if match["scheme"] or host.startswith("www.") or tld in _BARE_TLDS:
        return True
    return host in _SHORTENERS or registered_domain(host) in _SHORTENERS


def _fact(nt: NormalizedText, match: re.Match[str]) -> UrlFact:
    host, scheme = match["host"], match["scheme"]
    raw_path = match["path"] or ""
    path = raw_path.rstrip(_PATH_TRAILING)
    end = match.end() - (len(raw_path) - len(path))
    is_ip = bool(_IP.fullmatch(host))
    domain = registered_domain(host)
    tld = "" if is_ip else host.rsplit(".", 1)[1]
    port = f":{match['port']}" if match["port"] else ""
    cased_path = _cased(nt, end - len(path), end)
    span = span_of(nt, match.start(), end)
    return UrlFact(
        raw=nt.original[span[0] : span[1]],
        normalized=f"{scheme or 'http'}://{host}{port}{cased_path}",
        host=host,
        registered_domain=domain,
        tld=tld,
        port=int(match["port"]) if match["port"] else None,
        has_scheme=scheme is not None,
        is_shortener=host in _SHORTENERS or domain in _SHORTENERS,
        is_ip=is_ip,
        odd_tld=tld in _ODD_TLDS,
        is_apk=path.split("?", 1)[0].split("#", 1)[0].endswith(".apk"),
        lookalike_of=None if is_ip else lookalike_of(host, domain),
        span=span,
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
    for match in _URL.finditer(text):
        if _accept(match):
            facts.append(_fact(nt, match))
            spans.append(match.span())
    return tuple(facts), tuple(spans)
