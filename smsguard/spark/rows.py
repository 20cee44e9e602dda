"""Turning what an executor receives back into the rows the local reader would yield.

Each Arrow batch carries a ``_line`` column (the line or row number the local reader gives)
and either ``raw``, the bytes of one physical line of a TSV or JSON Lines file, or the input's
own columns (Parquet, and CSV after it was staged as Parquet on the driver). The functions
here decode, split and check each row with the very functions ``smsguard.scanio`` uses, so a
row is screened, skipped or reported exactly as the single-process scan would.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from smsguard.scanio.delimited import _row as tsv_row
from smsguard.scanio.jsonl import _parse as parse_json_line
from smsguard.scanio.lines import Line, _decode, _strip_ending
from smsguard.scanio.records import ReadOptions, Record, RowProblem, make_record

LINE_COLUMN = "_line"
RAW_COLUMN = "raw"
_BOM = b"\xef\xbb\xbf"

#: How rows arrive: raw lines of a TSV or JSONL file, or the columns of a table.
Layout = Literal["tsv", "jsonl", "table"]


@dataclass(frozen=True)
class RowSpec:
    """What a worker needs to rebuild rows: the layout, the header, the text column."""

    layout: Layout
    fieldnames: tuple[str, ...]
    text_column: str
    options: ReadOptions


def batch_rows(spec: RowSpec, batch: Any) -> Iterator[tuple[int, Record | RowProblem]]:
    """Each row of an Arrow record batch as ``(index in batch, record or problem)``; rows the
    local reader passes over silently (blank lines, the TSV header) are left out."""
    lines: list[int] = batch.column(LINE_COLUMN).to_pylist()
    if spec.layout == "table":
        table = batch.drop_columns([LINE_COLUMN])
        for index, fields in enumerate(table.to_pylist()):
            yield index, make_record(lines[index], fields, spec.text_column, spec.options)
        return
    raws: list[bytes | None] = batch.column(RAW_COLUMN).to_pylist()
    for index, (number, raw) in enumerate(zip(lines, raws, strict=True)):
        item = line_row(spec, number, raw or b"")
        if item is not None:
            yield index, item


def line_row(spec: RowSpec, number: int, raw: bytes) -> Record | RowProblem | None:
    """One physical line as the local TSV or JSONL reader reads it (None: nothing to read)."""
    if spec.layout == "tsv" and number == 1:
        return None  # the header, read on the driver
    line = decode_line(number, raw, spec.options.max_line_bytes)
    if line.problem is not None:
        return RowProblem(line.number, line.problem)
    if spec.layout == "tsv":
        if not line.text:
            return None
        return tsv_row(
            number, spec.fieldnames, line.text.split("\t"), spec.text_column, spec.options
        )
    if not line.text.strip():
        return None
    parsed = parse_json_line(line)
    if isinstance(parsed, RowProblem):
        return parsed
    return make_record(number, parsed[1], spec.text_column, spec.options)


def decode_line(number: int, raw: bytes, max_bytes: int) -> Line:
    """What :func:`smsguard.scanio.lines.iter_lines` makes of these bytes (Spark has split
    the file at ``\\n`` and dropped it)."""
    if len(raw) > max_bytes:
        return Line(number, "", f"line is longer than {max_bytes} bytes")
    offset = 0
    if number == 1 and raw.startswith(_BOM):
        raw, offset = raw[len(_BOM) :], len(_BOM)
    return _decode(number, _strip_ending(raw + b"\n"), offset)
