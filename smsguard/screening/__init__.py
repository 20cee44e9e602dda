"""Screening: check an SMS against the rulebook, with findings, spans and legal basis.

    >>> from smsguard.screening import screen
    >>> screen("【好借银行】贷款秒批，点击申请").verdict
    'block'

``screen`` and ``screen_many`` use the built-in rulebook and default settings; build a
:class:`Screener` with :func:`smsguard.bootstrap.build_screener` for anything else.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from smsguard.screening.engine import Screener, ScreeningContext
from smsguard.screening.sender import SenderProfile, load_sender_profile
from smsguard.screening.verdict import Finding, Verdict

__all__ = [
    "Finding",
    "Screener",
    "ScreeningContext",
    "SenderProfile",
    "Verdict",
    "default_screener",
    "load_sender_profile",
    "screen",
    "screen_many",
]


@functools.cache
def default_screener() -> Screener:
    """The screener for the built-in rulebook with default settings, built once."""
    from smsguard.bootstrap import build_screener
    from smsguard.settings import Settings

    return build_screener(Settings())


def screen(
    text: str | bytes,
    *,
    sender: SenderProfile | None = None,
    context: ScreeningContext | Mapping[str, Any] | None = None,
) -> Verdict:
    """Screen one SMS with the built-in rulebook."""
    return default_screener().screen(text, sender=sender, context=context)


def screen_many(
    texts: Iterable[str | bytes],
    *,
    sender: SenderProfile | None = None,
    context: ScreeningContext | Mapping[str, Any] | None = None,
) -> Iterator[Verdict]:
    """Screen many SMS with the built-in rulebook, in batches, lazily."""
    return default_screener().screen_many(texts, sender=sender, context=context)
