"""The 【…】 sender signature.

Carriers accept a real-name-filed signature only in full-width 【】 at the very start; one at
the end is intercepted, and any other 【…】 in the body is forbidden because readers (and
filters) would take it for the sender. Impersonators sometimes use look-alike brackets ([..],
〖..〗) to dodge signature filing, so those are flagged too.
"""

from __future__ import annotations

import re

from smsguard.screening.facts.model import Signature, Span
from smsguard.screening.text import NormalizedText

_BRACKET = re.compile(r"【([^【】\n]{1,40})】")
_WELL_FORMED = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]{2,16}")
_LOOKALIKE = re.compile(r"^\s*(?:\[[\u4e00-\u9fffa-z0-9]{2,16}\]|〖[^〖〗\s]{2,16}〗)")
_LOOKALIKE_END = re.compile(r"(?:\[[\u4e00-\u9fffa-z0-9]{2,16}\]|〖[^〖〗\s]{2,16}〗)[\s。.!！]*$")
_TRAILING = frozenset(" \t\r\n。.!！~～")


def _is_at_end(text: str, end: int) -> bool:
    return all(ch in _TRAILING for ch in text[end:])


def _signature(nt: NormalizedText, match: re.Match[str], at_start: bool) -> Signature:
    inner_start, inner_end = nt.to_original(match.start(1), match.end(1))
    inner = nt.original[inner_start:inner_end]
    well_formed = bool(_WELL_FORMED.fullmatch(inner)) and not inner.isdigit()
    at_end = _is_at_end(nt.text, match.end())
    return Signature(inner, nt.to_original(*match.span()), at_start, at_end, well_formed)


def find_signature(nt: NormalizedText) -> tuple[Signature | None, tuple[Span, ...], bool]:
    """(signature, other 【…】 spans, look-alike bracket signature present).

    The signature is the 【…】 that opens the message, else the one that closes it; any other
    bracket pair is reported as an extra. The look-alike flag only matters when there is no
    real signature, so it is False whenever one was found.
    """
    text = nt.text
    matches = list(_BRACKET.finditer(text)) if "【" in text else []
    lead = len(text) - len(text.lstrip())
    chosen: re.Match[str] | None = None
    if matches and matches[0].start() == lead:
        chosen = matches[0]
    elif matches and _is_at_end(text, matches[-1].end()):
        chosen = matches[-1]
    extras = tuple(nt.to_original(*m.span()) for m in matches if m is not chosen)
    if chosen is None:
        return None, extras, _has_lookalike(text)
    return _signature(nt, chosen, chosen.start() == lead), extras, False


def _has_lookalike(text: str) -> bool:
    if "[" not in text and "〖" not in text:
        return False
    return bool(_LOOKALIKE.match(text) or _LOOKALIKE_END.search(text))
