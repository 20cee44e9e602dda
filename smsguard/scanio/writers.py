"""Write scan results in the format of the input (or another one).

Every writer writes the columns it was opened with, in that order: the input's field names
followed by the verdict fields the caller adds. A row lacking a column gets an empty value;
keys a row has beyond those columns are dropped, except in JSON Lines, which keeps them after
the named ones. Column names should be unique: if a verdict field reuses an input field's name,
the row mapping can hold only one value and the column appears twice in the header, which
:func:`~smsguard.scanio.readers.open_reader` would then refuse as input.

Values are written as follows.

* TSV: one row per line. Because a tab or line break inside a value would split the row, the
  value is escaped the way PostgreSQL's ``COPY`` text format does: backslash as ``\\\\``, tab as
  ``\\t``, newline as ``\\n``, carriage return as ``\\r``. No quoting is used.
* CSV: RFC 4180 quoting where needed (``csv.QUOTE_MINIMAL``), ``\\n`` line endings.
* TSV and CSV cells: ``None`` is empty, booleans are ``true``/``false``, lists and dicts are
  JSON, anything else is ``str(value)``.
* JSON Lines: one object per line, UTF-8 kept as is (``ensure_ascii=False``); values JSON
  cannot hold (dates, decimals …) are written as their ``str()``.
* Parquet: rows are buffered and written when the writer closes; lists and dicts become JSON
  strings, and a column whose values have no common Arrow type is written as strings.

Output to a file is atomic (see :mod:`smsguard.scanio.sinks`): use the writer as a context
manager, and an exception inside the ``with`` block leaves no output file behind.
"""

from __future__ import annotations

import csv
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any, Final, TextIO

from smsguard.errors import InputError
from smsguard.scanio.formats import Format
from smsguard.scanio.parquet import import_pyarrow
from smsguard.scanio.sinks import AtomicFile, Sink, StandardOutput

_TSV_ESCAPES: Final = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_TSV_SPECIAL: Final = re.compile(r"[\\\t\n\r]")


class RecordWriter(ABC):
    """An open output: :meth:`write` rows, then :meth:`close` to publish the file.

    Leaving a ``with`` block normally closes the writer; leaving it through an exception
    calls :meth:`abort`, which removes the unfinished output. A failure to write is an
    :class:`InputError` naming the destination, except a closed pipe (``BrokenPipeError``),
    which is re-raised as is so a command line can exit quietly as ``head`` expects.
    """

    def __init__(self, sink: Sink, fieldnames: Sequence[str]) -> None:
        self.fieldnames: tuple[str, ...] = tuple(fieldnames)
        self._sink = sink
        self._done = False
        try:
            self._start()
        except BaseException as err:
            self._fail(err)
            raise

    def write(self, row: Mapping[str, object]) -> None:
        """Add one row; values are looked up by :attr:`fieldnames`."""
        if self._done:
            raise ValueError("write() on a RecordWriter that is already closed")
        try:
            self._write_row(row)
        except BaseException as err:
            self._fail(err)
            raise

    def close(self) -> None:
        """Finish the output and publish it; does nothing the second time."""
        if self._done:
            return
        try:
            self._finish()
            self._sink.commit()
        except BaseException as err:
            self._fail(err)
            raise
        self._done = True

    def abort(self) -> None:
        """Drop the output: a file target is removed, standard output is only flushed."""
        if not self._done:
            self._done = True
            self._sink.discard()

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def _fail(self, err: BaseException) -> None:
        """Abort after any failure, and replace an OS error by one worded for the user; the
        caller re-raises anything else. (Plain ``try`` blocks, not a context manager, keep
        :meth:`write` cheap: it runs once per row.)"""
        self.abort()
        if isinstance(err, OSError) and not isinstance(err, BrokenPipeError):
            raise InputError(f"cannot write {self._sink.name}: {err.strerror or err}") from err

    @abstractmethod
    def _start(self) -> None:
        """Open the output and write whatever comes before the rows (a header)."""

    @abstractmethod
    def _write_row(self, row: Mapping[str, object]) -> None:
        """Write one row."""

    def _finish(self) -> None:  # noqa: B027 - most formats have nothing to add at the end
        """Write whatever comes after the rows."""


class _TsvWriter(RecordWriter):
    """Tab-separated, one line per row, escaped as described in the module docstring."""

    def _start(self) -> None:
        self._out: TextIO = self._sink.open_text()
        self._line(self.fieldnames)

    def _write_row(self, row: Mapping[str, object]) -> None:
        self._line([_cell(row.get(name)) for name in self.fieldnames])

    def _line(self, values: Sequence[str]) -> None:
        self._out.write("\t".join(map(_tsv_escape, values)) + "\n")


class _CsvWriter(RecordWriter):
    """RFC 4180 CSV with a header row."""

    def _start(self) -> None:
        self._csv = csv.writer(self._sink.open_text(), lineterminator="\n")
        self._csv.writerow(self.fieldnames)

    def _write_row(self, row: Mapping[str, object]) -> None:
        self._csv.writerow([_cell(row.get(name)) for name in self.fieldnames])


class _JsonlWriter(RecordWriter):
    """One JSON object per line: the named fields in order, then any others the row has."""

    def _start(self) -> None:
        self._out: TextIO = self._sink.open_text()

    def _write_row(self, row: Mapping[str, object]) -> None:
        ordered = {name: row[name] for name in self.fieldnames if name in row}
        ordered.update((key, value) for key, value in row.items() if key not in ordered)
        self._out.write(json.dumps(ordered, ensure_ascii=False, default=str) + "\n")


class _ParquetWriter(RecordWriter):
    """Buffers the rows column by column and writes one table on close."""

    def _start(self) -> None:
        self._arrow, self._parquet = import_pyarrow("writing")
        self._columns: list[list[object]] = [[] for _ in self.fieldnames]

    def _write_row(self, row: Mapping[str, object]) -> None:
        for name, column in zip(self.fieldnames, self._columns, strict=True):
            column.append(_parquet_value(row.get(name)))

    def _finish(self) -> None:
        arrays = [_arrow_array(self._arrow, column) for column in self._columns]
        try:
            table = self._arrow.Table.from_arrays(arrays, names=list(self.fieldnames))
            self._parquet.write_table(table, self._sink.open_binary())
        except self._arrow.ArrowException as err:
            raise InputError(f"cannot write Parquet to {self._sink.name}: {err}") from err


_WRITERS: Final[dict[Format, type[RecordWriter]]] = {
    "tsv": _TsvWriter,
    "csv": _CsvWriter,
    "jsonl": _JsonlWriter,
    "parquet": _ParquetWriter,
}


def open_writer(path: Path | None, *, fmt: Format, fieldnames: Sequence[str]) -> RecordWriter:
    """A writer of ``fmt`` rows with these columns to ``path``, or to standard output when
    ``path`` is ``None``. Raises :class:`InputError` if the destination cannot be written."""
    sink: Sink = StandardOutput() if path is None else AtomicFile(path)
    try:
        return _WRITERS[fmt](sink, fieldnames)
    except BaseException:
        sink.discard()
        raise


def _tsv_escape(value: str) -> str:
    """``value`` with backslash, tab and line breaks escaped; most values need nothing."""
    return value.translate(_TSV_ESCAPES) if _TSV_SPECIAL.search(value) else value


def _cell(value: object) -> str:
    """A value as TSV or CSV text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _parquet_value(value: object) -> object:
    """Nested values become JSON text, so every column stays flat."""
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def _arrow_array(arrow: ModuleType, values: list[object]) -> Any:
    """An Arrow array of ``values``; as strings when they share no Arrow type."""
    try:
        return arrow.array(values)
    except (arrow.ArrowException, TypeError, ValueError, UnicodeError):
        texts = [None if value is None else _safe_text(value) for value in values]
        return arrow.array(texts, type=arrow.string())


def _safe_text(value: object) -> str:
    """``str(value)`` with any lone surrogate escaped, since Parquet strings must be UTF-8."""
    return str(value).encode("utf-8", "backslashreplace").decode("utf-8")
