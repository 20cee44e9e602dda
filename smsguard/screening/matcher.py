"""Scan a message against every rulebook regex at once.

Design: a cheap *prefilter* proposes, for each message, the few patterns that MAY match, and
Python ``re`` confirms each proposal with ``search``. ``re`` therefore decides every hit and
its offsets, so results follow ``re`` semantics exactly, and the two backends can differ only
in speed, never in results:

* ``"hyperscan"``: the prefilter is one Hyperscan database over all patterns (see
  :mod:`smsguard.screening._hs` for why its answers are a superset of ``re``'s);
* ``"re"``: the prefilter is a table of *required literals*: for each pattern, a few strings
  one of which every match must contain (see :mod:`smsguard.screening._triggers`). A message
  proposes only the patterns whose literals occur in it; a pattern without usable literals
  (``\\d{11}``) is proposed for every message.

With ``backend="auto"`` a pattern Hyperscan cannot cover falls back to the ``re`` prefilter
alone (a *mixed* matcher), so one odd regex never costs the whole rulebook its speed.

A matcher is safe to share between threads, and it pickles (with its compiled Hyperscan
database, which loads in a millisecond) for multiprocessing workers.
"""

from __future__ import annotations

import importlib
import logging
import re
import threading
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from operator import attrgetter
from typing import Any, Literal, Protocol

from smsguard.errors import ConfigError, RulebookError
from smsguard.screening import _hs
from smsguard.screening._triggers import TriggerIndex, pattern_requirements

__all__ = [
    "Hit",
    "Matcher",
    "PatternSpec",
    "compile_matcher",
    "dump_matcher",
    "hyperscan_available",
    "load_matcher",
]

logger = logging.getLogger(__name__)

Backend = Literal["auto", "hyperscan", "re"]

# The parse tree of Python's own regex engine: the one exact description of what a pattern
# means. It is a private module (stable in 3.11-3.13); anything unfamiliar in the tree makes
# the pattern fall back to plain ``re``, so a change there costs speed, not correctness.
_PARSER: Any = importlib.import_module("re._parser")


@dataclass(frozen=True, slots=True)
class PatternSpec:
    """One rulebook regex. ``regex`` is Python ``re`` syntax, matched case-sensitively."""

    id: int
    regex: str


@dataclass(frozen=True, slots=True)
class Hit:
    """Leftmost match of one pattern: CHARACTER offsets ``[start, end)`` into the text."""

    pattern_id: int
    start: int
    end: int


class Matcher(Protocol):
    """All patterns at once: at most one :class:`Hit` per pattern, sorted by (start, id)."""

    backend: str

    def scan(self, text: str) -> list[Hit]: ...

    def scan_batch(self, texts: Sequence[str]) -> list[list[Hit]]: ...


def hyperscan_available() -> bool:
    """True when the Hyperscan backend can be used on this machine."""
    return _hs.available()


def compile_matcher(specs: Sequence[PatternSpec], *, backend: Backend = "auto") -> Matcher:
    """Validate every regex and build a matcher over all of them.

    Raises :class:`RulebookError` for a regex ``re`` rejects, one that can match the empty
    string (it would hit every message), a duplicate id, or, with ``backend="hyperscan"``, a
    regex Hyperscan cannot handle. ``"auto"`` uses Hyperscan where it is available and falls
    back to ``re`` per pattern.
    """
    if backend not in ("auto", "hyperscan", "re"):
        raise ConfigError(f"unknown matcher backend {backend!r}; use auto, hyperscan or re")
    patterns = _prepare_all(specs)
    if backend == "hyperscan" and not hyperscan_available():
        raise ConfigError("the hyperscan matcher backend was requested but cannot be used here")
    use_hyperscan = backend != "re" and hyperscan_available()
    return _PrefilterMatcher(tuple(specs), backend, patterns, use_hyperscan)


# --------------------------------------------------------------------------- validation


@dataclass(frozen=True, slots=True)
class _Pattern:
    id: int
    regex: str
    compiled: re.Pattern[str]
    parsed: Any


def _prepare_all(specs: Sequence[PatternSpec]) -> list[_Pattern]:
    """Validated patterns sorted by id: position in this list is the internal index."""
    patterns = sorted((_prepare(spec) for spec in specs), key=attrgetter("id"))
    for before, after in pairwise(patterns):
        if before.id == after.id:
            raise RulebookError(f"pattern id {after.id} is used twice")
    return patterns


# catch_warnings swaps process-wide state: two threads compiling at once (the service builds
# screeners in several threads) could restore each other's "error" filter and leave every
# later warning of the process raising. One compile at a time keeps save/restore paired.
_WARNINGS_LOCK = threading.Lock()


def _prepare(spec: PatternSpec) -> _Pattern:
    where = f"pattern {spec.id} ({spec.regex!r})"
    # Warnings count as errors: the ones ``re`` emits ("possible nested set" …) mean the
    # regex is ambiguous and will change meaning in a later Python.
    with _WARNINGS_LOCK, warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            parsed = _PARSER.parse(spec.regex)
            compiled = re.compile(spec.regex)
        except (re.error, Warning) as exc:
            raise RulebookError(f"{where}: invalid regex: {exc}") from exc
    if parsed.getwidth()[0] == 0:
        raise RulebookError(f"{where}: the regex can match the empty string")
    return _Pattern(spec.id, spec.regex, compiled, parsed)


# --------------------------------------------------------------------------- the matcher


class _PrefilterMatcher:
    """Prefilter proposes pattern indexes, ``re.search`` confirms them."""

    def __init__(
        self,
        specs: tuple[PatternSpec, ...],
        requested: Backend,
        patterns: list[_Pattern],
        use_hyperscan: bool,
        saved: tuple[bytes, tuple[int, ...]] | None = None,
    ) -> None:
        self._specs = specs
        self._requested = requested
        self._ids = [pattern.id for pattern in patterns]
        self._search = [pattern.compiled.search for pattern in patterns]
        self._widths = [pattern.parsed.getwidth()[1] for pattern in patterns]
        needs = [(i, pattern_requirements(p.parsed)) for i, p in enumerate(patterns)]
        self._all = TriggerIndex(needs)
        self._rest: TriggerIndex | None = None
        self._hs, covered = self._attach_hyperscan(patterns, use_hyperscan, saved)
        if self._hs is not None and len(covered) < len(patterns):
            self._rest = TriggerIndex(need for need in needs if need[0] not in covered)
        self.backend = "hyperscan" if self._hs is not None else "re"
        self.re_only_ids = tuple(p.id for i, p in enumerate(patterns) if i not in covered)
        self._covered = tuple(sorted(covered))

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle the specs and the compiled Hyperscan database (compiling takes seconds)."""
        saved = None if self._hs is None else (self._hs.dump(), self._covered)
        return (_rebuild, (self._specs, self._requested, saved))

    def _attach_hyperscan(
        self,
        patterns: list[_Pattern],
        use_hyperscan: bool,
        saved: tuple[bytes, tuple[int, ...]] | None,
    ) -> tuple[_hs.Prefilter | None, set[int]]:
        """The Hyperscan prefilter, if any, and the pattern indexes it covers."""
        if saved is not None:
            return _hs.Prefilter.load(saved[0]), set(saved[1])
        if use_hyperscan:
            return _build_hyperscan(patterns, strict=self._requested == "hyperscan")
        return None, set()

    def scan(self, text: str) -> list[Hit]:
        """Hits of every pattern in ``text``, sorted by (start, pattern id)."""
        if self._hs is None:
            return self._confirm(text, self._all.candidates(text))
        candidates = self._hs.one(text)
        if candidates is None:  # not UTF-8 encodable (a lone surrogate)
            return self._confirm(text, self._all.candidates(text))
        if self._rest is not None:
            candidates.update(dict.fromkeys(self._rest.candidates(text), 0))
        return self._confirm_near(text, candidates)

    def scan_batch(self, texts: Sequence[str]) -> list[list[Hit]]:
        """``[scan(t) for t in texts]``, but with one Hyperscan call per chunk of messages."""
        if self._hs is None:
            confirm, propose = self._confirm, self._all.candidates
            return [confirm(text, propose(text)) for text in texts]
        found, unscanned = self._hs.batch(texts)
        for index in unscanned:
            found[index] = dict.fromkeys(self._all.candidates(texts[index]), 0)
        if self._rest is not None:
            self._add_rest(texts, found, set(unscanned))
        out: list[list[Hit]] = [[] for _ in texts]
        for index, candidates in found.items():
            out[index] = self._confirm_near(texts[index], candidates)
        return out

    def _add_rest(
        self, texts: Sequence[str], found: dict[int, dict[int, int]], skip: set[int]
    ) -> None:
        """Add the candidates of the patterns Hyperscan does not cover (mixed matcher)."""
        assert self._rest is not None
        propose = self._rest.candidates
        for index, text in enumerate(texts):
            if index not in skip and (extra := propose(text)):
                found.setdefault(index, {}).update(dict.fromkeys(extra, 0))

    def _confirm(self, text: str, candidates: Iterable[int]) -> list[Hit]:
        """Run ``re`` for each candidate pattern index; keep the ones that match."""
        hits: list[Hit] = []
        search, ids = self._search, self._ids
        for index in candidates:
            match = search[index](text)
            if match is not None:
                hits.append(_new_hit(ids[index], match.start(), match.end()))
        if len(hits) > 1:
            hits.sort(key=_HIT_ORDER)
        return hits

    def _confirm_near(self, text: str, candidates: dict[int, int]) -> list[Hit]:
        """Like :meth:`_confirm`, starting each search near Hyperscan's first reported end.

        A match cannot start before (first end - the pattern's longest width), and
        ``search(text, pos)`` still sees the text before ``pos`` for ``\\b`` and ``^``, so the
        result is the same, minus the scan over the text's head. The offsets are bytes, so
        this applies to ASCII text only (it saves about a fifth of this step on English SMS).
        """
        if not text.isascii():
            return self._confirm(text, candidates)
        hits: list[Hit] = []
        search, ids, widths = self._search, self._ids, self._widths
        for index, end in candidates.items():
            match = search[index](text, max(0, end - widths[index]))
            if match is not None:
                hits.append(_new_hit(ids[index], match.start(), match.end()))
        if len(hits) > 1:
            hits.sort(key=_HIT_ORDER)
        return hits


_HIT_ORDER = attrgetter("start", "pattern_id")
# ``Hit(...)`` goes through the frozen dataclass's ``object.__setattr__`` per field, which
# costs more than the rest of a typical scan. Setting the slots directly builds an equal
# object in about half the time. A unit test checks that both stay equal.
_SET_ID, _SET_START, _SET_END = (Hit.__dict__[name].__set__ for name in Hit.__slots__)


def _new_hit(pattern_id: int, start: int, end: int) -> Hit:
    hit: Hit = object.__new__(Hit)
    _SET_ID(hit, pattern_id)
    _SET_START(hit, start)
    _SET_END(hit, end)
    return hit


def _rebuild(
    specs: tuple[PatternSpec, ...], backend: Backend, saved: tuple[bytes, tuple[int, ...]] | None
) -> Matcher:
    """Unpickle: reuse the saved database if this machine's Hyperscan can load it."""
    if saved is not None and hyperscan_available():
        try:
            return _PrefilterMatcher(specs, backend, _prepare_all(specs), True, saved)
        except _hs.Unsupported:
            pass
    return compile_matcher(specs, backend=backend)


def _build_hyperscan(
    patterns: list[_Pattern], *, strict: bool
) -> tuple[_hs.Prefilter | None, set[int]]:
    """Compile what Hyperscan can cover; report the rest (raise if ``strict``)."""
    expressions: list[tuple[int, bytes]] = []
    rejected: dict[int, str] = {}
    for index, pattern in enumerate(patterns):
        try:
            expressions.append((index, _hs.translate(pattern.parsed)))
        except _hs.Unsupported as exc:
            rejected[index] = str(exc)
    if rejected and strict:
        _report_rejected(patterns, rejected, strict=strict)
    try:
        database, failed = _hs.compile_database(expressions)
    except _hs.Unsupported as exc:
        database, failed = None, {index: str(exc) for index, _ in expressions}
    rejected.update(failed)
    if rejected:
        _report_rejected(patterns, rejected, strict=strict)
    covered = {index for index, _ in expressions if index not in rejected}
    return (None if database is None else _hs.Prefilter(database)), covered


def _report_rejected(patterns: list[_Pattern], rejected: dict[int, str], *, strict: bool) -> None:
    """Raise (strict ``hyperscan`` backend) or warn about patterns Hyperscan cannot cover."""
    reasons = "; ".join(
        f"pattern {patterns[index].id} ({patterns[index].regex!r}): {reason}"
        for index, reason in sorted(rejected.items())
    )
    if strict:
        raise RulebookError(f"Hyperscan cannot compile {reasons}")
    logger.warning("matching these patterns with Python re instead of Hyperscan: %s", reasons)


def dump_matcher(matcher: Matcher) -> bytes | None:
    """The compiled Hyperscan database of ``matcher`` with the ids it covers, or ``None``.

    Compiling a large rulebook takes seconds; a saved database loads in milliseconds.
    """
    if not isinstance(matcher, _PrefilterMatcher) or matcher._hs is None:
        return None
    covered = ",".join(str(i) for i in matcher._covered).encode("ascii")
    return len(covered).to_bytes(4, "big") + covered + matcher._hs.dump()


def load_matcher(specs: Sequence[PatternSpec], blob: bytes, *, backend: Backend) -> Matcher:
    """Rebuild a matcher from :func:`dump_matcher` output; recompiles if it cannot load."""
    try:
        size = int.from_bytes(blob[:4], "big")
        covered = tuple(int(i) for i in blob[4 : 4 + size].decode("ascii").split(",") if i)
    except (ValueError, UnicodeDecodeError):
        return compile_matcher(specs, backend=backend)
    return _rebuild(tuple(specs), backend, (blob[4 + size :], covered))
