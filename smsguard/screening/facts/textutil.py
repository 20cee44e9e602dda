"""Tiny string helpers shared by the extractors (word boundaries, clause windows)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from smsguard.screening.facts.model import Span
from smsguard.screening.text import NormalizedText

_CLAUSE_TAIL = re.compile(r"[^，。！？；,!?;\n]*+$")


def word_set(words: str) -> frozenset[str]:
    """A set from a space-separated word list (``_`` stands for a space inside a word)."""
    return frozenset(word.replace("_", " ") for word in words.split())


def standalone(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` (an ASCII word) is not glued to other ASCII letters."""
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    return not (before.isascii() and before.isalpha()) and not (after.isascii() and after.isalpha())


def clause_before(text: str, start: int, width: int) -> str:
    """Up to ``width`` characters before ``start``, cut at the last clause break."""
    tail = _CLAUSE_TAIL.search(text, max(0, start - width), start)
    return tail.group() if tail is not None else ""


def span_of(nt: NormalizedText, start: int, end: int) -> Span:
    """ORIGINAL-text span of ``nt.text[start:end]``.

    Extractors only produce in-range spans, so the common one-to-one case needs none of
    ``to_original``'s clamping; this shortcut matters because every fact carries a span.
    """
    return (start, end) if nt.offsets is None else nt.to_original(start, end)


def trie_pattern(words: Iterable[str]) -> str:
    """A regex alternation of ``words`` shaped as a prefix tree.

    Python's ``re`` tries the branches of a flat alternation one by one at every candidate
    position; sharing prefixes (日(?:利率|息)) makes a 100-word list several times cheaper to
    scan, and every top-level branch still starts with a literal the engine can skip to.
    Longer words win over their prefixes, as in a longest-first flat alternation.
    """
    trie: dict[str, dict[str, Any]] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _branches(trie, top=True)


def _branches(node: dict[str, Any], *, top: bool = False) -> str:
    alternatives = [re.escape(ch) + _branches(child) for ch, child in sorted(node.items()) if ch]
    if top or not alternatives:
        return "|".join(alternatives)
    body = alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"
    if "" in node:
        return f"(?:{body})?" if len(alternatives) == 1 else f"{body}?"
    return body
