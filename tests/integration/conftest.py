"""Fixtures for tests that run real programs next to smsguard.

``kannel`` is a running Kannel (bearerbox + smsbox) between smsguard and a test carrier, with
smsguard's callback server receiving its DLRs and MOs; see ``kannel/harness.py``. It starts
once per session and is reset before each test. Missing Kannel binaries skip these tests on
a developer's machine with the reason, and fail them in CI (``CI=true``), where a skip would
hide that the Kannel path was never exercised.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from kannel.harness import KannelStack, missing_binaries, running_stack


def require_kannel() -> None:
    """Skip (or, in CI, fail) the calling test when bearerbox or smsbox is not installed."""
    missing = missing_binaries()
    if not missing:
        return
    reason = (
        f"Kannel not installed ({', '.join(missing)} not found); "
        "install it with `apt-get install kannel` to run the Kannel integration tests"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def kannel_installed() -> None:
    """Skip, or fail in CI, when Kannel is not installed."""
    require_kannel()


@pytest.fixture(scope="session")
def kannel_stack(kannel_installed: None) -> Iterator[KannelStack]:
    with running_stack() as stack:
        yield stack


@pytest.fixture
def kannel(kannel_stack: KannelStack) -> Iterator[KannelStack]:
    """The session's Kannel stack with nothing sent or received yet."""
    kannel_stack.reset()
    yield kannel_stack
    kannel_stack.reset()
