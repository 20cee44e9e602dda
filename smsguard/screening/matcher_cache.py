"""A disk cache of compiled matchers, so a CLI call does not pay seconds of compilation.

Compiling the rulebook's patterns into a Hyperscan database takes seconds; loading a saved
one takes milliseconds. The cache lives under ``$SMSGUARD_HOME/cache`` and is keyed by a
hash of every pattern, the backend and the Hyperscan version, so a changed rule, an upgraded
library or another machine's file is never used by mistake. A file that does not load is
ignored and rewritten; a cache that cannot be written is skipped. The cache only ever
changes speed, never results.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path

from smsguard._files import write_atomically
from smsguard.screening.matcher import (
    Backend,
    Matcher,
    PatternSpec,
    compile_matcher,
    dump_matcher,
    load_matcher,
)

logger = logging.getLogger(__name__)


def _hyperscan_version() -> str:
    try:
        import hyperscan

        return str(getattr(hyperscan, "__version__", "unknown"))
    except ImportError:
        return "none"


def cache_key(specs: Sequence[PatternSpec], backend: Backend) -> str:
    payload = [backend, _hyperscan_version(), [(s.id, s.regex) for s in specs]]
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class CachingMatcherBuilder:
    """Builds matchers through a cache folder; a drop-in for :func:`compile_matcher`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __call__(self, specs: Sequence[PatternSpec], backend: Backend) -> Matcher:
        if backend == "re":
            return compile_matcher(specs, backend=backend)
        path = self.folder / f"matcher-{cache_key(specs, backend)}.bin"
        try:
            blob = path.read_bytes()
        except OSError:
            blob = None
        if blob is not None:
            return load_matcher(specs, blob, backend=backend)
        matcher = compile_matcher(specs, backend=backend)
        saved = dump_matcher(matcher)
        if saved is not None:
            self._write(path, saved)
        return matcher

    def _write(self, path: Path, blob: bytes) -> None:
        try:
            write_atomically(path, blob)
        except OSError as exc:
            logger.warning("matcher cache not written to %s: %s", self.folder, exc)
