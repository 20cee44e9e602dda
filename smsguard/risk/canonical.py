"""The text the model and the fingerprint index look at: what survives a fraudster's rewrite.

Screening's :func:`~smsguard.screening.normalize.normalize` already folds look-alike
characters, traditional characters, full-width forms and separators wedged between
ideographs. On top of that, learned scoring must not depend on what changes from one copy of
a scam to the next, or from one corpus to the next:

* every link becomes ``↗`` (the domain changes weekly; that a link is there does not);
* every run of digits becomes ``0`` -- one character whatever its length, so amounts, phone
  numbers and dates collapse. Runs of ``x`` that stand where digits stood (one public corpus
  masks every digit that way: ``xxx元``) and placeholders such as ``{name}`` or ``DIGIT`` are
  read the same way;
* punctuation and spacing become a single space, so a stripped or re-punctuated copy reads
  the same; letters are lower-cased.

The result is for models only: it is lossy and has no map back to the original.
"""

from __future__ import annotations

import re

from smsguard.screening.normalize import normalize

LINK = "↗"
NUMBER = "0"

_LINK = re.compile(
    r"(?:https?://|www\.)[\x21-\x7e]+"
    r"|(?<![a-z0-9@._-])[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.[a-z]{2,12}"
    r"(?![a-z0-9-])(?:/[\x21-\x7e]*)?"
)
_PLACEHOLDER = re.compile(
    r"\$?\{[^{}]{0,40}\}|\[(?:digit|place|name|num|number|phone|url)\]|(?<![a-z])(?:digit|place)(?![a-z])"
)
_MAY_HOLD_PLACEHOLDER = re.compile(r"[{\[]|digit|place")
# Digits, and x-runs that stand in for masked digits: an x-run counts when it touches a digit
# or is not part of an ASCII word.
_NUMBER = re.compile(r"[0-9](?:[0-9x.,:/-]*[0-9x])?|(?<![a-wyz])x+(?![a-wyz])")
_NOISE = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af↗]+")


def canonical(text: str) -> str:
    """Return the canonical model text of one SMS (see the module docstring)."""
    folded = normalize(text).text
    # Each substitution costs a full regex pass; most SMS need neither of the first two, and
    # a link always has a dot or "://", a placeholder a brace, a bracket or the word digit/place.
    if "." in folded or "://" in folded:
        folded = _LINK.sub(LINK, folded)
    if _MAY_HOLD_PLACEHOLDER.search(folded) is not None:
        folded = _PLACEHOLDER.sub(NUMBER, folded)
    folded = _NUMBER.sub(NUMBER, folded)
    return _NOISE.sub(" ", folded).strip()
