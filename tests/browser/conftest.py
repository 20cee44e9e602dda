"""Browser tests: the demo system (``smsguard demo`` + ``smsguard serve``) in real Chromium.

Once per session a demo home is seeded in a temporary folder and ``smsguard serve`` starts
on a free port (tests/demo_service.py); Playwright drives Debian's Chromium at
/usr/bin/chromium, headless. A missing Chromium fails the tests, naming
``.ci/install-chromium`` (tests/needs.py): a skip would hide that no page was ever opened.
When a test fails, a screenshot of its page is saved under tests/browser/screenshots/
(git-ignored) and its path printed; ``shot`` saves one on purpose.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from demo_service import Service, ok, start
from needs import need
from playwright.sync_api import Browser, Page, sync_playwright
from screens import shot

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]  # fmt: skip


@pytest.fixture(scope="session")
def demo_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """``smsguard serve`` over a freshly seeded demo home, for the whole session."""
    home = tmp_path_factory.mktemp("browser-demo-home")
    ok(home, "demo")
    service = start(home)
    yield service
    code, _, err = service.stop()
    assert code == 0, err


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    need("Chromium (/usr/bin/chromium)", CHROMIUM.exists(), "`.ci/install-chromium`")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, demo_service: Service, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(base_url=demo_service.url, locale="zh-CN")
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    request.node.browser_page = opened  # for the failure hook below
    yield opened
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    opened = getattr(item, "browser_page", None)
    if report.failed and report.when == "call" and opened is not None and not opened.is_closed():
        try:
            path = shot(opened, f"FAILED-{item.name}")
        except Exception as exc:  # the page may be gone; the failure itself matters more
            path = Path(f"(no screenshot: {type(exc).__name__})")
        report.sections.append(("screenshot", str(path)))
        print(f"\nscreenshot of the failed page: {path}")
