"""Fingerprints of known fraud templates: recognise a scam again after it was reworded.

Fraudsters resend one message with new numbers, links, names, inserted separators,
look-alike characters and a few edited words. :class:`TemplateIndex` stores a compact
signature of each known template (never its text) and finds the templates an SMS resembles,
tens of thousands of lookups a second. :func:`load_seed_index` gives the index shipped
with smsguard, built from public fraud corpora. See docs/fingerprints.md for the design.
"""

from smsguard.fingerprints.index import (
    DEFAULT_THRESHOLD,
    TemplateIndex,
    TemplateMatch,
    load_seed_index,
)
from smsguard.fingerprints.text import fingerprint_text

__all__ = [
    "DEFAULT_THRESHOLD",
    "TemplateIndex",
    "TemplateMatch",
    "fingerprint_text",
    "load_seed_index",
]
