"""The maker-checker flow end to end in Chromium, against the running demo system.

A marketer drafts a loan text that screening blocks, fixes it and submits it; a compliance
officer approves it; the marketer sets up a campaign, the officer approves that too, the
marketer starts it, and the campaign page's live counter and chart move as the service's
own worker sends through the simulated provider. Screenshots of each stage are saved under
tests/browser/screenshots/ (the failure hook adds one of the page that failed).
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from screens import shot

BLOCKED = "【示例银行】秒批！不看征信，最高可借20万，点击 http://dai.example.cn 立即申请"
FIXED = "【示例银行】{name}您好，您的账单{amount}已出，请于{due:date}前还款。回复TD退订"
VARIABLES = "amount=1000元\ndue=2026-12-15"
PASSWORDS = {"mia": "demo-mia-2026", "olga": "demo-olga-2026"}


def log_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.locator("[name=institution]").fill("demo-bank")
    page.locator("[name=username]").fill(username)
    page.locator("[name=password]").fill(PASSWORDS[username])
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("user")).to_have_text(username)


def log_out(page: Page) -> None:
    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("nav-login")).to_be_visible()


def draft_blocked_then_fixed(page: Page) -> str:
    """As the marketer: the blocked draft, its revision, submitted. Returns its page URL."""
    page.goto("/templates")
    page.get_by_test_id("draft-name").fill("browser-flow")
    page.get_by_test_id("draft-body").fill(BLOCKED)
    page.get_by_test_id("draft-submit").click()
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-verdict", "block")
    expect(page.get_by_test_id("span").first).to_be_visible()
    shot(page, "flow-1-draft-blocked")
    page.get_by_test_id("revise-body").fill(FIXED)
    page.get_by_test_id("revise-submit").click()
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-verdict", "pass")
    page.get_by_test_id("submit-version").click()
    expect(page.get_by_test_id("version-state")).to_have_attribute("data-state", "submitted")
    return page.url


def approve_version(page: Page, url: str) -> None:
    page.goto("/review")
    version_id = url.rstrip("/").rsplit("/", 1)[1]
    page.locator(f"[data-testid=review-item][data-id='{version_id}'] a").click()
    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("version-state")).to_have_attribute("data-state", "approved")
    shot(page, "flow-2-approved")


def create_campaign(page: Page) -> str:
    page.goto("/campaigns")
    page.get_by_test_id("campaign-name").fill("browser-flow-campaign")
    page.get_by_test_id("campaign-version").select_option(label="browser-flow v2")
    page.get_by_test_id("campaign-rate").fill("600")
    page.get_by_test_id("campaign-variables").fill(VARIABLES)
    page.get_by_test_id("campaign-create").click()
    expect(page.get_by_test_id("campaign-state")).to_have_attribute("data-state", "draft")
    return page.url


def test_draft_approve_start_and_watch_the_campaign_send(page: Page) -> None:
    log_in(page, "mia")
    version_url = draft_blocked_then_fixed(page)
    log_out(page)
    log_in(page, "olga")
    approve_version(page, version_url)
    log_out(page)
    log_in(page, "mia")
    campaign_url = create_campaign(page)
    log_out(page)
    log_in(page, "olga")
    page.goto(campaign_url)
    page.get_by_test_id("campaign-approve").click()
    expect(page.get_by_test_id("campaign-state")).to_have_attribute("data-state", "approved")
    log_out(page)
    log_in(page, "mia")
    page.goto(campaign_url)
    page.get_by_test_id("campaign-start").click()
    expect(page.get_by_test_id("campaign-state")).to_have_attribute("data-state", "running")
    # The counter is updated by the page's own script as the worker sends: no reload.
    expect(page.get_by_test_id("sent-total")).not_to_have_text(re.compile(r"^0$"), timeout=60_000)
    expect(page.locator("[data-testid=chart] polyline").first).to_be_attached()
    shot(page, "flow-3-campaign-sending")
