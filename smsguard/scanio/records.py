"""What a reader yields, and the checks every format shares.

A bulk scan must never stop because of one bad row: each row becomes either a
:class:`Record` ready for screening or a :class:`RowProblem` that names its line and what is
wrong, and the caller reports the problem and moves on. Problems with the file as a whole
(cannot open it, no header, no text column) are :class:`InputError` and stop the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Final

from smsguard.errors import InputError
from smsguard.scanio.formats import Format

DEFAULT_TEXT_COLUMN: Final = "text"

#: Columns tried, in order, when the caller left the text column at its default and the file
#: has no ``text`` column: the names SMS exports commonly use.
TEXT_COLUMN_ALTERNATIVES: Final = ("text", "sms", "message", "content", "body", "msg")

#: Longest text screened, in characters. Real SMS are a few hundred characters; anything near
#: this is a broken export, and screening it would only slow the scan down.
MAX_TEXT_CHARS: Final = 1_048_576

#: Longest physical line (or CSV record) read, in bytes. Longer lines are skipped unread, so a
#: file with no line breaks at all cannot exhaust memory.
MAX_LINE_BYTES: Final = 64 * 1_048_576


@dataclass(frozen=True, slots=True)
class Record:
    """One row to screen.

    ``line`` is the 1-based physical line where the row starts (the header is line 1), or the
    1-based row number for Parquet. ``fields`` holds the row as read (strings for TSV and CSV,
    JSON values for JSONL) so the output can carry them through; ``text`` is the SMS.
    """

    line: int
    fields: dict[str, object]
    text: str


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A row that was skipped: where it is and why, worded for the person fixing the file."""

    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How rows are read; shared by every format."""

    text_column: str = DEFAULT_TEXT_COLUMN
    max_text_chars: int = MAX_TEXT_CHARS
    max_line_bytes: int = MAX_LINE_BYTES


class RecordReader:
    """An open input file: its columns, the text column in use, and its rows, in order.

    Iterating yields :class:`Record` or :class:`RowProblem` items once (the reader is its own
    iterator, reading as it goes). Use it as a context manager so the file is closed.
    """

    def __init__(
        self,
        *,
        path: Path,
        fmt: Format,
        fieldnames: Sequence[str],
        text_column: str,
        rows: Iterator[Record | RowProblem],
        on_close: Callable[[], object],
    ) -> None:
        self.path = path
        self.format: Format = fmt
        self.fieldnames: tuple[str, ...] = tuple(fieldnames)
        #: The column the text is read from; differs from the one asked for when a common
        #: alternative (``sms``, ``message`` …) was found instead.
        self.text_column = text_column
        self._rows = rows
        self._on_close = on_close
        self._closed = False

    def __iter__(self) -> RecordReader:
        return self

    def __next__(self) -> Record | RowProblem:
        return next(self._rows)

    def close(self) -> None:
        """Stop reading and close the file; further iteration yields nothing."""
        if not self._closed:
            self._closed = True
            close_rows = getattr(self._rows, "close", None)
            if close_rows is not None:
                close_rows()
            self._on_close()

    def __enter__(self) -> RecordReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_input(path: Path) -> BinaryIO:
    """Open ``path`` for binary reading, turning OS errors into an :class:`InputError`."""
    try:
        return path.open("rb")
    except OSError as err:
        raise InputError(f"cannot read {path}: {err.strerror or err}") from err


def check_fieldnames(path: Path, fieldnames: Sequence[str]) -> None:
    """Refuse a header with repeated names: a row could not keep both values."""
    seen: set[str] = set()
    for name in fieldnames:
        if name in seen:
            raise InputError(f"{path}: column name {name!r} appears more than once in the header")
        seen.add(name)


def resolve_text_column(path: Path, fieldnames: Sequence[str], requested: str) -> str:
    """The column holding the SMS text.

    An explicitly requested column must exist. When the caller kept the default, the common
    alternatives in :data:`TEXT_COLUMN_ALTERNATIVES` are tried in order, so typical exports
    work without configuration.
    """
    if requested in fieldnames:
        return requested
    tried = [requested]
    if requested == DEFAULT_TEXT_COLUMN:
        for name in TEXT_COLUMN_ALTERNATIVES:
            if name in fieldnames:
                return name
        tried = list(TEXT_COLUMN_ALTERNATIVES)
    shown = ", ".join(repr(name) for name in fieldnames[:12])
    more = ", …" if len(fieldnames) > 12 else ""
    raise InputError(
        f"{path}: text column {requested!r} is missing (looked for {', '.join(tried)}; "
        f"columns: {shown or 'none'}{more})",
        hint="Name the column that holds the SMS text explicitly.",
    )


def make_record(
    line: int, fields: dict[str, object], text_column: str, options: ReadOptions
) -> Record | RowProblem:
    """Check a row's text and wrap it: a :class:`Record`, or the reason it cannot be screened.

    Whitespace-only text counts as empty: there is nothing to screen. The checks run cheapest
    first; the Unicode check encodes the text once, which is small next to screening it.
    """
    if text_column not in fields:
        return RowProblem(line, f"text column {text_column!r} is missing")
    text = fields[text_column]
    if text is None:
        return RowProblem(line, "text is null")
    if not isinstance(text, str):
        return RowProblem(line, f"text is not a string (found {type(text).__name__})")
    if not text.strip():
        return RowProblem(line, "text is empty")
    if len(text) > options.max_text_chars:
        return RowProblem(
            line, f"text is {len(text)} characters; the limit is {options.max_text_chars}"
        )
    surrogate = _lone_surrogate(text)
    if surrogate is not None:
        return RowProblem(line, f"text contains an unpaired surrogate at character {surrogate}")
    return Record(line, fields, text)


def _lone_surrogate(text: str) -> int | None:
    """The 1-based position of a lone surrogate, which only a JSON ``\\udXXX`` escape can
    produce here; such text is not valid Unicode and cannot be encoded for screening."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        return err.start + 1
    return None
