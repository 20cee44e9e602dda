"""TSV and CSV input: a header row, then one row per record.

TSV is read with quoting disabled: every tab separates fields and every quote is part of the
text. The SMS corpora this tool meets start texts with ``"`` and contain stray quotes, which
a quote-aware parser would glue across lines. One physical line is one record.

CSV follows RFC 4180 quoting through the :mod:`csv` module, so a quoted field may span lines;
a record's line number is the line where it starts, and line breaks inside a quoted field are
read as ``\\n`` whatever the file uses.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from smsguard.errors import InputError
from smsguard.scanio.lines import Line, iter_lines
from smsguard.scanio.records import (
    ReadOptions,
    Record,
    RecordReader,
    RowProblem,
    check_fieldnames,
    make_record,
    resolve_text_column,
)


def open_tsv(path: Path, stream: BinaryIO, options: ReadOptions) -> RecordReader:
    """Read the header of a TSV file and return a reader over its rows."""
    lines = iter_lines(stream, path, max_bytes=options.max_line_bytes)
    first = next(lines, None)
    if first is None:
        raise InputError(f"{path} is empty; expected a header row")
    if first.problem is not None:
        raise InputError(f"{path}: cannot read the header on line 1: {first.problem}")
    if not first.text.strip():
        raise InputError(f"{path} has no header row (line 1 is blank)")
    fieldnames = first.text.split("\t")
    check_fieldnames(path, fieldnames)
    text_column = resolve_text_column(path, fieldnames, options.text_column)
    return RecordReader(
        path=path,
        fmt="tsv",
        fieldnames=fieldnames,
        text_column=text_column,
        rows=_tsv_rows(lines, fieldnames, text_column, options),
        on_close=stream.close,
    )


def _tsv_rows(
    lines: Iterator[Line], fieldnames: Sequence[str], text_column: str, options: ReadOptions
) -> Iterator[Record | RowProblem]:
    """One record or problem per non-blank line."""
    for line in lines:
        if line.problem is not None:
            yield RowProblem(line.number, line.problem)
        elif line.text:
            values = line.text.split("\t")
            yield _row(line.number, fieldnames, values, text_column, options)


def _row(
    number: int,
    fieldnames: Sequence[str],
    values: Sequence[str],
    text_column: str,
    options: ReadOptions,
) -> Record | RowProblem:
    """Pair values with the header, refusing a row whose width does not match."""
    if len(values) != len(fieldnames):
        return RowProblem(number, f"expected {len(fieldnames)} fields, found {len(values)}")
    fields: dict[str, object] = dict(zip(fieldnames, values, strict=True))
    return make_record(number, fields, text_column, options)


class _RecordTooLong(Exception):
    """Raised through :mod:`csv` to abandon a record that outgrew the size limit."""


class _CsvSource:
    """Feeds decoded lines to :func:`csv.reader` and remembers where the current record
    started and whether any of its lines could not be decoded.

    It is a plain iterator, not a generator, because it raises :class:`_RecordTooLong`
    through the parser and must keep working afterwards.
    """

    def __init__(self, lines: Iterator[Line], max_chars: int) -> None:
        self._lines = lines
        self._max_chars = max_chars
        self._chars = 0
        self.start = 0
        self.problem: tuple[int, str] | None = None

    def begin_record(self) -> None:
        """Forget the previous record before the parser asks for the next one."""
        self._chars = 0
        self.start = 0
        self.problem = None

    def __iter__(self) -> _CsvSource:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        if not self.start:
            self.start = line.number
        if line.problem is not None and self.problem is None:
            self.problem = (line.number, line.problem)
        self._chars += len(line.text) + 1
        if self._chars > self._max_chars:
            raise _RecordTooLong
        return line.text + "\n"


class _CsvParser:
    """Turns the source into rows of values or problems, one record at a time."""

    def __init__(self, stream: BinaryIO, path: Path, options: ReadOptions) -> None:
        self.max_chars = options.max_line_bytes
        _allow_fields_up_to(self.max_chars)
        lines = iter_lines(stream, path, max_bytes=options.max_line_bytes)
        self.source = _CsvSource(lines, self.max_chars)
        self._reader = csv.reader(self.source, strict=False)

    def next_row(self) -> list[str] | RowProblem | None:
        """The next record's values, a problem with it, or ``None`` at the end."""
        self.source.begin_record()
        try:
            values = next(self._reader)
        except StopIteration:
            return None
        except _RecordTooLong:
            return RowProblem(self.source.start, f"record is longer than {self.max_chars} bytes")
        except csv.Error as err:
            return RowProblem(self.source.start, _csv_reason(err))
        if self.source.problem is not None:
            number, reason = self.source.problem
            if number != self.source.start:
                reason = f"{reason} on line {number}"
            return RowProblem(self.source.start, reason)
        return values


def open_csv(path: Path, stream: BinaryIO, options: ReadOptions) -> RecordReader:
    """Read the header of a CSV file and return a reader over its records."""
    parser = _CsvParser(stream, path, options)
    header = parser.next_row()
    if header is None:
        raise InputError(f"{path} is empty; expected a header row")
    if isinstance(header, RowProblem):
        raise InputError(f"{path}: cannot read the header on line {header.line}: {header.reason}")
    if not header:
        raise InputError(f"{path} has no header row (line 1 is blank)")
    check_fieldnames(path, header)
    text_column = resolve_text_column(path, header, options.text_column)
    return RecordReader(
        path=path,
        fmt="csv",
        fieldnames=header,
        text_column=text_column,
        rows=_csv_rows(parser, header, text_column, options),
        on_close=stream.close,
    )


def _csv_rows(
    parser: _CsvParser, fieldnames: Sequence[str], text_column: str, options: ReadOptions
) -> Iterator[Record | RowProblem]:
    """One record or problem per CSV record; blank lines are skipped."""
    while (item := parser.next_row()) is not None:
        if isinstance(item, RowProblem):
            yield item
        elif item:
            yield _row(parser.source.start, fieldnames, item, text_column, options)


def _csv_reason(err: csv.Error) -> str:
    """Word a :mod:`csv` error for the person fixing the file."""
    message = str(err)
    if message.startswith("new-line character seen in unquoted field"):
        return "carriage return inside an unquoted field"
    return f"malformed CSV: {message}"


def _allow_fields_up_to(max_chars: int) -> None:
    """Raise the :mod:`csv` field size limit (128 KiB by default) to our own record limit.

    The limit is process-wide and only ever raised here, never lowered; our own per-record
    limit in :class:`_CsvSource` is what bounds memory.
    """
    if csv.field_size_limit() < max_chars:
        csv.field_size_limit(max_chars)
