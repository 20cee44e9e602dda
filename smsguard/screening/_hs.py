"""Hyperscan side of the matcher: regex translation and a candidate prefilter.

Hyperscan is used only to answer "which patterns MAY match this message?". The matcher then
runs Python ``re`` on those few candidates to get the exact answer and offsets. That split is
what lets both backends agree exactly, provided one invariant holds: the Hyperscan database
must accept a SUPERSET of what ``re`` accepts, never less. :func:`translate` keeps it by
rewriting the ``re`` parse tree into Hyperscan syntax such that

* every character set is spelled out as code-point ranges computed by Python's own engine,
  so ``\\d``, ``\\w``, ``\\s``, ``.`` and negated classes cover everything they cover in
  ``re`` (Hyperscan's own Unicode tables are older and differ on rare code points);
* zero-width assertions (``\\b \\B`` and lookarounds) are dropped: removing a condition
  only widens the language, and it makes a match independent of what surrounds it, which is
  what makes batch scanning (many messages in one buffer) sound. Anchors that begin or end
  the whole pattern become multi-line ones (``\\A`` -> ``^``, ``\\Z`` -> ``$``): messages
  are joined with newlines, so each message's start and end are line starts and ends, as is
  every place ``re`` anchors to; other anchors are dropped like the rest;
* possessive quantifiers and atomic groups become ordinary ones, large repeat counts
  open-ended ones, and huge character sets (``\\w``) a few wider ranges (again only wider);
* the end of the pattern is trimmed to its shortest form (``x+`` -> ``x``): every match
  still begins with a match of the trimmed form, and Hyperscan reports far fewer ends.

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

from smsguard.screening import _charsets

# The wheel exists only for some platforms; the matcher works without it.
_hyperscan: Any
_IMPORT_ERROR: str | None = None
try:
    _hyperscan = importlib.import_module("hyperscan")
except ImportError as exc:  # pragma: no cover - depends on the platform
    _hyperscan = None
    _IMPORT_ERROR = str(exc)

_MAXREPEAT: int = int(importlib.import_module("re._constants").MAXREPEAT)
# Messages are joined with this byte in batch scans. It must be a newline: anchors are
# translated to multi-line ones (see translate). Reports that straddle two messages are only
# extra candidates, which ``re`` then rejects.
_SEPARATOR = b"\n"
# Messages per Hyperscan call in a batch: large enough to amortise the per-call cost, small
# enough that the joined buffer stays in cache and memory stays flat for huge batches.
_CHUNK = 1024
# Repeat counts above this are widened to open-ended ones, and lower for a long ``inner``
# (see _repeat); the budget is in characters of translated pattern.
_EXACT_COUNT = 16
_REPEAT_BUDGET = 2000
_ZERO_WIDTH = frozenset({"AT", "ASSERT", "ASSERT_NOT"})
_LINE_START = frozenset({"AT_BEGINNING", "AT_BEGINNING_LINE", "AT_BEGINNING_STRING"})
_LINE_END = frozenset({"AT_END", "AT_END_LINE", "AT_END_STRING"})
_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})
_UNSUPPORTED_FLAGS = re.IGNORECASE | re.LOCALE


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
    items = [(op.name, av) for op, av in parsed]
    start = "^" if items and _is_anchor(items[0], _LINE_START) else ""
    end = "$" if items and _is_anchor(items[-1], _LINE_END) else ""
    # Trimming the tail is only sound when the match need not end at a line end.
    body = _sequence(parsed, parsed.state.flags, tail=not end)
    return f"{start}{body}{end}".encode("ascii")


def _is_anchor(item: tuple[str, Any], kinds: frozenset[str]) -> bool:
    return item[0] == "AT" and item[1].name in kinds


def _sequence(nodes: Iterable[tuple[Any, Any]], flags: int, *, tail: bool = False) -> str:
    """Translate a concatenation; ``tail``: it ends the pattern, so its end may be trimmed."""
    items = [(op.name, av) for op, av in nodes]
    if tail:
        items = _trim_tail(items)
    last = len(items) - 1
    return "".join(
        _node(name, av, flags, tail=tail and i == last) for i, (name, av) in enumerate(items)
    )


def _trim_tail(items: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """Drop trailing parts a match may end with but need not (assertions, ``x*``, ``x?``).

    Every match of the pattern then still starts with a match of the trimmed one, in the
    same message, so the prefilter stays a superset; but ``https?://\\S+`` reports one end
    per URL instead of one per character, and each report is a Python callback.
    """
    while items and (
        items[-1][0] in _ZERO_WIDTH or (items[-1][0] in _REPEATS and items[-1][1][0] == 0)
    ):
        items = items[:-1]
    return items


def _node(name: str, av: Any, flags: int, *, tail: bool = False) -> str:
    if flags & _UNSUPPORTED_FLAGS:
        raise Unsupported("case-insensitive or locale flags")
    if name in _ZERO_WIDTH:
        return ""
    if name in _REPEATS:
        return _repeat(av[0], av[1], _sequence(av[2], flags), tail=tail)
    if name == "BRANCH":
        return "(?:" + "|".join(_sequence(b, flags, tail=tail) for b in av[1]) + ")"
    if name == "SUBPATTERN":
        inner = _sequence(av[3], (flags | av[1]) & ~av[2], tail=tail)
        return f"(?:{inner})" if inner else ""
    if name == "ATOMIC_GROUP":
        inner = _sequence(av, flags, tail=tail)
        return f"(?:{inner})" if inner else ""
    return _charset(_node_ranges(name, av, flags))


def _repeat(low: int, high: int, inner: str, *, tail: bool) -> str:
    """``inner{low,high}``, widened: counts above ``_EXACT_COUNT`` (fewer for a long
    ``inner`` such as ``\\w``) become open-ended.

    Hyperscan's compile time and size grow with bounded counts (``.{0,3000}`` takes seconds
    and then fails), while ``x{16,}`` costs nothing and is a superset of ``x{40,900}``. At the
    pattern's tail the minimum count is enough (see :func:`_trim_tail`).
    """
    exact = max(1, min(_EXACT_COUNT, _REPEAT_BUDGET // max(len(inner), 1)))
    low = min(low, exact)
    high = low if tail else (high if high <= exact else _MAXREPEAT)
    if high == 0 or not inner:
        return ""
    if high == _MAXREPEAT:
        suffix = {0: "*", 1: "+"}.get(low, f"{{{low},}}")
    elif low == high:
        suffix = "" if low == 1 else f"{{{low}}}"
    else:
        suffix = "?" if (low, high) == (0, 1) else f"{{{low},{high}}}"
    return f"(?:{inner}){suffix}"


def _node_ranges(name: str, av: Any, flags: int) -> _charsets.Ranges:
    """Code points one single-character node accepts, as sorted disjoint ranges."""
    if name == "LITERAL":
        return _charsets.valid(((av, av),))
    if name == "NOT_LITERAL":
        return _charsets.complement(((av, av),))
    if name == "ANY":
        return _charsets.ALL if flags & re.DOTALL else _charsets.complement(((10, 10),))
    if name == "CATEGORY":
        return _charsets.category(av.name, bool(flags & re.ASCII))
    if name == "IN":
        return _class(av, flags)
    raise Unsupported(f"{name.lower().replace('_', ' ')} has no Hyperscan equivalent")


def _class(items: Sequence[tuple[Any, Any]], flags: int) -> _charsets.Ranges:
    negate = False
    parts: list[tuple[int, int]] = []
    for op, av in items:
        if op.name == "NEGATE":
            negate = True
        elif op.name == "RANGE":
            parts.append((av[0], av[1]))
        else:
            parts.extend(_node_ranges(op.name, av, flags))
    merged = _charsets.merge(parts)
    return _charsets.complement(merged) if negate else _charsets.valid(merged)


def _charset(ranges: _charsets.Ranges) -> str:
    if not ranges:
        raise Unsupported("a character set that can never match")
    if len(ranges) == 1 and ranges[0][0] == ranges[0][1]:
        return f"\\x{{{ranges[0][0]:x}}}"
    body = "".join(
        f"\\x{{{low:x}}}" if low == high else f"\\x{{{low:x}}}-\\x{{{high:x}}}"
        for low, high in _charsets.coarsen(ranges)
    )
    return f"[{body}]"


# --------------------------------------------------------------------------- database


def _compile(expressions: Sequence[tuple[int, bytes]]) -> Any:
    assert _hyperscan is not None
    database = _hyperscan.Database(mode=_hyperscan.HS_MODE_BLOCK)
    database.compile(
        expressions=[expression for _, expression in expressions],
        ids=[index for index, _ in expressions],
        flags=_hyperscan.HS_FLAG_UTF8 | _hyperscan.HS_FLAG_MULTILINE,
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

    def dump(self) -> bytes:
        """The compiled database as bytes, for pickling."""
        assert _hyperscan is not None
        return bytes(_hyperscan.dumpb(self._database))

    @classmethod
    def load(cls, blob: bytes) -> Prefilter:
        """Undo :meth:`dump`; :class:`Unsupported` if this Hyperscan cannot load it."""
        if _hyperscan is None:
            raise Unsupported(f"hyperscan is not importable: {_IMPORT_ERROR}")
        try:
            return cls(_hyperscan.loadb(blob, _hyperscan.HS_MODE_BLOCK))
        except _hyperscan.error as exc:
            raise Unsupported(f"saved Hyperscan database does not load: {exc}") from exc

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
        # Message i occupies [starts[i], stops[i]) of the joined buffer; a separator follows.
        starts = list(accumulate((len(data) + 1 for data in parts[:-1]), initial=0))
        stops = [start + len(data) for start, data in zip(starts, parts, strict=True)]
        reports: list[tuple[int, int]] = []
        self._scan(_SEPARATOR.join(parts), _collect(reports))
        for end, index in reports:
            # A report that spans a separator lands in the later message: a harmless extra.
            message = bisect_left(stops, end)
            local_end = end - starts[message]
            candidates = found.get(first + message)
            if candidates is None:
                found[first + message] = {index: local_end}
            elif candidates.get(index, local_end) >= local_end:
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
