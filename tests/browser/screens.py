"""Screenshots of browser pages, for the failure hook and for the record (the module has its
own name so it never clashes with another folder's ``conftest``)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page

SCREENSHOTS = Path(__file__).parent / "screenshots"


def shot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as screenshots/<name>.png and print where."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path
