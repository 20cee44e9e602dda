"""Normalised text with a map back to the original.

Screening matches rules against a *normalised* copy of an SMS (full-width folded, traditional
characters simplified, evasion separators removed …) but every span it reports must point
into the ORIGINAL text. Normalisation only ever maps one character to one character or
deletes characters, so one offset per kept character is enough to map spans back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(slots=True)
class NormalizedText:
    """``text`` is the normalised form of ``original``.

    ``offsets[i]`` is the index in ``original`` of ``text[i]``; ``None`` means the two are
    aligned one to one (nothing was deleted), the common case, which costs nothing.
    Treat it as immutable; it is not frozen only because frozen dataclasses are slow to
    build, and one is built per screened SMS.
    """

    original: str
    text: str
    offsets: Sequence[int] | None = None

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the half-open span ``[start, end)`` of ``text`` onto ``original``."""
        if self.offsets is None:
            size = len(self.text)
            start = min(max(start, 0), size)
            return start, min(max(end, start), size)
        if not self.text:
            return 0, 0
        start = min(max(start, 0), len(self.text) - 1)
        if end <= start:
            first = self.offsets[start]
            return first, first
        end = min(end, len(self.text))
        return self.offsets[start], self.offsets[end - 1] + 1
