"""Output rows, encoded on the executors by the local engine's own writers.

Text formats (TSV, CSV, JSON Lines) are encoded row by row by the writer class the local scan
uses, into a string that Spark's text writer stores as one line (a CSV row with a quoted line
break spans two, as locally), so each output row is the bytes the local engine would write.
Every part file starts with its own header (TSV, CSV), so each part is a complete file.

Parquet is written by Spark from Arrow columns: the input's columns (typed as read from a
Parquet input; text from the other formats, non-string JSON values as JSON text) followed by
the verdict fields, typed as :data:`VERDICT_TYPES`; findings are JSON text, as locally.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from typing import Any, Final, TextIO

from smsguard.bulk import VERDICT_FIELDS
from smsguard.scanio.formats import Format
from smsguard.scanio.sinks import Sink
from smsguard.scanio.writers import _WRITERS, RecordWriter

#: Spark SQL type of each verdict field in Parquet output.
VERDICT_TYPES: Final[dict[str, str]] = {
    "verdict": "string",
    "fraud": "boolean",
    "purpose": "string",
    "rules": "string",
    "findings": "string",
    "risk": "string",
    "p_spam": "double",
    "p_fraud": "double",
    "templates": "string",
    "rulebook": "string",
}
assert tuple(VERDICT_TYPES) == VERDICT_FIELDS

TEXT_COLUMN: Final = "value"


class _StringSink(Sink):
    """An in-memory text sink whose content is taken after each row."""

    name = "a Spark partition"

    def __init__(self) -> None:
        self.buffer = io.StringIO()

    def open_text(self) -> TextIO:
        return self.buffer

    def open_binary(self) -> Any:
        raise NotImplementedError("text formats only")

    def commit(self) -> None:
        pass

    def discard(self) -> None:
        pass

    def take(self) -> str:
        """What was written since the last call, without the final line break."""
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate(0)
        return text[:-1] if text.endswith("\n") else text


class TextEncoder:
    """Encodes rows of one partition as the local writer of ``fmt`` would write them."""

    def __init__(self, fmt: Format, fieldnames: Sequence[str]) -> None:
        self._sink = _StringSink()
        self._writer: RecordWriter = _WRITERS[fmt](self._sink, fieldnames)
        header = self._sink.take()
        self.header: str | None = header if fmt in ("tsv", "csv") else None

    def encode(self, row: Mapping[str, object]) -> str:
        self._writer.write(row)
        return self._sink.take()


def output_fieldnames(input_fields: Sequence[str]) -> list[str]:
    """The input's columns, then each verdict field the input does not already have."""
    return [*input_fields, *(f for f in VERDICT_FIELDS if f not in input_fields)]


def verdict_columns(rows: Sequence[Mapping[str, object]], arrow: Any) -> list[Any]:
    """The verdict fields of ``rows`` as Arrow arrays typed as :data:`VERDICT_TYPES`."""
    types = {"string": arrow.string(), "boolean": arrow.bool_(), "double": arrow.float64()}
    columns = []
    for name, kind in VERDICT_TYPES.items():
        values = [_flat(row.get(name)) for row in rows]
        columns.append(arrow.array(values, type=types[kind]))
    return columns


def text_field(value: object) -> str | None:
    """An input value of a text format as a Parquet string column holds it."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def _flat(value: object) -> object:
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value
