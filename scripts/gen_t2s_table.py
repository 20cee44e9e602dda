"""Regenerate ``smsguard/screening/data/t2s.txt`` from OpenCC's ``t2s`` conversion.

The screener folds traditional characters to simplified ones so that one rulebook written in
simplified Chinese also catches traditional-script SMS. Normalisation must stay one character
to one character (offsets map back to the original), so only OpenCC's *single-character*
conversions are kept: each ideograph is converted on its own, never inside a phrase.

OpenCC is a development dependency only; the runtime reads the generated file. Run with
``.venv/bin/python scripts/gen_t2s_table.py`` and bump ``NORMALIZER_VERSION`` in
``smsguard/screening/normalize.py`` when the output changes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import opencc

# The main CJK ideograph blocks: Ext A, URO, compatibility, Ext B-F, compat supplement, Ext G.
CJK_RANGES: tuple[tuple[int, int], ...] = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2EBEF),
    (0x2F800, 0x2FA1F),
    (0x30000, 0x3134F),
)
PAIRS_PER_LINE = 40
OUTPUT = Path(__file__).resolve().parent.parent / "smsguard/screening/data/t2s.txt"
HEADER = (
    "# Traditional -> simplified Chinese, single characters only.\n"
    "# Derived from OpenCC {version} 't2s' (https://github.com/BYVoid/OpenCC, Apache-2.0)\n"
    "# by scripts/gen_t2s_table.py. Format: after these '#' lines, each line is a run of\n"
    "# two-character pairs: a traditional character followed by its simplified form.\n"
)


def single_char_mappings(converter: opencc.OpenCC) -> dict[str, str]:
    """Convert every ideograph on its own and keep the ones OpenCC changes to one char."""
    mapping: dict[str, str] = {}
    for first, last in CJK_RANGES:
        for code in range(first, last + 1):
            char = chr(code)
            converted = converter.convert(char)
            if converted != char and len(converted) == 1:
                mapping[char] = converted
    return mapping


def resolve_chains(mapping: dict[str, str]) -> dict[str, str]:
    """Follow a -> b -> c to the end so one lookup gives the final form (idempotence)."""
    resolved: dict[str, str] = {}
    for source, target in mapping.items():
        seen = {source}
        while target in mapping and target not in seen:
            seen.add(target)
            target = mapping[target]
        if target != source:
            resolved[source] = target
    return resolved


def render(mapping: dict[str, str], version: str) -> str:
    """Lay the pairs out in code-point order, a fixed number per line, for stable diffs."""
    pairs = [source + mapping[source] for source in sorted(mapping)]
    lines = [
        "".join(pairs[start : start + PAIRS_PER_LINE])
        for start in range(0, len(pairs), PAIRS_PER_LINE)
    ]
    return HEADER.format(version=version) + "\n".join(lines) + "\n"


def main() -> int:
    """Write the table and say how many pairs it holds."""
    mapping = resolve_chains(single_char_mappings(opencc.OpenCC("t2s")))
    version = getattr(opencc, "__version__", "1.x")
    OUTPUT.write_text(render(mapping, str(version)), encoding="utf-8")
    print(f"wrote {len(mapping)} pairs to {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
