"""Record readers and writers for bulk scanning (``smsguard scan``).

Inputs are TSV, CSV, JSON Lines or Parquet (Parquet needs the optional ``pyarrow``). Reading
is streamed: each row becomes a :class:`Record` to screen or a :class:`RowProblem` naming its
line, so one bad row never stops a file. Writers keep the input fields, add the caller's
verdict fields, and publish a file only when it is complete.
"""

from smsguard.scanio.formats import FORMATS, Format, detect_format
from smsguard.scanio.readers import open_reader, read_records
from smsguard.scanio.records import (
    DEFAULT_TEXT_COLUMN,
    MAX_LINE_BYTES,
    MAX_TEXT_CHARS,
    TEXT_COLUMN_ALTERNATIVES,
    Record,
    RecordReader,
    RowProblem,
)
from smsguard.scanio.writers import RecordWriter, open_writer

__all__ = [
    "DEFAULT_TEXT_COLUMN",
    "FORMATS",
    "MAX_LINE_BYTES",
    "MAX_TEXT_CHARS",
    "TEXT_COLUMN_ALTERNATIVES",
    "Format",
    "Record",
    "RecordReader",
    "RecordWriter",
    "RowProblem",
    "detect_format",
    "open_reader",
    "open_writer",
    "read_records",
]
