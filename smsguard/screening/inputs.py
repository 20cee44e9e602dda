"""Refusing what cannot be screened, with an error that names the problem.

Screening accepts ``str``, or ``bytes`` that are valid UTF-8. It refuses empty text, text
longer than the configured limit (a real SMS is at most a few hundred characters; a 10 MB
"SMS" is a mistake or an attack) and binary data, which would otherwise be screened as
noise and passed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from smsguard.errors import InputError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BINARY_SHARE = 0.1


def ensure_text(value: object, *, max_length: int) -> str:
    """Return ``value`` as text fit for screening, or raise :class:`InputError`."""
    if isinstance(value, bytes | bytearray | memoryview):
        value = _decode(bytes(value))
    if not isinstance(value, str):
        raise InputError(f"text must be a string, not {type(value).__name__}")
    if len(value) > max_length:
        raise InputError(f"text is {len(value):,} characters; the limit is {max_length:,}")
    if not value or value.isspace():
        raise InputError("text is empty")
    if "\x00" in value:
        raise InputError("text contains NUL bytes: it looks like binary data, not an SMS")
    if _CONTROL.search(value) is None:
        return value
    controls = len(_CONTROL.findall(value))
    if controls > _BINARY_SHARE * len(value):
        raise InputError(
            f"text has {controls} control characters in {len(value)}: "
            "it looks like binary data, not an SMS"
        )
    return value


def ensure_texts(values: Sequence[object], *, max_length: int, first_index: int = 0) -> list[str]:
    """:func:`ensure_text` for a batch; the error names the failing item's index.

    The control-character scan runs once over the whole batch; messages are checked one by
    one only when it finds something, or for length and emptiness.
    """
    texts = [
        value if type(value) is str else _one(value, first_index + i, max_length)
        for i, value in enumerate(values)
    ]
    if _CONTROL.search("".join(texts)) is None:
        for index, text in enumerate(texts, first_index):
            if not text or len(text) > max_length or text.isspace():
                _one(text, index, max_length)
        return texts
    return [_one(text, index, max_length) for index, text in enumerate(texts, first_index)]


def _one(value: object, index: int, max_length: int) -> str:
    try:
        return ensure_text(value, max_length=max_length)
    except InputError as exc:
        raise InputError(f"item {index}: {exc.message}") from exc


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"text is not valid UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}"
        ) from exc
