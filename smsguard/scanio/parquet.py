"""Parquet input, and the lazy import of pyarrow that Parquet reading and writing share.

pyarrow is an optional dependency (``smsguard[parquet]``): it is large, and most scans read
text files. It is imported only when a Parquet file is actually read or written, and its
absence is an :class:`InputError` that says how to install it. Rows are read in batches, so
a large file is never loaded whole.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, BinaryIO, Final

from smsguard.errors import InputError
from smsguard.scanio.records import (
    ReadOptions,
    Record,
    RecordReader,
    RowProblem,
    check_fieldnames,
    make_record,
    resolve_text_column,
)

#: Rows per batch: small enough that a batch of long texts stays cheap to hold.
BATCH_ROWS: Final = 1024


def import_pyarrow(action: str = "reading") -> tuple[ModuleType, ModuleType]:
    """``pyarrow`` and ``pyarrow.parquet``, or an :class:`InputError` naming the extra to
    install. ``action`` ("reading" or "writing") words the message."""
    try:
        arrow = importlib.import_module("pyarrow")
        parquet = importlib.import_module("pyarrow.parquet")
    except ImportError as err:
        raise InputError(
            f"{action} Parquet needs pyarrow: pip install 'smsguard[parquet]'",
            hint="Or convert the file to TSV, CSV or JSON Lines.",
        ) from err
    return arrow, parquet


def open_parquet(path: Path, stream: BinaryIO, options: ReadOptions) -> RecordReader:
    """Open a Parquet file's metadata and return a reader over its rows."""
    arrow, parquet = import_pyarrow("reading")
    try:
        handle = parquet.ParquetFile(stream)
        fieldnames = [str(name) for name in handle.schema_arrow.names]
    except (arrow.ArrowException, OSError, ValueError) as err:
        raise InputError(f"{path} is not a readable Parquet file: {err}") from err
    check_fieldnames(path, fieldnames)
    text_column = resolve_text_column(path, fieldnames, options.text_column)
    return RecordReader(
        path=path,
        fmt="parquet",
        fieldnames=fieldnames,
        text_column=text_column,
        rows=_rows(path, arrow, handle, text_column, options),
        on_close=stream.close,
    )


def _rows(
    path: Path, arrow: ModuleType, handle: Any, text_column: str, options: ReadOptions
) -> Iterator[Record | RowProblem]:
    """Every row, numbered from 1. A corrupt batch stops the file: there is no line to skip
    to, and the rows after it cannot be located."""
    number = 0
    batches = handle.iter_batches(batch_size=BATCH_ROWS)
    while True:
        try:
            batch = next(batches, None)
            rows: list[dict[str, object]] = [] if batch is None else batch.to_pylist()
        except (arrow.ArrowException, OSError, ValueError) as err:
            raise InputError(f"{path}: cannot read rows after row {number}: {err}") from err
        if batch is None:
            return
        for fields in rows:
            number += 1
            yield make_record(number, fields, text_column, options)
