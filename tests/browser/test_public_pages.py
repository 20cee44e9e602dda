"""The public pages in a real browser: "is this SMS real?" and the dashboard login."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from screens import shot

FRAUD = "【工商银行】您的账户已冻结，请点击 http://icbc-jiedong.cn 缴纳解冻费"


def test_verify_page_shows_a_fraud_sms_as_not_genuine(page: Page) -> None:
    page.goto("/verify")
    page.locator("[name=institution]").select_option("demo-bank")
    page.locator("[name=phone]").fill("13800000001")
    page.locator("[name=text]").fill(FRAUD)
    page.locator("form[action='/verify'] [type=submit]").click()
    answer = page.get_by_test_id("verify-answer")
    expect(answer).to_have_attribute("data-genuine", "false")
    expect(answer.get_by_test_id("verdict")).to_have_attribute("data-verdict", "block")
    shot(page, "verify-fraud-sms")


def test_login_page_logs_the_demo_marketer_in(page: Page) -> None:
    page.goto("/login")
    page.locator("[name=institution]").fill("demo-bank")
    page.locator("[name=username]").fill("mia")
    page.locator("[name=password]").fill("demo-mia-2026")
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(lambda url: "/login" not in url)
    expect(page.get_by_test_id("user")).to_have_text("mia")
    shot(page, "dashboard-home-mia")


def test_a_wrong_password_stays_on_the_login_page(page: Page) -> None:
    page.goto("/login")
    page.locator("[name=institution]").fill("demo-bank")
    page.locator("[name=username]").fill("mia")
    page.locator("[name=password]").fill("not-the-demo-password")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-failed")).to_be_visible()
