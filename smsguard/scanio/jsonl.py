"""JSON Lines input: one JSON object per line.

There is no header, so the first object stands in for one: its keys are the field names and
it decides which text column is used. Later objects may have other keys; a row without the
text column is reported, not screened. Blank lines are skipped silently.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Final

from smsguard.errors import InputError
from smsguard.scanio.lines import Line, iter_lines
from smsguard.scanio.records import (
    ReadOptions,
    Record,
    RecordReader,
    RowProblem,
    make_record,
    resolve_text_column,
)

#: Bad lines tolerated before the first object. A file whose first hundred non-blank lines
#: hold no object is not JSON Lines, and buffering its problems would only waste memory.
MAX_LINES_BEFORE_FIRST_OBJECT: Final = 100

_Parsed = tuple[int, dict[str, object]] | RowProblem


def open_jsonl(path: Path, stream: BinaryIO, options: ReadOptions) -> RecordReader:
    """Read up to the first JSON object and return a reader over every row."""
    parsed = _parse_lines(iter_lines(stream, path, max_bytes=options.max_line_bytes))
    skipped, first = _find_first_object(path, parsed)
    fieldnames = list(first[1])
    text_column = resolve_text_column(path, fieldnames, options.text_column)
    return RecordReader(
        path=path,
        fmt="jsonl",
        fieldnames=fieldnames,
        text_column=text_column,
        rows=_rows(skipped, first, parsed, text_column, options),
        on_close=stream.close,
    )


def _find_first_object(
    path: Path, parsed: Iterator[_Parsed]
) -> tuple[list[RowProblem], tuple[int, dict[str, object]]]:
    """The problems before the first object, and that object; refuse a file without one."""
    skipped: list[RowProblem] = []
    for item in parsed:
        if not isinstance(item, RowProblem):
            return skipped, item
        skipped.append(item)
        if len(skipped) >= MAX_LINES_BEFORE_FIRST_OBJECT:
            break
    if not skipped:
        raise InputError(f"{path} is empty; expected one JSON object per line")
    first = skipped[0]
    raise InputError(
        f"{path}: no JSON object found in the first {len(skipped)} non-blank line(s) "
        f"(line {first.line}: {first.reason})"
    )


def _rows(
    skipped: list[RowProblem],
    first: tuple[int, dict[str, object]],
    parsed: Iterator[_Parsed],
    text_column: str,
    options: ReadOptions,
) -> Iterator[Record | RowProblem]:
    """Replay what was read while looking for the first object, then read on."""
    yield from skipped
    yield make_record(first[0], first[1], text_column, options)
    for item in parsed:
        if isinstance(item, RowProblem):
            yield item
        else:
            yield make_record(item[0], item[1], text_column, options)


def _parse_lines(lines: Iterator[Line]) -> Iterator[_Parsed]:
    """Each non-blank line as its line number and object, or the problem with it."""
    for line in lines:
        if line.problem is not None:
            yield RowProblem(line.number, line.problem)
        elif line.text.strip():
            yield _parse(line)


def _parse(line: Line) -> _Parsed:
    """Parse one line, naming what is wrong when it is not a JSON object."""
    try:
        value = json.loads(line.text)
    except json.JSONDecodeError as err:
        return RowProblem(line.number, f"invalid JSON: {err.msg} at column {err.colno}")
    except ValueError as err:  # e.g. an integer longer than Python converts by default
        return RowProblem(line.number, f"invalid JSON: {err}")
    except RecursionError:
        return RowProblem(line.number, "invalid JSON: nested too deeply")
    if not isinstance(value, dict):
        return RowProblem(line.number, f"not a JSON object (found {_json_kind(value)})")
    return line.number, value


def _json_kind(value: object) -> str:
    """The JSON name of a parsed value's type."""
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "null"
