"""Programs and fonts the report tests need from outside Python (.ci/install-report-tools)."""

from __future__ import annotations

from needs import need


def require(what: str, found: object) -> None:
    """Fail, naming the install script, when the program or font is missing."""
    need(what, found, "`.ci/install-report-tools`")
