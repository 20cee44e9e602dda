"""Expand a rule keyword into a regex that also matches the ways senders disguise it.

Rules are written as plain keywords (贷款, 秒批, 微信). Senders who expect a filter write
代款, dai款, 秒pi, V信, 威芯 or dk. :func:`expand_term` turns a keyword into one regex for
all of these, to run against :func:`~smsguard.screening.normalize.normalize`-d text, so
full-width letters, traditional characters and 秒-批 separators are already taken care of.

How a keyword is expanded:

* it is normalised first, then cut into units: curated whole words (微信, 征信 …) from
  ``data/variants.yaml`` where they occur, single characters elsewhere;
* each character becomes one class or small group: itself, its look-alikes and, for
  keywords of two or more characters, its pinyin and single ASCII substitutes (加 → +);
* curated words add their own forms (微信 → vx, wx; 贷款 → dk).

False positives are the main risk, because ASCII forms can occur in English or in URLs.
Two guards keep them out: a variant must keep at least one non-ASCII unit of the keyword
(dai款, 秒pi), or, when it is ASCII from end to end, it must be at least
``MIN_ASCII_VARIANT`` characters long (daikuan, miaopi but never "dai" or "edu" for 额度);
the only shorter ASCII forms are the curated abbreviations of a whole keyword (dk, vx).

The output uses only literals, classes, ``(?:…)`` groups, alternation and ``?``, so both
``re`` and Hyperscan accept it. Every unit appears at most a few times per position in the
keyword, so the size grows with the square of the keyword length, never exponentially.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from smsguard.screening.normalize import normalize

MIN_ASCII_VARIANT = 5
# An optional separator between units: normalisation removes separators only between two
# ideographs, so "dai kuan" or "秒 pi" still have theirs.
_GAP = r"[ ._*\-]?"
_PINYIN = re.compile(r"[a-z]+")


@dataclass(frozen=True, slots=True)
class CharVariants:
    """How one character may be disguised."""

    alike: tuple[str, ...] = ()
    pinyin: tuple[str, ...] = ()
    sub: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WordVariants:
    """Forms of a whole word that no character-by-character reading gives."""

    alike: tuple[str, ...] = ()
    sub: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class VariantTable:
    """The curated variant data, keyed by normalised characters and words."""

    chars: Mapping[str, CharVariants]
    words: Mapping[str, WordVariants]


@dataclass(frozen=True, slots=True)
class _Piece:
    """Regex fragments for one unit or run of units; none has a top-level ``|``.

    ``native`` matches the forms that keep a non-ASCII character (or the literal text the
    rule author wrote); ``ascii`` the all-ASCII variant forms, ``shortest`` characters at
    least; ``curated`` says every ASCII form came from a human-curated word entry.
    """

    native: str
    ascii: str | None = None
    shortest: int = 0
    curated: bool = False

    @property
    def either(self) -> str:
        return self.native if self.ascii is None else _group([self.native, self.ascii])


# An all-ASCII disguise must stand as a word of its own: "dk" is 贷款, but not inside "idk"
# or "vodka". The matcher checks look-arounds with `re` (Hyperscan only prefilters).
_ASCII_WORD = "(?<![a-z0-9])(?:{})(?![a-z0-9])"


def expand_term(term: str, table: VariantTable | None = None) -> str:
    """Return a regex matching ``term`` and its disguises in normalised text.

    Surrounding whitespace is dropped: it is almost always a slip, and keeping it would stop
    the keyword from matching at the start or end of an SMS. Raises ``ValueError`` for a
    term that normalises to nothing (blank or invisible characters only).
    """
    text = normalize(term).text.strip()
    if not text:
        raise ValueError(f"keyword {term!r} is empty once normalised")
    if len(text) == 1:  # one character is too little context for any look-alike
        return _literal(text)
    data = table if table is not None else load_variants()
    whole = _sequence([_unit_piece(unit, data) for unit in _units(text, data)])
    if whole.ascii is not None and (whole.curated or whole.shortest >= MIN_ASCII_VARIANT):
        return _group([whole.native, _ASCII_WORD.format(whole.ascii)])
    return whole.native


def expand_terms(terms: Iterable[str], table: VariantTable | None = None) -> str:
    """Return one alternation of the expansions of ``terms`` (duplicates dropped)."""
    expanded = dict.fromkeys(expand_term(term, table) for term in terms)
    if not expanded:
        raise ValueError("no keywords to expand")
    return "|".join(f"(?:{pattern})" for pattern in expanded)


@functools.cache
def load_variants() -> VariantTable:
    """Read ``data/variants.yaml`` once; the data is normalised and checked on the way."""
    source = resources.files("smsguard.screening").joinpath("data/variants.yaml")
    return parse_variants(yaml.safe_load(source.read_text(encoding="utf-8")))


def parse_variants(raw: Any) -> VariantTable:
    """Build a :class:`VariantTable` from parsed YAML, rejecting malformed entries."""
    if not isinstance(raw, dict):
        raise ValueError("variant data must be a mapping with 'chars' and 'words'")
    chars = {_key(k, single=True): _char_entry(k, v) for k, v in _section(raw, "chars").items()}
    words = {_key(k, single=False): _word_entry(k, v) for k, v in _section(raw, "words").items()}
    return VariantTable(chars=chars, words=words)


def _section(raw: dict[Any, Any], name: str) -> dict[Any, Any]:
    section = raw.get(name) or {}
    if not isinstance(section, dict):
        raise ValueError(f"variant data: {name!r} must be a mapping")
    return section


def _key(key: Any, *, single: bool) -> str:
    """Keys must already be in normal form: an unnormalised key could never match."""
    if not isinstance(key, str) or normalize(key).text != key or not key:
        raise ValueError(f"variant key {key!r} is not in normalised form")
    if single != (len(key) == 1):
        raise ValueError(f"variant key {key!r} is in the wrong section")
    return key


def _char_entry(key: str, entry: Any) -> CharVariants:
    fields = _fields(key, entry, {"py", "alike", "sub", "why"})
    pinyin = tuple(str(fields.get("py", "")).split())
    if not all(_PINYIN.fullmatch(syllable) for syllable in pinyin):
        raise ValueError(f"variant {key!r}: pinyin must be lower-case ASCII letters")
    alike = _forms(key, fields.get("alike", ""), want_ascii=False)
    sub = _forms(key, fields.get("sub", ""), want_ascii=True)
    return CharVariants(alike=alike, pinyin=pinyin, sub=sub)


def _word_entry(key: str, entry: Any) -> WordVariants:
    fields = _fields(key, entry, {"alike", "sub", "why"})
    alike = _forms(key, fields.get("alike", []), want_ascii=False)
    sub = _forms(key, fields.get("sub", []), want_ascii=True)
    return WordVariants(alike=alike, sub=sub)


def _fields(key: str, entry: Any, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(entry, dict) or not set(entry) <= allowed or not entry.get("why"):
        raise ValueError(f"variant {key!r}: needs 'why' and only {sorted(allowed)}")
    return entry


def _forms(key: str, raw: Any, *, want_ascii: bool) -> tuple[str, ...]:
    """Normalise the listed forms; a string lists single characters, a list whole forms."""
    listed = list(raw) if isinstance(raw, str | list) else None
    if listed is None or not all(isinstance(form, str) for form in listed):
        raise ValueError(f"variant {key!r}: forms must be a string or a list of strings")
    forms = tuple(dict.fromkeys(normalize(form).text for form in listed))
    if any(not form or form == key or form.isascii() != want_ascii for form in forms):
        raise ValueError(f"variant {key!r}: a form is empty, the key itself or misfiled")
    return forms


def _units(text: str, data: VariantTable) -> list[str]:
    """Cut ``text`` into curated words (longest first, left to right) and single chars."""
    longest = max(map(len, data.words), default=1)
    units: list[str] = []
    position = 0
    while position < len(text):
        for size in range(min(longest, len(text) - position), 1, -1):
            if text[position : position + size] in data.words:
                break
        else:
            size = 1
        units.append(text[position : position + size])
        position += size
    return units


def _unit_piece(unit: str, data: VariantTable) -> _Piece:
    if len(unit) == 1:
        return _char_piece(unit, data.chars.get(unit))
    return _word_piece(unit, data.words[unit], data)


def _char_piece(char: str, entry: CharVariants | None) -> _Piece:
    """One character of a longer keyword: itself, look-alikes, pinyin and substitutes."""
    if entry is None:
        return _Piece(_literal(char))
    native = _alternatives([char, *entry.alike])
    ascii_forms = [*entry.pinyin, *entry.sub]
    if not ascii_forms:
        return _Piece(native)
    return _Piece(native, _alternatives(ascii_forms), min(map(len, ascii_forms)))


def _word_piece(word: str, entry: WordVariants, data: VariantTable) -> _Piece:
    """A curated word: its characters one by one, or one of its whole-word forms."""
    spelled = _sequence([_char_piece(char, data.chars.get(char)) for char in word])
    native = _group([spelled.native, *map(_literal, entry.alike)])
    ascii_forms = [*map(_literal, entry.sub)]
    lengths = [len(form) for form in entry.sub]
    if spelled.ascii is not None:
        ascii_forms.insert(0, spelled.ascii)
        lengths.append(spelled.shortest)
    if not ascii_forms:
        return _Piece(native)
    return _Piece(native, _group(ascii_forms), min(lengths), curated=bool(entry.sub))


def _sequence(pieces: Sequence[_Piece]) -> _Piece:
    """Concatenate units, keeping "at least one unit native" apart from "all ASCII".

    The native form is an alternation over the position of the first native unit: units
    before it are ASCII, units after it either. That is one alternative per unit, so the
    regex grows with the square of the length instead of with every combination.
    """
    if len(pieces) == 1:
        return pieces[0]
    alternatives: list[str] = []
    for index, piece in enumerate(pieces):
        before = [p.ascii for p in pieces[:index] if p.ascii is not None]
        if len(before) < index:
            break
        after = [p.either for p in pieces[index + 1 :]]
        alternatives.append(_join(pieces, [*before, piece.native, *after]))
    ascii_parts = [p.ascii for p in pieces if p.ascii is not None]
    if len(ascii_parts) < len(pieces):
        return _Piece(_group(alternatives))
    shortest = sum(p.shortest for p in pieces)
    return _Piece(_group(alternatives), _join(pieces, ascii_parts), shortest)


def _join(pieces: Sequence[_Piece], fragments: Sequence[str]) -> str:
    """Concatenate one fragment per piece, with an optional gap beside ASCII variants."""
    joined = [fragments[0]]
    for left, right, fragment in zip(pieces, pieces[1:], fragments[1:], strict=False):
        if left.ascii is not None or right.ascii is not None:
            joined.append(_GAP)
        joined.append(fragment)
    return "".join(joined)


def _alternatives(forms: Sequence[str]) -> str:
    """Single characters go into one class, longer forms become alternatives beside it."""
    unique = list(dict.fromkeys(forms))
    singles = [form for form in unique if len(form) == 1]
    longer = [_literal(form) for form in unique if len(form) > 1]
    if len(singles) == 1:
        return _group([_literal(singles[0]), *longer])
    if singles:
        return _group(["[" + "".join(map(_literal, singles)) + "]", *longer])
    return _group(longer)


def _literal(text: str) -> str:
    return re.escape(text)


def _group(fragments: Sequence[str]) -> str:
    """Join alternatives into one group; a single fragment needs none."""
    unique = list(dict.fromkeys(fragments))
    return unique[0] if len(unique) == 1 else "(?:" + "|".join(unique) + ")"
