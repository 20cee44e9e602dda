"""Hyperscan side of the matcher: regex translation and a candidate prefilter.

Hyperscan is used only to answer "which patterns MAY match this message?". The matcher then
runs Python ``re`` on those few candidates to get the exact answer and offsets. That split is
what lets both backends agree exactly, provided one invariant holds: the Hyperscan database
must accept a SUPERSET of what ``re`` accepts, never less. :func:`translate` keeps it by
rewriting the ``re`` parse tree into Hyperscan syntax such that

* every character set is spelled out as explicit code-point ranges computed by Python's own
  engine, so ``\\d``, ``\\w``, ``\\s``, ``.`` and negated classes mean exactly what ``re``
  means (Hyperscan's Unicode tables are older and differ on rare code points);
* zero-width assertions (``^ $ \\b \\B \\A \\Z`` and lookarounds) are dropped: removing a
  condition only widens the language, and it makes a match independent of what surrounds it,
  which is what makes batch scanning (many messages in one buffer) sound;
* possessive quantifiers and atomic groups become ordinary ones (again only wider).

Constructs with no sound superset (back-references, conditionals, case-insensitive flags)
raise :class:`Unsupported`, and the caller falls back to ``re`` for that pattern.
"""

from __future__ import annotations

import functools
import importlib
import re
import threading
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from itertools import accumulate
from typing import Any

# The wheel exists only for some platforms; the matcher works without it.
_hyperscan: Any
_IMPORT_ERROR: str | None = None
try:
    _hyperscan = importlib.import_module("hyperscan")
except ImportError as exc:  # pragma: no cover - depends on the platform
    _hyperscan = None
    _IMPORT_ERROR = str(exc)

_MAXREPEAT: int = int(importlib.import_module("re._constants").MAXREPEAT)
_SURROGATES = (0xD800, 0xDFFF)
_LAST_CODE_POINT = 0x10FFFF
# Messages are joined with this byte in batch scans. Any byte would be correct (assertions
# are gone, so hits that straddle two messages are only extra candidates that ``re``
# rejects); a newline is rarely part of a rule match, which keeps those extras rare.
_SEPARATOR = b"\n"
# Messages per Hyperscan call in a batch: large enough to amortise the per-call cost, small
# enough that the joined buffer stays in cache and memory stays flat for huge batches.
_CHUNK = 1024
_CATEGORY_ESCAPES = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}
_ZERO_WIDTH = frozenset({"AT", "ASSERT", "ASSERT_NOT"})
_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})
_UNSUPPORTED_FLAGS = re.IGNORECASE | re.LOCALE

Ranges = tuple[tuple[int, int], ...]


class Unsupported(Exception):
    """A pattern the Hyperscan prefilter cannot cover soundly; ``re`` must handle it."""


def available() -> bool:
    """True when the ``hyperscan`` module imports and can build a database on this CPU."""
    return _works()


@functools.cache
def _works() -> bool:
    if _hyperscan is None:
        return False
    try:
        _compile([(0, b"a")])
    except _hyperscan.error:  # pragma: no cover - e.g. a CPU without SSSE3
        return False
    return True


# --------------------------------------------------------------------------- translation


def translate(parsed: Any) -> bytes:
    """Hyperscan expression (UTF-8 mode) accepting a superset of the parsed ``re`` pattern."""
    return _sequence(parsed, parsed.state.flags).encode("ascii")


def _sequence(nodes: Iterable[tuple[Any, Any]], flags: int) -> str:
    return "".join(_node(op.name, av, flags) for op, av in nodes)


def _node(name: str, av: Any, flags: int) -> str:
    if flags & _UNSUPPORTED_FLAGS:
        raise Unsupported("case-insensitive or locale flags")
    if name in _ZERO_WIDTH:
        return ""
    if name in _REPEATS:
        return _repeat(av[0], av[1], _sequence(av[2], flags))
    if name == "BRANCH":
        return "(?:" + "|".join(_sequence(branch, flags) for branch in av[1]) + ")"
    if name == "SUBPATTERN":
        inner = _sequence(av[3], (flags | av[1]) & ~av[2])
        return f"(?:{inner})" if inner else ""
    if name == "ATOMIC_GROUP":
        inner = _sequence(av, flags)
        return f"(?:{inner})" if inner else ""
    return _charset(_node_ranges(name, av, flags))


def _repeat(low: int, high: int, inner: str) -> str:
    if high == 0 or not inner:
        return ""
    if high == _MAXREPEAT:
        suffix = {0: "*", 1: "+"}.get(low, f"{{{low},}}")
    elif low == high:
        suffix = "" if low == 1 else f"{{{low}}}"
    else:
        suffix = "?" if (low, high) == (0, 1) else f"{{{low},{high}}}"
    return f"(?:{inner}){suffix}"


def _node_ranges(name: str, av: Any, flags: int) -> Ranges:
    """Code points one single-character node accepts, as sorted disjoint ranges."""
    if name == "LITERAL":
        return _valid(((av, av),))
    if name == "NOT_LITERAL":
        return _complement(((av, av),))
    if name == "ANY":
        return _ALL if flags & re.DOTALL else _complement(((10, 10),))
    if name == "CATEGORY":
        return _category(av.name, bool(flags & re.ASCII))
    if name == "IN":
        return _class(av, flags)
    raise Unsupported(f"{name.lower().replace('_', ' ')} has no Hyperscan equivalent")


def _class(items: Sequence[tuple[Any, Any]], flags: int) -> Ranges:
    negate = False
    parts: list[tuple[int, int]] = []
    for op, av in items:
        if op.name == "NEGATE":
            negate = True
        elif op.name == "RANGE":
            parts.append((av[0], av[1]))
        else:
            parts.extend(_node_ranges(op.name, av, flags))
    merged = _merge(parts)
    return _complement(merged) if negate else _valid(merged)


def _charset(ranges: Ranges) -> str:
    if not ranges:
        raise Unsupported("a character set that can never match")
    if len(ranges) == 1 and ranges[0][0] == ranges[0][1]:
        return f"\\x{{{ranges[0][0]:x}}}"
    body = "".join(
        f"\\x{{{low:x}}}" if low == high else f"\\x{{{low:x}}}-\\x{{{high:x}}}"
        for low, high in ranges
    )
    return f"[{body}]"


def _merge(ranges: Iterable[tuple[int, int]]) -> Ranges:
    out: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if out and low <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(high, out[-1][1]))
        else:
            out.append((low, high))
    return tuple(out)


def _complement(ranges: Ranges) -> Ranges:
    """Valid (non-surrogate) code points NOT in ``ranges``."""
    out: list[tuple[int, int]] = []
    nxt = 0
    for low, high in _merge(ranges):
        if low > nxt:
            out.append((nxt, low - 1))
        nxt = max(nxt, high + 1)
    if nxt <= _LAST_CODE_POINT:
        out.append((nxt, _LAST_CODE_POINT))
    return _valid(tuple(out))


def _valid(ranges: Ranges) -> Ranges:
    """Drop surrogates: they cannot be UTF-8 encoded, so they never reach Hyperscan."""
    out: list[tuple[int, int]] = []
    for low, high in ranges:
        if low < _SURROGATES[0]:
            out.append((low, min(high, _SURROGATES[0] - 1)))
        if high > _SURROGATES[1]:
            out.append((max(low, _SURROGATES[1] + 1), high))
    return tuple(out)


_ALL: Ranges = _valid(((0, _LAST_CODE_POINT),))


@functools.cache
def _category(name: str, ascii_only: bool) -> Ranges:
    """Ask Python's own engine which code points ``\\d``/``\\w``/``\\s``… accept."""
    runs = re.compile(_CATEGORY_ESCAPES[name] + "+", re.ASCII if ascii_only else 0)
    out: list[tuple[int, int]] = []
    for base, block in _blocks():
        out.extend((base + m.start(), base + m.end() - 1) for m in runs.finditer(block))
    return tuple(out)


@functools.cache
def _blocks() -> tuple[tuple[int, str], ...]:
    """Every valid code point, in order, in two strings split around the surrogates."""
    low, high = _SURROGATES
    return (
        (0, "".join(map(chr, range(low)))),
        (high + 1, "".join(map(chr, range(high + 1, _LAST_CODE_POINT + 1)))),
    )


# --------------------------------------------------------------------------- database


def _compile(expressions: Sequence[tuple[int, bytes]]) -> Any:
    assert _hyperscan is not None
    database = _hyperscan.Database(mode=_hyperscan.HS_MODE_BLOCK)
    database.compile(
        expressions=[expression for _, expression in expressions],
        ids=[index for index, _ in expressions],
        flags=_hyperscan.HS_FLAG_UTF8,
    )
    return database


def compile_database(expressions: Sequence[tuple[int, bytes]]) -> tuple[Any, dict[int, str]]:
    """Compile ``(index, expression)`` pairs; return the database and the rejected indexes.

    The Python binding does not say WHICH expression broke a multi-pattern compile, so on
    failure each one is compiled alone to find the culprits (a slow path, taken only for a
    rulebook that needs it). The database is ``None`` when nothing compiled.
    """
    if _hyperscan is None:
        raise Unsupported(f"hyperscan is not importable: {_IMPORT_ERROR}")
    if not expressions:
        return None, {}
    try:
        return _compile(expressions), {}
    except _hyperscan.error:
        pass
    rejected: dict[int, str] = {}
    for index, expression in expressions:
        try:
            _compile([(index, expression)])
        except _hyperscan.error as exc:
            rejected[index] = str(exc)
    kept = [pair for pair in expressions if pair[0] not in rejected]
    if not rejected:
        raise Unsupported("the patterns compile one by one but not together")
    return (_compile(kept) if kept else None), rejected


class Prefilter:
    """Hyperscan scan over one database, returning candidate pattern indexes per message.

    Each thread gets its own Hyperscan scratch (scans release the GIL, and one scratch must
    never be used by two scans at once), so one instance can be shared by threads.
    """

    def __init__(self, database: Any) -> None:
        self._database = database
        self._local = threading.local()

    def _scratch(self) -> Any:
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            assert _hyperscan is not None
            scratch = self._local.scratch = _hyperscan.Scratch(self._database)
        return scratch

    def one(self, text: str) -> dict[int, int] | None:
        """Candidates for one message; ``None`` if it cannot be UTF-8 encoded.

        Maps each candidate pattern index to the smallest END byte offset Hyperscan reported
        for it: a true match cannot start before that end minus the pattern's longest width,
        which lets ``re`` skip the start of the text.
        """
        try:
            data = text.encode()
        except UnicodeEncodeError:
            return None
        reports: list[tuple[int, int]] = []
        self._scan(data, _collect(reports))
        found: dict[int, int] = {}
        for end, index in reports:
            if found.get(index, end) >= end:
                found[index] = end
        return found

    def batch(self, texts: Sequence[str]) -> tuple[dict[int, dict[int, int]], list[int]]:
        """Candidates for many messages, with one Hyperscan call per chunk of messages.

        Returns ``{message index: candidates as from one()}`` for the messages that have
        any, and the indexes of the messages that could not be UTF-8 encoded.
        """
        encoded = _encode_all(texts)
        found: dict[int, dict[int, int]] = {}
        for first in range(0, len(encoded), _CHUNK):
            self._batch_chunk(encoded[first : first + _CHUNK], first, found)
        return found, [index for index, data in enumerate(encoded) if data is None]

    def _batch_chunk(
        self, chunk: list[bytes | None], first: int, found: dict[int, dict[int, int]]
    ) -> None:
        parts = [b"" if data is None else data for data in chunk]
        # stops[i]: offset in the joined buffer where message i stops (a separator follows).
        stops = [total - 1 for total in accumulate(len(data) + 1 for data in parts)]
        reports: list[tuple[int, int]] = []
        self._scan(_SEPARATOR.join(parts), _collect(reports))
        for end, index in reports:
            message = bisect_left(stops, end)
            # Reports that span a separator land here as well: harmless extra candidates.
            local_end = max(0, end - stops[message] + len(parts[message]))
            candidates = found.setdefault(first + message, {})
            if candidates.get(index, local_end) >= local_end:
                candidates[index] = local_end

    def _scan(self, data: bytes, handler: Callable[..., None]) -> None:
        self._database.scan(data, match_event_handler=handler, scratch=self._scratch())


def _encode_all(texts: Sequence[str]) -> list[bytes | None]:
    try:
        return [text.encode() for text in texts]
    except UnicodeEncodeError:  # a lone surrogate somewhere: find which ones
        return [_encode_or_none(text) for text in texts]


def _encode_or_none(text: str) -> bytes | None:
    try:
        return text.encode()
    except UnicodeEncodeError:
        return None


def _collect(reports: list[tuple[int, int]]) -> Callable[..., None]:
    """Match handler recording ``(end, pattern index)``; it must stay tiny (one per match)."""
    append = reports.append

    def on_match(index: int, _start: int, end: int, _flags: int, _ctx: object) -> None:
        append((end, index))

    return on_match
