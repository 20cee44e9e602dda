"""Programs and fonts the report tests need from outside Python (.ci/install-report-tools)."""

from __future__ import annotations

import os

import pytest


def require(what: str, found: object) -> None:
    """Fail in CI (``CI=true``), skip with the reason elsewhere, when ``found`` is falsy: a
    green CI run then always means the real program or font was exercised."""
    if found:
        return
    reason = f"{what} is not installed (run .ci/install-report-tools)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)
