"""Canonical JSON: one byte spelling per value, so a signature over it means one thing.

The report is hashed as compact JSON with keys sorted, UTF-8 without ``\\u`` escapes for
non-ASCII text, and only strings, integers, booleans, null, arrays and objects. For such data
this is exactly RFC 8785 (JCS), so a regulator can recompute the hash with any JCS library.
Floats are refused outright: their decimal spelling differs between libraries, and one
report must not have two hashes.

Reading is as strict as writing: duplicate keys, floats, NaN and Infinity are errors, so a
file cannot smuggle a second meaning past the parser a verifier uses.
"""

from __future__ import annotations

import json
from typing import Any

from smsguard.reports.model import ReportError


def check_value(value: Any, where: str = "$") -> None:
    """Refuse anything but str, int, bool, None, lists and string-keyed objects."""
    if value is None or isinstance(value, str | bool | int):
        return
    if isinstance(value, float):
        raise ReportError(f"{where} is a float; reports carry integers and strings only")
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            check_value(item, f"{where}[{index}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ReportError(f"{where} has a key that is not a string: {key!r}")
            check_value(item, f"{where}.{key}")
        return
    raise ReportError(f"{where} is a {type(value).__name__}, which JSON reports cannot carry")


def canonical_bytes(value: Any) -> bytes:
    """Compact, sorted, UTF-8 JSON (RFC 8785 for this data), after :func:`check_value`."""
    check_value(value)
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")


def pretty_bytes(value: Any) -> bytes:
    """The file layout people read: sorted keys, two-space indent, final newline. Also
    deterministic, so a verifier can demand that a file is exactly this layout."""
    check_value(value)
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def _no_float(text: str) -> Any:
    raise ReportError(f"number {text[:30]} is not an integer; reports carry no floats")


def _no_constant(text: str) -> Any:
    raise ReportError(f"{text} is not valid in a report")


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ReportError(f"key {key!r} appears twice in one object")
        found[key] = value
    return found


def strict_loads(data: bytes) -> Any:
    """Parse report JSON, refusing bad UTF-8, floats, NaN and duplicate keys."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReportError(f"the file is not valid UTF-8 (byte {exc.start})") from exc
    try:
        return json.loads(
            text, parse_float=_no_float, parse_constant=_no_constant, object_pairs_hook=_unique
        )
    except json.JSONDecodeError as exc:
        raise ReportError(
            f"the file is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from exc
