"""Open any supported input file as a stream of records to screen.

:func:`open_reader` reads the header (or first object, or Parquet schema) at once, so problems
with the file as a whole surface as :class:`InputError` before any row is screened; the rows
are then read one at a time, never the whole file at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, Final

from smsguard.scanio.delimited import open_csv, open_tsv
from smsguard.scanio.formats import Format
from smsguard.scanio.jsonl import open_jsonl
from smsguard.scanio.parquet import open_parquet
from smsguard.scanio.records import (
    DEFAULT_TEXT_COLUMN,
    MAX_LINE_BYTES,
    MAX_TEXT_CHARS,
    ReadOptions,
    Record,
    RecordReader,
    RowProblem,
    open_input,
)

_Opener = Callable[[Path, BinaryIO, ReadOptions], RecordReader]

_OPENERS: Final[dict[Format, _Opener]] = {
    "tsv": open_tsv,
    "csv": open_csv,
    "jsonl": open_jsonl,
    "parquet": open_parquet,
}


def open_reader(
    path: Path,
    *,
    fmt: Format,
    text_column: str = DEFAULT_TEXT_COLUMN,
    max_text_chars: int = MAX_TEXT_CHARS,
    max_line_bytes: int = MAX_LINE_BYTES,
) -> RecordReader:
    """Open ``path`` as ``fmt`` and read its header; use the result as a context manager.

    ``reader.fieldnames`` are the input columns and ``reader.text_column`` the one the text
    comes from (a common alternative such as ``sms`` when ``text_column`` was left at its
    default and the file has no ``text`` column). Iterating yields a :class:`Record` per good
    row and a :class:`RowProblem` per bad one. Raises :class:`InputError` when the file cannot
    be read at all.
    """
    options = ReadOptions(text_column, max_text_chars, max_line_bytes)
    stream = open_input(path)
    try:
        return _OPENERS[fmt](path, stream, options)
    except BaseException:
        stream.close()
        raise


def read_records(
    path: Path,
    *,
    fmt: Format,
    text_column: str = DEFAULT_TEXT_COLUMN,
    max_text_chars: int = MAX_TEXT_CHARS,
) -> Iterator[Record | RowProblem]:
    """The rows of ``path``, for callers that do not need the column names.

    The file is opened on the first ``next()`` and closed when the iterator is exhausted or
    closed.
    """
    with open_reader(
        path, fmt=fmt, text_column=text_column, max_text_chars=max_text_chars
    ) as reader:
        yield from reader
