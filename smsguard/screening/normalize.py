"""Fold an SMS into the canonical form that screening rules are written against.

Senders dodge keyword filters with look-alike characters (full-width ``ＡＰＰ``, ``①``,
Cyrillic ``о``, mathematical ``𝐯𝐱``), traditional characters (``貸款``), invisible characters
and separators wedged between ideographs (``秒-批``, ``征\u200b信``). Normalising both the SMS
and the rulebook to one form lets a single literal catch all of these.

Every change is either one character to one character or a deletion, so a
:class:`NormalizedText` can map each match back onto the original SMS.

Speed matters more than elegance here: every SMS goes through :func:`normalize` before any
rule runs. The fast path therefore does all its per-character work in C: a regex ``split``
isolates the few characters that change, a dict maps them, and one ``in`` test plus one
regex search decide whether anything must be deleted. Offsets are only built when it must.
(``str.translate`` was measured too: it looks every character up through Python objects
and alone costs more than this whole path.)

Choices worth knowing when writing rules:

* the full-width Chinese sentence marks ``，！？；：（）`` are *kept*, like ``。、【】``, so a
  rule can rely on them; other full-width forms fold to ASCII (``％`` → ``%``);
* Chinese numerals (一二三…) are left alone; only ``〇`` and digit look-alikes become digits;
* runs of separators (spaces, line breaks, ``- * . / | ~ ·`` …) vanish only between two
  ideographs; next to a letter, digit or punctuation mark they stay;
* lone surrogates become U+FFFD so the result can always be encoded as UTF-8.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from itertools import compress
from typing import Any

from smsguard.screening.text import NormalizedText

# Bump the leading number whenever a table or rule below changes; the Unicode database of
# the running Python also shapes the tables, so it is part of the version.
NORMALIZER_VERSION = f"1+unicode-{unicodedata.unidata_version}"

# Every character to delete is first mapped to this one (itself invisible), so "is there
# anything to delete?" is a single substring test.
_MARK = "\u200b"

# The only ASCII characters the table maps besides A-Z (which ``lower`` handles).
_ASCII_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_CJK_RANGES: tuple[tuple[int, int], ...] = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x323AF),
)
_CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af"

# Characters used to split a keyword (秒-批, 秒 * 批). They are removed only when the run sits
# between two ideographs; Chinese sentence punctuation is not among them.
_SEPARATORS = (
    " \t\n\r-_*./\\|~^#='\"`"
    "\u00b7\u2010\u2012\u2013\u2014\u2015\u2022\u2027\u2043\u2212\u2215\u2219\u22c5"
    "\u301c\u30fb"
)

# Full-width forms that are the normal Chinese sentence punctuation: folding them to ASCII
# would surprise rule authors and gain nothing, so they stay.
_KEEP = frozenset("，！？；：（）")

# Look-alikes that Unicode normalisation does not fold. Read as pairs: source, target.
_HOMOGLYPH_PAIRS = (
    # Cyrillic lower and upper case letters that look Latin.
    "аaеeоoрpсcхxуyіiјjѕsԁdһhԛqԝwӏl"
    "АaВbЕeКkМmНhОoРpСcТtХxУyЅsІiЈjԚqԜw"
    # Greek capitals and the lower case letters that pass for Latin ones.
    "ΑaΒbΕeΖzΗhΙiΚkΜmΝnΟoΡpΤtΥyΧx"
    "αaοoρpνvυuχxκkιiϲcϳj"
    # Small capitals and other Latin variants used by "fancy text" generators.
    "ᴀaʙbᴄcᴅdᴇeꜰfɢgʜhɪiᴊjᴋkʟlᴍmɴnᴏoᴘpǫqʀrꜱsᴛtᴜuᴠvᴡwʏyᴢz"
    "ıiȷjɑaɡgƖl"
    # Regional indicator symbols, which spell letters (🇻🇽 for "vx") outside flag pairs too.
    "🇦a🇧b🇨c🇩d🇪e🇫f🇬g🇭h🇮i🇯j🇰k🇱l🇲m🇳n🇴o🇵p🇶q🇷r🇸s🇹t🇺u🇻v🇼w🇽x🇾y🇿z"
    # The ideographic zero is written where a digit 0 is meant (1〇〇%).
    "〇0"
)
_HOMOGLYPHS = dict(zip(_HOMOGLYPH_PAIRS[::2], _HOMOGLYPH_PAIRS[1::2], strict=True))

# Invisible or decorative marks with no category of their own worth keeping: combining
# diacritics (stacked on letters to break words), variation selectors, Hangul fillers.
_INVISIBLE_RANGES: tuple[tuple[int, int], ...] = (
    (0x0300, 0x036F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20FF),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFE20, 0xFE2F),
    (0xFFA0, 0xFFA0),
    (0xE0100, 0xE01EF),
)
_INVISIBLE = frozenset(
    chr(code) for first, last in _INVISIBLE_RANGES for code in range(first, last + 1)
)

# Code points whose mapping is computed from the Unicode database. The big ideograph blocks
# are skipped: they have no compatibility, case or digit mapping, only the t2s one.
_SCAN_RANGES: tuple[tuple[int, int], ...] = (
    (0x0000, 0x33FF),
    (0x4DC0, 0x4DFF),
    (0xA000, 0x1FFFF),
    (0x2F800, 0x2FA1F),
    (0xE0000, 0xE0FFF),
)
_MAX_CHAIN = 8
# Whole categories with one replacement: lone surrogates cannot be encoded, so they become
# U+FFFD; every kind of space becomes a plain space and line separators a newline.
_BY_CATEGORY = {"Cs": "\ufffd", "Zs": " ", "Zl": "\n", "Zp": "\n"}
_ASTRAL = "\\U00010000-\\U0010ffff"


def is_cjk(ch: str) -> bool:
    """Tell whether the single character ``ch`` is a CJK ideograph.

    Only ideographs on both sides make a separator run disappear: between Latin letters or
    digits a dot or a dash is part of a URL, a number or a code and must stay.
    """
    code = ord(ch)
    return any(first <= code <= last for first, last in _CJK_RANGES)


@dataclass(frozen=True, slots=True)
class _Tables:
    """Everything the hot path needs, bound once so each call does no set-up work."""

    split: Callable[[str], list[str | Any]]
    get: Callable[[str, str], str]
    find_run: Callable[[str], re.Match[str] | None]
    find_runs: Callable[[str], Iterable[re.Match[str]]]


_TABLES: _Tables | None = None


def normalize(text: str) -> NormalizedText:
    """Return the canonical form of ``text`` with offsets back into it when needed."""
    if text.isascii() and _ASCII_CONTROL.search(text) is None:
        return NormalizedText(text, text.lower())  # nothing else in ASCII maps or deletes
    tables = _TABLES or _load_tables()
    parts = tables.split(text)
    # ``parts`` alternates untouched stretches and single characters that map; ``get``
    # leaves the stretches as they are (they are never keys) and maps the characters.
    mapped: str = "".join(map(tables.get, parts, parts)) if len(parts) > 1 else text
    if _MARK in mapped or tables.find_run(mapped) is not None:
        return _delete(text, mapped, tables)
    return NormalizedText(text, mapped)


def _delete(original: str, mapped: str, tables: _Tables) -> NormalizedText:
    """Drop marked characters, then separator runs between ideographs, tracking offsets."""
    offsets: Sequence[int] = range(len(mapped))
    text = mapped
    if _MARK in mapped:
        offsets = list(compress(offsets, map(_MARK.__ne__, mapped)))
        text = mapped.replace(_MARK, "")
    runs = [match.span() for match in tables.find_runs(text)]
    if runs:
        text, offsets = _cut(text, offsets, runs)
    return NormalizedText(original, text, tuple(offsets))


def _cut(text: str, offsets: Sequence[int], runs: list[tuple[int, int]]) -> tuple[str, list[int]]:
    """Remove the ``runs`` spans from ``text`` and the matching entries from ``offsets``."""
    pieces: list[str] = []
    kept: list[int] = []
    position = 0
    for start, end in runs:
        pieces.append(text[position:start])
        kept.extend(offsets[position:start])
        position = end
    pieces.append(text[position:])
    kept.extend(offsets[position:])
    return "".join(pieces), kept


def _load_tables() -> _Tables:
    """Build the tables on first use; importing this module stays cheap.

    Supplementary characters are all captured through one catch-all range, which keeps the
    class a fast bitmap test; those that do not map (emoji) come back unchanged from
    ``get``. The run pattern starts with the separator class so that ``re`` can scan for it
    quickly; the look-behind then checks for an ideograph before the run, the look-ahead
    for one after it.
    """
    global _TABLES
    mapping = build_mapping()
    changed = _class_body(sorted(ord(ch) for ch in mapping if ord(ch) < 0x10000))
    splitter = re.compile(f"([{changed}{_ASTRAL}])")
    cjk, seps = _CJK_CLASS, re.escape(_SEPARATORS)
    runs = re.compile(f"[{seps}](?<=[{cjk}][{seps}])[{seps}]*(?=[{cjk}])")
    _TABLES = _Tables(splitter.split, mapping.get, runs.search, runs.finditer)
    return _TABLES


def _class_body(codes: Iterable[int]) -> str:
    """Write sorted code points as a compact regex class body of escaped ranges."""
    body: list[str] = []
    first = last = -2
    for code in codes:
        if code == last + 1:
            last = code
            continue
        if first >= 0:
            body.append(_range(first, last))
        first = last = code
    if first >= 0:
        body.append(_range(first, last))
    return "".join(body)


def _range(first: int, last: int) -> str:
    """Escape everything: no class metacharacter or odd code point can slip through."""
    return f"\\U{first:08x}" if first == last else f"\\U{first:08x}-\\U{last:08x}"


def build_mapping() -> dict[str, str]:
    """Map every character that normalisation changes to its final, fixed-point form.

    Deleted characters map to ``_MARK``. Public so tests and tools can inspect the table.
    """
    t2s = _load_t2s()
    mapping: dict[str, str] = {}
    candidates = [chr(c) for first, last in _SCAN_RANGES for c in range(first, last + 1)]
    for ch in (*candidates, *t2s):
        target = _resolve(ch, t2s)
        if target != ch:
            mapping[ch] = target
    if any(mapping.get(sep, sep) != sep for sep in _SEPARATORS):
        raise RuntimeError("a separator is not a fixed point of the normalisation table")
    return mapping


def _resolve(ch: str, t2s: dict[str, str]) -> str:
    """Apply single steps until nothing changes, so the table is idempotent by design."""
    current = ch
    for _ in range(_MAX_CHAIN):
        following = _step(current, t2s)
        if following == current:
            return current
        current = following
    raise RuntimeError(f"normalisation of U+{ord(ch):04X} does not settle")


def _step(ch: str, t2s: dict[str, str]) -> str:
    """One folding step; the order puts the most specific knowledge first."""
    category = unicodedata.category(ch)
    if category == "Cn" and ch not in t2s:  # unassigned: most of the scanned space
        return ch
    if category in ("Cf", "Me") or ch in _INVISIBLE:
        return _MARK
    if category in _BY_CATEGORY:
        return _BY_CATEGORY[category]
    if category == "Cc":
        return ch if ch in "\t\n\r" else " "
    fixed = _HOMOGLYPHS.get(ch) or t2s.get(ch)
    if fixed is not None:
        return fixed
    if ch in _KEEP:
        return ch
    return _unicode_fold(ch)


def _unicode_fold(ch: str) -> str:
    """Compatibility, digit, case and accent folding, each only where it stays 1:1."""
    compatible = unicodedata.normalize("NFKC", ch)
    if len(compatible) == 1 and compatible != ch:
        return compatible
    digit = unicodedata.digit(ch, None)
    if digit is not None and not ch.isascii():
        return str(digit)
    folded = ch.casefold()
    if len(folded) != 1:  # ß → ss: fall back to plain lower case, which may stay 1:1
        folded = ch.lower()
    if len(folded) == 1 and folded != ch:
        return folded
    return _strip_accents(ch)


def _strip_accents(ch: str) -> str:
    """Drop diacritics from Latin, Greek and Cyrillic letters (tone-marked pinyin → ASCII)."""
    decomposed = unicodedata.normalize("NFD", ch)
    if len(decomposed) < 2 or ord(decomposed[0]) >= 0x0530:
        return ch
    if all(unicodedata.combining(mark) for mark in decomposed[1:]):
        return decomposed[0]
    return ch


def _load_t2s() -> dict[str, str]:
    """Read the generated OpenCC single-character table (see scripts/gen_t2s_table.py)."""
    source = resources.files("smsguard.screening").joinpath("data/t2s.txt")
    lines = source.read_text(encoding="utf-8").splitlines()
    pairs = "".join(line.strip() for line in lines if not line.startswith("#"))
    return dict(zip(pairs[::2], pairs[1::2], strict=True))
