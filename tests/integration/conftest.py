"""Fixtures for tests that run real programs next to smsguard.

``kannel`` is a running Kannel (bearerbox + smsbox) between smsguard and a test carrier, with
smsguard's callback server receiving its DLRs and MOs; see ``kannel/harness.py``. It starts
once per session and is reset before each test. Missing Kannel binaries fail these tests,
naming the install script (tests/needs.py): a skip would hide that the Kannel path was never
exercised.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from kannel.harness import KannelStack, missing_binaries, running_stack
from needs import need


@pytest.fixture(scope="session")
def kannel_installed() -> None:
    """Fail, naming what to install, when bearerbox or smsbox is missing."""
    missing = missing_binaries()
    need(f"Kannel ({', '.join(missing)})", not missing, "`.ci/install-kannel`")


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
