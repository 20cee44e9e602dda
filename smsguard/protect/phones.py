"""Phone numbers to E.164, and masks for phone numbers, names and ID numbers.

Normalising comes first because the blind index hashes the E.164 form: ``138 1234 5678``,
``+86-138-1234-5678`` and ``008613812345678`` must give one index value, or a customer
cannot be found by the number they type. Chinese mobiles are accepted with or without a
country prefix; any other number needs an explicit ``+CC`` (or ``00CC``), because guessing a
country from bare digits would file the same person under two different numbers.

Masks exist so that logs, outputs and errors can mention a customer without disclosing
them. Every error raised here shows only a masked form of the input: an error message ends
up in logs, and a log line is not a place for a customer's number.
"""

from __future__ import annotations

import re

from smsguard.errors import InputError

_SEPARATORS = re.compile(r"[\s\-().\u00a0]")
_CN_MOBILE = re.compile(r"1[3-9]\d{9}")
_CN_PREFIXES = ("+86", "0086", "86")
_E164_DIGITS = re.compile(r"[1-9]\d{6,14}")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# A Chinese mobile inside free text, optionally with a +86/0086 prefix and separators.
_PHONE_IN_TEXT = re.compile(r"(?<!\d)(?:(?:\+|00)?86[\s\-]?)?1[3-9]\d(?:[\s\-]?\d){8}(?!\d)")


def _redacted(raw: str) -> str:
    """A description of a bad input that keeps at most its first three digits."""
    digits = [c for c in raw if c.isdigit()]
    shown = "".join(digits[:3]) + "*" * max(0, len(digits) - 3)
    return f"'{shown}' ({len(digits)} digits)"


def normalise_phone(raw: str) -> str:
    """The E.164 form (``+8613812345678``) of a phone number, or InputError.

    A bare number must be a Chinese mobile (``1[3-9]`` and 11 digits); ``+86`` numbers must
    be mobiles too, since only mobiles receive SMS. Other countries need ``+CC``.
    """
    compact = _SEPARATORS.sub("", raw)
    if not compact:
        raise InputError("phone number is empty")
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    national = _chinese_national(compact)
    if national is not None:
        if not _CN_MOBILE.fullmatch(national):
            raise InputError(f"phone number {_redacted(raw)} is not a Chinese mobile number")
        return "+86" + national
    if compact.startswith("+") and _E164_DIGITS.fullmatch(compact[1:]):
        return compact
    raise InputError(
        f"phone number {_redacted(raw)} is not a Chinese mobile or a +CC international number"
    )


def _chinese_national(compact: str) -> str | None:
    """The national part when the number is Chinese (prefixed or a bare 11-digit mobile)."""
    if _CN_MOBILE.fullmatch(compact):
        return compact
    for prefix in _CN_PREFIXES:
        rest = compact[len(prefix) :]
        if compact.startswith(prefix) and (prefix != "86" or len(rest) == 11):
            return rest
    return None


def _mask_digits(digits: str) -> str:
    """Digits with the middle starred; at least four digits are always hidden."""
    n = len(digits)
    head, tail = (3, 4) if n >= 11 else (2, 2) if n >= 8 else (0, 2) if n >= 6 else (0, 0)
    return digits[:head] + "*" * (n - head - tail) + digits[n - tail :]


def mask_phone(raw: str) -> str:
    """``138****5678`` for a bare mobile, ``+86 138****5678`` for a prefixed one.

    Never raises: masking is used while logging and reporting errors, where a second error
    would hide the first. An input that is not a phone number becomes stars only.
    """
    compact = _SEPARATORS.sub("", raw)
    try:
        e164 = normalise_phone(raw)
    except InputError:
        return "*" * sum(c.isdigit() for c in raw)
    if _CN_MOBILE.fullmatch(compact):
        return _mask_digits(compact)
    if e164.startswith("+86"):
        return "+86 " + _mask_digits(e164[3:])
    return "+" + _mask_digits(e164[1:])


def mask_name(name: str) -> str:
    """``张**`` for Chinese names, ``J*** D**`` for names written in words."""
    name = name.strip()
    if _CJK.match(name):
        return name[0] + "*" * (len(name) - 1) if len(name) > 1 else "*"
    return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split())


def mask_id_number(id_number: str) -> str:
    """The first three and last two characters of an ID number, the rest starred."""
    compact = _SEPARATORS.sub("", id_number)
    if len(compact) <= 6:
        return "*" * len(compact)
    return compact[:3] + "*" * (len(compact) - 5) + compact[-2:]


def redact_phones(text: str) -> str:
    """Free text with every Chinese mobile number in it masked, for log lines and messages."""
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)
