"""Readers and writers for bulk scans: every format, bad rows, bad files, atomic output."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from smsguard.errors import InputError
from smsguard.scanio import (
    MAX_LINE_BYTES,
    MAX_TEXT_CHARS,
    Record,
    RowProblem,
    detect_format,
    open_reader,
    open_writer,
    read_records,
)
from smsguard.scanio.formats import Format

VERDICT_FIELDS = ("verdict", "rules")


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _read_all(
    path: Path,
    fmt: Format,
    *,
    max_text_chars: int = MAX_TEXT_CHARS,
    max_line_bytes: int = MAX_LINE_BYTES,
) -> list[Record | RowProblem]:
    """Every item of a file, with the file closed afterwards."""
    with open_reader(
        path, fmt=fmt, max_text_chars=max_text_chars, max_line_bytes=max_line_bytes
    ) as reader:
        return list(reader)


def _records(items: Sequence[Record | RowProblem]) -> list[Record]:
    return [item for item in items if isinstance(item, Record)]


# --- formats ---------------------------------------------------------------------------------


def test_detect_format_by_extension_unless_named() -> None:
    names = ["a.tsv", "a.TXT", "a.csv", "a.jsonl", "a.ndjson", "a.json-lines", "a.parquet"]
    found = [detect_format(Path(name)) for name in names]
    assert found == ["tsv", "tsv", "csv", "jsonl", "jsonl", "jsonl", "parquet"]
    assert detect_format(Path("export.csv"), "JSONL") == "jsonl"


def test_unknown_extension_names_path_and_formats() -> None:
    with pytest.raises(InputError) as caught:
        detect_format(Path("data/export.xlsx"))
    assert "data/export.xlsx" in caught.value.message
    assert "tsv" in caught.value.message and "parquet" in caught.value.message
    assert caught.value.code == "invalid-input"


def test_unknown_explicit_format_and_compressed_files_are_refused() -> None:
    with pytest.raises(InputError, match="unknown format 'xml'"):
        detect_format(Path("a.tsv"), "xml")
    with pytest.raises(InputError) as caught:
        detect_format(Path("a.tsv.gz"))
    assert "decompress" in caught.value.hint


# --- TSV -------------------------------------------------------------------------------------


def test_tsv_reads_quotes_as_text(tmp_path: Path) -> None:
    path = _write(tmp_path / "in.tsv", b'id\ttext\n1\t"hello\n2\tsay "hi" now\n')
    with open_reader(path, fmt="tsv") as reader:
        items = list(reader)
        assert reader.fieldnames == ("id", "text")
        assert reader.text_column == "text"
    assert items == [
        Record(2, {"id": "1", "text": '"hello'}, '"hello'),
        Record(3, {"id": "2", "text": 'say "hi" now'}, 'say "hi" now'),
    ]


def test_tsv_bad_utf8_line_is_skipped_and_the_rest_read(tmp_path: Path) -> None:
    data = b"id\ttext\n1\tfine\n2\tbr\xffoken\n3\talso fine\n"
    items = _read_all(_write(tmp_path / "in.tsv", data), "tsv")
    assert items[1] == RowProblem(3, "invalid UTF-8 at byte 5")
    assert [record.line for record in _records(items)] == [2, 4]


def test_tsv_nul_byte_is_a_row_problem(tmp_path: Path) -> None:
    items = _read_all(_write(tmp_path / "in.tsv", b"id\ttext\n1\ta\x00b\n2\tok\n"), "tsv")
    assert items[0] == RowProblem(2, "NUL byte at byte 4")
    assert _records(items)[0].text == "ok"


def test_tsv_wrong_field_count(tmp_path: Path) -> None:
    data = b"id\ttext\tsender\n1\thi\tbank\n2\thi\tbank\textra\tmore\n3\tok\tbank\n"
    items = _read_all(_write(tmp_path / "in.tsv", data), "tsv")
    assert items[1] == RowProblem(3, "expected 3 fields, found 5")
    assert len(_records(items)) == 2


def test_tsv_bom_and_crlf(tmp_path: Path) -> None:
    data = "\ufeffid\ttext\r\n1\t您好\r\n\r\n2\t再见\r\n".encode()
    with open_reader(_write(tmp_path / "in.tsv", data), fmt="tsv") as reader:
        assert reader.fieldnames == ("id", "text")
        items = list(reader)
    assert [(item.line, item.text) for item in _records(items)] == [(2, "您好"), (4, "再见")]


def test_empty_and_blank_texts_are_problems(tmp_path: Path) -> None:
    items = _read_all(_write(tmp_path / "in.tsv", b"id\ttext\n1\t\n2\t   \n"), "tsv")
    assert items == [RowProblem(2, "text is empty"), RowProblem(3, "text is empty")]


def test_text_over_the_limit_is_a_problem(tmp_path: Path) -> None:
    path = _write(tmp_path / "in.tsv", b"id\ttext\n1\t" + b"x" * 50 + b"\n2\tshort\n")
    items = _read_all(path, "tsv", max_text_chars=10)
    assert items[0] == RowProblem(2, "text is 50 characters; the limit is 10")
    assert _records(items)[0].text == "short"


def test_overlong_line_is_skipped_without_losing_the_next(tmp_path: Path) -> None:
    path = _write(tmp_path / "in.tsv", b"id\ttext\n1\t" + b"y" * 500 + b"\n2\tafter\n")
    items = _read_all(path, "tsv", max_line_bytes=100)
    assert items[0] == RowProblem(2, "line is longer than 100 bytes")
    assert items[1] == Record(3, {"id": "2", "text": "after"}, "after")


# --- header and file problems ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["tsv", "csv", "jsonl"])
def test_empty_file_is_an_input_error(tmp_path: Path, fmt: Format) -> None:
    path = _write(tmp_path / f"empty.{fmt}", b"")
    with pytest.raises(InputError, match="is empty"):
        open_reader(path, fmt=fmt)


def test_missing_text_column_is_an_input_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "in.tsv", b"id\tbody_text\n1\thello\n")
    with pytest.raises(InputError) as caught:
        open_reader(path, fmt="tsv")
    assert str(path) in caught.value.message
    assert "'text' is missing" in caught.value.message
    assert "'body_text'" in caught.value.message


def test_common_alternative_column_is_used(tmp_path: Path) -> None:
    path = _write(tmp_path / "in.csv", b"id,message,sms\n1,first,second\n")
    with open_reader(path, fmt="csv") as reader:
        assert reader.text_column == "sms"  # sms comes before message in the fallback order
        assert [item.text for item in _records(list(reader))] == ["second"]


def test_explicit_text_column_has_no_fallback(tmp_path: Path) -> None:
    path = _write(tmp_path / "in.tsv", b"id\tsms\n1\thello\n")
    with pytest.raises(InputError, match="'content' is missing"):
        open_reader(path, fmt="tsv", text_column="content")


def test_duplicate_column_names_are_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "in.tsv", b"id\ttext\tid\n1\thello\t2\n")
    with pytest.raises(InputError, match="'id' appears more than once"):
        open_reader(path, fmt="tsv")


def test_undecodable_header_is_an_input_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "in.tsv", b"id\tt\xffext\n1\thello\n")
    with pytest.raises(InputError, match="header on line 1: invalid UTF-8 at byte 5"):
        open_reader(path, fmt="tsv")


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        open_reader(tmp_path / "absent.tsv", fmt="tsv")


# --- CSV -------------------------------------------------------------------------------------


def test_csv_multiline_records_keep_their_starting_line(tmp_path: Path) -> None:
    data = b'id,text\n1,"first\nsecond\nthird"\n2,plain\n3,"a ""quoted"" word"\n'
    items = _read_all(_write(tmp_path / "in.csv", data), "csv")
    assert [(item.line, item.text) for item in _records(items)] == [
        (2, "first\nsecond\nthird"),
        (5, "plain"),
        (6, 'a "quoted" word'),
    ]


def test_csv_crlf_inside_quotes_reads_as_newline(tmp_path: Path) -> None:
    data = b'id,text\r\n1,"one\r\ntwo"\r\n2,three\r\n'
    items = _read_all(_write(tmp_path / "in.csv", data), "csv")
    assert [item.text for item in _records(items)] == ["one\ntwo", "three"]


def test_csv_bad_bytes_inside_a_record_skip_only_that_record(tmp_path: Path) -> None:
    data = b'id,text\n1,"ok"\n2,"start\nbad \xfe here"\n3,after\n'
    items = _read_all(_write(tmp_path / "in.csv", data), "csv")
    assert items[1] == RowProblem(3, "invalid UTF-8 at byte 5 on line 4")
    assert [item.line for item in _records(items)] == [2, 5]


def test_csv_wrong_field_count(tmp_path: Path) -> None:
    items = _read_all(_write(tmp_path / "in.csv", b"id,text\n1,a,b\n2,c\n"), "csv")
    assert items == [
        RowProblem(2, "expected 2 fields, found 3"),
        Record(3, {"id": "2", "text": "c"}, "c"),
    ]


def test_csv_unterminated_quote_is_bounded(tmp_path: Path) -> None:
    data = b'id,text\n1,"never closed\n' + b"filler line\n" * 20 + b"2,later\n"
    items = _read_all(_write(tmp_path / "in.csv", data), "csv", max_line_bytes=100)
    assert items[0] == RowProblem(2, "record is longer than 100 bytes")
    assert Record(23, {"id": "2", "text": "later"}, "later") in items


# --- JSON Lines ------------------------------------------------------------------------------


def test_jsonl_reports_bad_lines_and_reads_the_rest(tmp_path: Path) -> None:
    lines = [
        '{"id": 1, "text": "第一条"}',
        "",
        "[1, 2]",
        '{"id": 3, "text": ',
        '{"id": 4}',
        '{"id": 5, "text": 42}',
        '{"id": 6, "text": null}',
        '{"id": 7, "text": "最后", "extra": [1]}',
    ]
    path = _write(tmp_path / "in.jsonl", "\n".join(lines).encode())
    with open_reader(path, fmt="jsonl") as reader:
        assert reader.fieldnames == ("id", "text")
        items = list(reader)
    assert items[1] == RowProblem(3, "not a JSON object (found an array)")
    assert isinstance(items[2], RowProblem) and items[2].line == 4
    assert items[2].reason.startswith("invalid JSON: ")
    assert items[3:6] == [
        RowProblem(5, "text column 'text' is missing"),
        RowProblem(6, "text is not a string (found int)"),
        RowProblem(7, "text is null"),
    ]
    assert [(item.line, item.fields["id"]) for item in _records(items)] == [(1, 1), (8, 7)]


def test_jsonl_lone_surrogate_in_text_is_a_problem(tmp_path: Path) -> None:
    path = _write(tmp_path / "in.jsonl", b'{"text": "ab\\ud800"}\n{"text": "ok"}\n')
    items = _read_all(path, "jsonl")
    assert items[0] == RowProblem(1, "text contains an unpaired surrogate at character 3")
    assert _records(items)[0].text == "ok"


def test_jsonl_problems_before_the_first_object_are_kept(tmp_path: Path) -> None:
    path = _write(tmp_path / "in.jsonl", b'"just a string"\n{"sms": "hi"}\n')
    with open_reader(path, fmt="jsonl") as reader:
        assert reader.text_column == "sms"
        assert list(reader) == [
            RowProblem(1, "not a JSON object (found a string)"),
            Record(2, {"sms": "hi"}, "hi"),
        ]


def test_jsonl_without_any_object_is_an_input_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "in.jsonl", b"1\n2\n")
    with pytest.raises(InputError, match="no JSON object"):
        open_reader(path, fmt="jsonl")


def test_read_records_streams_rows(tmp_path: Path) -> None:
    path = _write(tmp_path / "in.jsonl", b'{"text": "a"}\n{"text": "b"}\n')
    assert [item.text for item in _records(list(read_records(path, fmt="jsonl")))] == ["a", "b"]


# --- writers ---------------------------------------------------------------------------------


def _scan(source: Path, fmt: Format, target: Path, out_fmt: Format) -> None:
    """What ``smsguard scan`` does with the reader and writer, with a fake verdict."""
    with open_reader(source, fmt=fmt) as reader:
        fieldnames = [*reader.fieldnames, *VERDICT_FIELDS]
        with open_writer(target, fmt=out_fmt, fieldnames=fieldnames) as writer:
            for item in reader:
                if isinstance(item, Record):
                    writer.write({**item.fields, "verdict": "block", "rules": ["R1", "R2"]})


@pytest.mark.parametrize("fmt", ["tsv", "csv", "jsonl"])
def test_round_trip(tmp_path: Path, fmt: Format) -> None:
    source = tmp_path / f"in.{fmt}"
    if fmt == "jsonl":
        _write(source, '{"id": "1", "text": "借款秒到账"}\n{"id": "2", "text": "ok"}\n'.encode())
    else:
        sep = "\t" if fmt == "tsv" else ","
        _write(source, f"id{sep}text\n1{sep}借款秒到账\n2{sep}ok\n".encode())
    target = tmp_path / f"out.{fmt}"
    _scan(source, fmt, target, fmt)
    with open_reader(target, fmt=fmt) as reader:
        assert reader.fieldnames == ("id", "text", "verdict", "rules")
        records = _records(list(reader))
    rules: object = ["R1", "R2"] if fmt == "jsonl" else '["R1", "R2"]'
    assert [record.fields for record in records] == [
        {"id": "1", "text": "借款秒到账", "verdict": "block", "rules": rules},
        {"id": "2", "text": "ok", "verdict": "block", "rules": rules},
    ]


def test_tsv_writer_keeps_one_row_per_line(tmp_path: Path) -> None:
    target = tmp_path / "out.tsv"
    with open_writer(target, fmt="tsv", fieldnames=["text", "flag", "none"]) as writer:
        writer.write({"text": "a\tb\nc\\d\re", "flag": True, "none": None})
    assert target.read_text(encoding="utf-8") == "text\tflag\tnone\na\\tb\\nc\\\\d\\re\ttrue\t\n"


def test_csv_writer_quotes_when_needed(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    with open_writer(target, fmt="csv", fieldnames=["id", "text"]) as writer:
        writer.write({"id": 1, "text": 'say "hi",\nbye'})
    assert target.read_text(encoding="utf-8") == 'id,text\n1,"say ""hi"",\nbye"\n'


def test_jsonl_writer_keeps_unicode_and_extra_keys(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    with open_writer(target, fmt="jsonl", fieldnames=["text", "verdict"]) as writer:
        writer.write({"verdict": {"ok": False}, "extra": 1, "text": "您好"})
    line = target.read_text(encoding="utf-8")
    assert line == '{"text": "您好", "verdict": {"ok": false}, "extra": 1}\n'


def test_writer_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    with open_writer(None, fmt="jsonl", fieldnames=["text"]) as writer:
        writer.write({"text": "短信"})
    assert json.loads(capsys.readouterr().out) == {"text": "短信"}


def test_parquet_to_stdout(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    import pyarrow  # noqa: F401  (a dev dependency: missing means fail, not skip)

    with open_writer(None, fmt="parquet", fieldnames=["text"]) as writer:
        writer.write({"text": "x"})
    out = capsysbinary.readouterr().out
    assert out.startswith(b"PAR1") and out.endswith(b"PAR1")


def test_exception_inside_writer_leaves_no_output(tmp_path: Path) -> None:
    target = tmp_path / "out.tsv"
    with (
        pytest.raises(RuntimeError, match="scan failed"),
        open_writer(target, fmt="tsv", fieldnames=["text"]) as writer,
    ):
        writer.write({"text": "partial"})
        raise RuntimeError("scan failed")
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_the_previous_output(tmp_path: Path) -> None:
    target = _write(tmp_path / "out.csv", b"old results\n")
    with (
        pytest.raises(KeyboardInterrupt),
        open_writer(target, fmt="csv", fieldnames=["text"]) as writer,
    ):
        writer.write({"text": "new"})
        raise KeyboardInterrupt
    assert target.read_bytes() == b"old results\n"
    assert list(tmp_path.iterdir()) == [target]


def test_successful_close_leaves_only_the_output(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    with open_writer(target, fmt="jsonl", fieldnames=["text"]) as writer:
        writer.write({"text": "x"})
        assert not target.exists()  # nothing is visible until the writer closes
    assert list(tmp_path.iterdir()) == [target]


def test_disk_failure_on_close_is_an_input_error_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.fsync", disk_full)
    writer = open_writer(tmp_path / "out.tsv", fmt="tsv", fieldnames=["text"])
    writer.write({"text": "x"})
    with pytest.raises(InputError, match="No space left on device"):
        writer.close()
    assert list(tmp_path.iterdir()) == []


def test_unwritable_destination_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot write"):
        open_writer(tmp_path / "missing" / "out.tsv", fmt="tsv", fieldnames=["text"])
    with pytest.raises(InputError, match="is a directory"):
        open_writer(tmp_path, fmt="tsv", fieldnames=["text"])


# --- Parquet ---------------------------------------------------------------------------------


def test_parquet_round_trip(tmp_path: Path) -> None:
    import pyarrow  # noqa: F401  (a dev dependency: missing means fail, not skip)

    source = _write(tmp_path / "in.tsv", "id\ttext\n1\t借款\n2\tok\n".encode())
    target = tmp_path / "out.parquet"
    _scan(source, "tsv", target, "parquet")
    with open_reader(target, fmt="parquet") as reader:
        assert reader.fieldnames == ("id", "text", "verdict", "rules")
        items = list(reader)
    assert items[0] == Record(
        1, {"id": "1", "text": "借款", "verdict": "block", "rules": '["R1", "R2"]'}, "借款"
    )
    assert [item.line for item in items] == [1, 2]


def test_parquet_mixed_column_is_written_as_strings(tmp_path: Path) -> None:
    import pyarrow  # noqa: F401  (a dev dependency: missing means fail, not skip)

    target = tmp_path / "out.parquet"
    with open_writer(target, fmt="parquet", fieldnames=["text", "score"]) as writer:
        writer.write({"text": "a", "score": 1})
        writer.write({"text": "b", "score": "high"})
        writer.write({"text": "", "score": None})
    items = _read_all(target, "parquet")
    assert [item.fields["score"] for item in _records(items)] == ["1", "high"]
    assert items[2] == RowProblem(3, "text is empty")


def test_not_a_parquet_file_is_an_input_error(tmp_path: Path) -> None:
    import pyarrow  # noqa: F401  (a dev dependency: missing means fail, not skip)

    path = _write(tmp_path / "in.parquet", b"id\ttext\n")
    with pytest.raises(InputError, match="not a readable Parquet file"):
        open_reader(path, fmt="parquet")


def test_missing_pyarrow_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A None entry in sys.modules makes ``import`` fail exactly as if the package were absent.
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    path = _write(tmp_path / "in.parquet", b"PAR1")
    with pytest.raises(InputError) as caught:
        open_reader(path, fmt="parquet")
    assert caught.value.message == "reading Parquet needs pyarrow: pip install 'smsguard[parquet]'"
    target = tmp_path / "out.parquet"
    with pytest.raises(InputError, match="writing Parquet needs pyarrow"):
        open_writer(target, fmt="parquet", fieldnames=["text"])
    assert sorted(tmp_path.iterdir()) == [path]
