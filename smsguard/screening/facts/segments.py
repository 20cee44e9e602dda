"""How many billed SMS parts a text takes.

A single character outside the GSM 03.38 alphabet (any Chinese character, a full-width comma,
an emoji) switches the whole message to UCS-2, where one part holds 70 characters, or 67 once
the message is split. GSM-7 parts hold 160, or 153 when split, and the extension characters
``| ^ € { } [ ] ~ \\`` cost two septets each. The signature is part of the text and counts.
"""

from __future__ import annotations

import functools
import re

from smsguard.screening.facts.model import Encoding, SegmentInfo

_GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = "|^€{}[]~\\\f"
_NOT_GSM7 = re.compile(f"[^{re.escape(_GSM7_BASIC + _GSM7_EXTENDED)}]")
_EXTENDED = re.compile(f"[{re.escape(_GSM7_EXTENDED)}]")

_UCS2_SINGLE, _UCS2_PART = 70, 67
_GSM7_SINGLE, _GSM7_PART = 160, 153


@functools.lru_cache(maxsize=1024)
def _info(encoding: Encoding, length: int) -> SegmentInfo:
    """Shared, immutable result per (encoding, length): most SMS fall in a few hundred."""
    single, part = (_UCS2_SINGLE, _UCS2_PART) if encoding == "ucs2" else (_GSM7_SINGLE, _GSM7_PART)
    if length == 0:
        return SegmentInfo(encoding, 0, 0)
    return SegmentInfo(encoding, length, 1 if length <= single else -(-length // part))


def segment_info(text: str) -> SegmentInfo:
    """Encoding, billed length and part count of ``text`` (pass the ORIGINAL text).

    UCS-2 length is counted in UTF-16 code units, because that is what travels: an emoji
    outside the Basic Multilingual Plane takes two. Empty text takes no parts.
    """
    if _NOT_GSM7.search(text) is not None:
        return _info("ucs2", len(text.encode("utf-16-le")) // 2)
    return _info("gsm7", len(text) + len(_EXTENDED.findall(text)))
