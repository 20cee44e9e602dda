"""One rule for tests that need a program from outside Python (Kannel, the SMPP peer,
LibreOffice, a CJK font): when it is missing the test fails, naming what to install.

`make test` (and so CI) installs every such program first (the scripts in .ci/), so a
missing one means the set-up is broken, never that the test may be left out.
"""

from __future__ import annotations

import pytest


def need(what: str, found: object, install: str) -> None:
    """Fail the calling test unless ``found`` is truthy; ``install`` says how to get it."""
    if not found:
        pytest.fail(f"{what} is not installed; install it with {install}", pytrace=False)
