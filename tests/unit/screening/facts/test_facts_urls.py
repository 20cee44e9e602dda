"""Links, with and without a scheme, and their risk flags."""

from __future__ import annotations

import pytest

from smsguard.screening.facts.model import UrlFact
from smsguard.screening.facts.urls import find_urls, lookalike_of, registered_domain
from smsguard.screening.text import NormalizedText


def urls_of(text: str) -> tuple[UrlFact, ...]:
    return find_urls(NormalizedText(text, text.lower()))[0]


def only(text: str) -> UrlFact:
    (url,) = urls_of(text)
    return url


def test_url_with_scheme_path_and_port_keeps_case_in_path() -> None:
    url = only("请登录 HTTP://Loan.Example.COM:8080/Apply?id=AbC 提现")
    assert url.raw == "HTTP://Loan.Example.COM:8080/Apply?id=AbC"
    assert url.host == "loan.example.com"
    assert url.port == 8080
    assert url.normalized == "http://loan.example.com:8080/Apply?id=AbC"
    assert url.has_scheme
    assert url.registered_domain == "example.com"
    assert url.tld == "com"


@pytest.mark.parametrize(
    ("text", "host"),
    [
        ("点zszwyx.cn申请", "zszwyx.cn"),
        ("详见www.ccb.com/zj或95533", "www.ccb.com"),
        ("戳 t.cn/R73f9K7 退订回T", "t.cn"),
        ("visit bit.ly/3xYz now", "bit.ly"),
    ],
)
def test_bare_domains_are_links(text: str, host: str) -> None:
    url = only(text)
    assert url.host == host
    assert not url.has_scheme


def test_trailing_punctuation_is_not_part_of_the_link() -> None:
    assert only("详情见 abc.com/x.").raw == "abc.com/x"
    assert only("访问zszwyx.cn。").raw == "zszwyx.cn"


@pytest.mark.parametrize(
    "text",
    [
        "日利率0.05%",
        "e.g. and a.m.",
        "版本v1.2.3",
        "邮箱 name@qq.com",
        "report.pdf",
        "nothing here",
    ],
)
def test_non_links(text: str) -> None:
    assert urls_of(text) == ()


def test_shortener_flag() -> None:
    assert only("t.cn/abc").is_shortener
    assert only("http://w.url.cn/s/x").is_shortener
    assert only("bit.ly/x").is_shortener
    assert not only("www.icbc.com.cn").is_shortener


def test_ip_flag() -> None:
    url = only("下载 http://45.77.1.2:8080/app 立即提现")
    assert url.is_ip
    assert url.host == url.registered_domain == "45.77.1.2"
    assert url.tld == ""
    assert urls_of("版本 999.1.1.1") == ()  # not a valid address


def test_odd_tld_flag() -> None:
    assert only("loan-fast.xyz").odd_tld
    assert only("haojie.top/a").odd_tld
    assert not only("pingan.com").odd_tld


def test_apk_flag() -> None:
    assert only("下载 http://x.cn/dl/app.apk?v=2").is_apk
    assert not only("http://x.cn/dl/app.apks").is_apk


@pytest.mark.parametrize(
    ("host", "domain"),
    [
        ("www.icbc.com.cn", "icbc.com.cn"),
        ("a.b.example.co.uk", "example.co.uk"),
        ("br.pingan.com", "pingan.com"),
        ("gov.bj.cn", "gov.bj.cn"),
        ("x.y.gd.cn", "y.gd.cn"),
        ("t.cn", "t.cn"),
    ],
)
def test_registered_domain(host: str, domain: str) -> None:
    assert registered_domain(host) == domain


@pytest.mark.parametrize(
    ("host", "brand"),
    [
        ("cmb-verify.com", "cmb"),
        ("ccb-update.com", "ccb"),
        ("ccbvip.top", "ccb"),
        ("icbc-kefu.cn", "icbc"),
        ("www.95588.cc", "icbc"),
        ("pingan-daikuan.xyz", "pingan"),
        ("alipay-secure.net", "alipay"),
    ],
)
def test_lookalikes(host: str, brand: str) -> None:
    assert only(f"请登录 {host} 验证").lookalike_of == brand


@pytest.mark.parametrize(
    "host",
    ["br.pingan.com", "www.icbc.com.cn", "cmbchina.com", "www.cmbc.com.cn", "infra.com", "jdx.cn"],
)
def test_official_and_unrelated_hosts_are_not_lookalikes(host: str) -> None:
    assert lookalike_of(host, registered_domain(host)) is None


def test_link_spans_map_to_the_original() -> None:
    original = "点击ｗｗｗ．ＣＣＢ－ＶＩＰ．ｔｏｐ／Ａｂ"
    nt = NormalizedText(original, "点击www.ccb-vip.top/ab")
    ((url,), (text_span,)) = find_urls(nt)
    assert url.raw == original[2:]
    assert url.normalized == "http://www.ccb-vip.top/Ab"
    assert url.lookalike_of == "ccb"
    assert text_span == (2, len(nt.text))
