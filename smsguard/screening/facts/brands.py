"""Brand tokens and official domains, for spotting look-alike links (cmb-verify.com …).

This is CONFIGURABLE SEED DATA, not an authoritative registry: it lists a few major Chinese
banks, lenders, payment networks and regulators with the domains we believe they use. A
deployment should extend or replace it from its own allowlist (the sender directory) before
relying on it; a missing official domain only causes a false look-alike flag, never a miss.

Tokens of five or more characters, and digit tokens, match anywhere in a host. Shorter tokens
(jd, cmb, icbc …) are common letter runs (nfra is in "infra"), so they match only as a whole
dot/hyphen-separated label, or a label made of the token plus digits or a typical phishing
word (ccbvip, cmb95555, icbc-kefu).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Brand:
    """One institution: how its name shows up in hosts, and the domains it really owns."""

    name: str
    tokens: tuple[str, ...]
    official_domains: frozenset[str]


def _brand(name: str, tokens: str, domains: str) -> Brand:
    return Brand(name, tuple(tokens.split()), frozenset(domains.split()))


BRANDS: tuple[Brand, ...] = (
    _brand("icbc", "icbc 95588", "icbc.com.cn icbc.com icbc-ltd.com"),
    _brand("ccb", "ccb 95533", "ccb.com ccb.cn"),
    _brand("abc", "abchina 95599", "abchina.com abchina.com.cn"),
    _brand("boc", "boc bankofchina 95566", "boc.cn bankofchina.com"),
    _brand("bocom", "bankcomm bocom 95559", "bankcomm.com bankcomm.cn"),
    _brand("cmb", "cmbchina cmb", "cmbchina.com cmbchina.cn cmb.cn"),
    _brand("psbc", "psbc 95580", "psbc.com"),
    _brand("pingan", "pingan 95511", "pingan.com pingan.com.cn pingan.cn"),
    _brand("spdb", "spdb 95528", "spdb.com.cn"),
    _brand("cib", "cib 95561", "cib.com.cn"),
    _brand("citic", "citicbank citic 95558", "citicbank.com citic.com"),
    _brand("ceb", "cebbank 95595", "cebbank.com"),
    _brand("hxb", "hxb hxbank 95577", "hxb.com.cn"),
    _brand("cgb", "cgb cgbchina 95508", "cgbchina.com.cn"),
    _brand("cmbc", "cmbc msbc minsheng 95568", "cmbc.com.cn"),
    _brand("jd", "jd jdpay jdjr", "jd.com jd.hk jdpay.com 360buy.com jdt.com.cn"),
    _brand("alipay", "alipay antgroup", "alipay.com antgroup.com"),
    _brand("wechat", "weixin wechat", "qq.com wechat.com weixin.com"),
    _brand("unionpay", "unionpay 95516", "unionpay.com 95516.com unionpayintl.com"),
    _brand("duxiaoman", "duxiaoman", "duxiaoman.com"),
    _brand("nfra", "nfra cbirc", "nfra.gov.cn cbirc.gov.cn"),
    _brand("pbc", "pbc pbccrc", "pbc.gov.cn pbccrc.org.cn"),
)

# Words fraudsters glue onto a short brand token: ccbvip, cmbkefu, bocbank.
LURE_WORDS: frozenset[str] = frozenset(
    (
        *("vip", "bank", "app", "kf", "kefu", "loan", "dai", "card", "pay", "credit", "online"),
        *("service", "verify", "login", "secure", "help", "cs", "web", "wap", "m", "my", "e"),
        *("www", "net", "cn"),
    )
)
