"""Which record format a file holds, decided from its name or an explicit choice.

Bulk scans accept the formats people already export SMS corpora in. Guessing from content is
unreliable (a one-column TSV and a one-column CSV look alike), so the format comes from the
file extension, and an explicit ``--format`` always wins over the extension.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final, Literal

from smsguard.errors import InputError

Format = Literal["tsv", "csv", "jsonl", "parquet"]

#: Every format, in the order they are listed to users.
FORMATS: Final[tuple[Format, ...]] = ("tsv", "csv", "jsonl", "parquet")

#: Lower-case extension → format. ``.txt`` is read as TSV because tab-separated exports are
#: often saved as ``.txt``; a header-less ``.txt`` fails with a clear missing-column error.
EXTENSIONS: Final[dict[str, Format]] = {
    ".tsv": "tsv",
    ".tab": "tsv",
    ".txt": "tsv",
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json-lines": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}

_COMPRESSED: Final = frozenset({".gz", ".bz2", ".xz", ".zst", ".zip", ".7z"})


def detect_format(path: Path, explicit: str | None = None) -> Format:
    """The format of ``path``: ``explicit`` if given, otherwise the one its extension names.

    Raises :class:`InputError` naming the path and the accepted formats when neither gives one
    of :data:`FORMATS`, so a typo never silently reads a file the wrong way.
    """
    if explicit is not None:
        name = explicit.strip().lower()
        if name in FORMATS:
            return name
        raise InputError(
            f"unknown format {explicit!r} for {path}; accepted formats: {_accepted()}",
        )
    suffix = path.suffix.lower()
    found = EXTENSIONS.get(suffix)
    if found is not None:
        return found
    raise InputError(
        f"cannot tell the format of {path} from its extension {suffix or '(none)'!r}; "
        f"accepted formats: {_accepted()}",
        hint=_hint(suffix),
    )


def _accepted() -> str:
    """The formats and their extensions, for error messages."""
    parts = []
    for fmt in FORMATS:
        extensions = " ".join(ext for ext, value in EXTENSIONS.items() if value == fmt)
        parts.append(f"{fmt} ({extensions})")
    return ", ".join(parts)


def _hint(suffix: str) -> str:
    """A next step: compressed files need unpacking; anything else can name its format."""
    if suffix in _COMPRESSED:
        return "Compressed files are not read directly; decompress the file first."
    return "Rename the file or name its format explicitly (tsv, csv, jsonl or parquet)."
