"""The 【…】 sender signature.

Carriers accept a real-name-filed signature only in full-width 【】 at the very start; one at
the end is intercepted, and any other 【…】 in the body is forbidden because readers (and
filters) would take it for the sender. Impersonators sometimes use look-alike brackets ([..],
〖..〗) to dodge signature filing, so a message that opens or closes with one is flagged.
"""

from __future__ import annotations

import re

from smsguard.screening.facts.model import Signature, Span
from smsguard.screening.facts.textutil import span_of
from smsguard.screening.text import NormalizedText

_WELL_FORMED = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]{2,16}")
_LOOKALIKE = re.compile(r"\s*(?:\[[\u4e00-\u9fffa-z0-9]{2,16}\]|〖[^〖〗\s]{2,16}〗)")
_LOOKALIKE_END = re.compile(r"(?:\[[\u4e00-\u9fffa-z0-9]{2,16}\]|〖[^〖〗\s]{2,16}〗)[\s。.!！]*$")
_TRAILING = " \t\r\n。.!！~～"
_MAX_INNER = 40


def _bracket_pairs(text: str) -> list[tuple[int, int]]:
    """Spans of 【…】 pairs with 1–40 characters inside and no nested 【 or line break."""
    pairs: list[tuple[int, int]] = []
    start = text.find("【")
    while start != -1:
        close = text.find("】", start + 1)
        if close == -1:
            break
        inner_open = text.rfind("【", start + 1, close)
        if inner_open != -1:
            start = inner_open  # 【【x】: the inner bracket is the real pair
        if 0 < close - start - 1 <= _MAX_INNER and "\n" not in text[start:close]:
            pairs.append((start, close + 1))
        start = text.find("【", close + 1)
    return pairs


def _signature(nt: NormalizedText, pair: tuple[int, int], at_start: bool) -> Signature:
    start, end = pair
    span = span_of(nt, start, end)
    inner = nt.original[span[0] + 1 : span[1] - 1]
    well_formed = _WELL_FORMED.fullmatch(inner) is not None and not inner.isdigit()
    at_end = not nt.text[end:].strip(_TRAILING)
    return Signature(inner, span, at_start, at_end, well_formed)


def _has_lookalike(text: str) -> bool:
    if "[" not in text and "〖" not in text:
        return False
    return _LOOKALIKE.match(text) is not None or _LOOKALIKE_END.search(text) is not None


def find_signature(nt: NormalizedText) -> tuple[Signature | None, tuple[Span, ...], bool]:
    """(signature, other 【…】 spans, look-alike bracket signature present).

    The signature is the 【…】 that opens the message, else the one that closes it; any other
    bracket pair is reported as an extra. The look-alike flag only matters when there is no
    real signature, so it is False whenever one was found.
    """
    text = nt.text
    pairs = _bracket_pairs(text) if "【" in text else []
    if not pairs:
        return None, (), _has_lookalike(text)
    first = pairs[0][0]
    lead = first if first == 0 or not text[:first].strip() else -1
    chosen: tuple[int, int] | None = None
    if first == lead:
        chosen = pairs[0]
    elif not text[pairs[-1][1] :].strip(_TRAILING):
        chosen = pairs[-1]
    if chosen is None:
        return None, tuple(span_of(nt, *pair) for pair in pairs), _has_lookalike(text)
    extras = tuple(span_of(nt, *p) for p in pairs if p is not chosen) if len(pairs) > 1 else ()
    return _signature(nt, chosen, chosen[0] == lead), extras, False
