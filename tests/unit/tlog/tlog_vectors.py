"""Vector files for the transparency-log tests (copied from the shared conformance set)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parents[2] / "fixtures" / "tlog"


@cache
def vectors(name: str) -> Any:
    """One vector file, parsed once per session."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def hexes(items: list[str]) -> list[bytes]:
    return [bytes.fromhex(item) for item in items]
