"""``smsguard scan --engine spark`` gives the local engine's verdicts, rows and problems.

One local[2] SparkSession serves the whole module (the CLI joins the active session instead
of starting its own). The fixture is ~50 SMS written for these tests (bank notices, codes,
misleading loan ads, loan fraud, English spam), plus rows each format must report as problems.
Without pyspark or Java the tests fail, naming `.ci/install-spark` (tests/needs.py).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parents[1]))
from integration.cli_runner import Run, in_process
from needs import need

# PySpark leaves its py4j and result sockets to the garbage collector.
pytestmark = [
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

FIXTURE = Path(__file__).parents[1] / "fixtures" / "spark_scan" / "messages.tsv"


def _spark_scan_messages() -> list[dict[str, Any]]:
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    rows = [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]
    return [{"id": int(row["id"]), "kind": row["kind"], "text": row["text"]} for row in rows]


@pytest.fixture(scope="module")
def spark_scan_session() -> Iterator[Any]:
    """One local[2] session for the module, shared by every CLI call below."""
    try:
        import pyspark  # noqa: F401

        has_pyspark = True
    except ImportError:
        has_pyspark = False
    need("pyspark", has_pyspark, "`.ci/install-spark`")
    from smsguard.spark.session import java_version, spark_session

    need("Java 17 or newer", (java_version() or 0) >= 17, "`.ci/install-spark`")
    with spark_session("local[2]", app_name="smsguard-tests") as session:
        session.conf.set("spark.sql.shuffle.partitions", "2")
        yield session


@pytest.fixture
def spark_scan_run(home: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    return in_process(home, capsys, "--home", str(home))


def _spark_scan_write_jsonl(path: Path) -> None:
    lines = [json.dumps(m, ensure_ascii=False).encode() for m in _spark_scan_messages()]
    bad = [
        b"",
        b'{"id": 60, "kind": "bad", "text": ""}',
        b"not json at all",
        b'{"id": 61, "kind": "bad"}',
        b'{"id": 62, "kind": "bad", "text": null}',
        b'{"id": 63, "kind": "bad", "text": 42}',
        b'{"id": 64, "kind": "bad", "text": "\xff\xfe broken"}',
        b'{"id": 65, "kind": "bad", "text": "   "}',
    ]
    for offset, line in enumerate(bad):
        lines.insert(3 + offset * 6, line)
    path.write_bytes(b"\n".join(lines) + b"\n")


def _spark_scan_write_csv(path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "kind", "text"])
    rows = [[m["id"], m["kind"], m["text"]] for m in _spark_scan_messages()]
    rows.insert(5, [70, "bad", ""])
    rows.insert(11, [71, "multi", "【闪借】秒批到账，\n不看征信，点击 t.cn/Ab12Cd 申请"])
    rows.insert(20, [72, "bad", "too", "many"])
    rows.insert(30, [73, "bad", "  "])
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _spark_scan_write_tsv(path: Path) -> None:
    lines = [
        "id\tkind\ttext",
        *(f"{m['id']}\t{m['kind']}\t{m['text']}" for m in _spark_scan_messages()),
    ]
    lines.insert(4, "80\tbad")
    lines.insert(9, "81\tbad\t")
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")


def _spark_scan_write_parquet(path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = _spark_scan_messages()
    rows.insert(7, {"id": 90, "kind": "bad", "text": None})
    rows.insert(17, {"id": 91, "kind": "bad", "text": ""})
    pq.write_table(pa.Table.from_pylist(rows), path)


_WRITERS = {
    "jsonl": _spark_scan_write_jsonl,
    "csv": _spark_scan_write_csv,
    "tsv": _spark_scan_write_tsv,
    "parquet": _spark_scan_write_parquet,
}


def _spark_scan_report(err: str) -> tuple[list[str], list[str]]:
    """The problem lines and the summary (less its timing line) of a scan's stderr."""
    lines = [line for line in err.splitlines() if line and not line.startswith(("spark ", "WARN"))]
    problems = [line for line in lines if line.startswith("line ")]
    summary = [
        line
        for line in lines
        if line.startswith(("screened", "pass", "review", "block", "fraud", "skipped", "  "))
    ]
    return problems, summary


def _spark_scan_parts(folder: Path, fmt: str) -> list[Path]:
    parts = sorted(folder.glob(f"part-*.{fmt}"))
    assert parts, f"no {fmt} parts in {folder}"
    return parts


def _spark_scan_text_output(folder: Path, fmt: str) -> str:
    """The parts joined as one file: each part's own header kept only once."""
    joined, header = "", None
    for part in _spark_scan_parts(folder, fmt):
        text = part.read_text(encoding="utf-8")
        if fmt in ("csv", "tsv"):
            first, _, rest = text.partition("\n")
            assert header in (None, first)
            header, text = first, rest
            joined = joined or first + "\n"
        joined += text
    return joined


def _spark_scan_parquet_rows(paths: list[Path]) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    return [row for path in paths for row in pq.read_table(path).to_pylist()]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "tsv", "parquet"])
def test_spark_engine_matches_local_engine(
    spark_scan_session: Any, spark_scan_run: Run, tmp_path: Path, fmt: str
) -> None:
    source = tmp_path / f"messages.{fmt}"
    _WRITERS[fmt](source)
    local_out, spark_out = tmp_path / f"local.{fmt}", tmp_path / f"spark.{fmt}"
    code, _, local_err = spark_scan_run("scan", str(source), str(local_out), "--workers", "1")
    assert code == 0, local_err
    code, _, spark_err = spark_scan_run("scan", "--engine", "spark", str(source), str(spark_out))
    assert code == 0, spark_err
    local_problems, local_summary = _spark_scan_report(local_err)
    spark_problems, spark_summary = _spark_scan_report(spark_err)
    assert spark_problems == local_problems and len(local_problems) >= 2
    assert spark_summary == local_summary
    if fmt == "parquet":
        local_rows = _spark_scan_parquet_rows([local_out])
        assert _spark_scan_parquet_rows(_spark_scan_parts(spark_out, fmt)) == local_rows
        assert {row["verdict"] for row in local_rows} == {"pass", "review", "block"}
    else:
        assert _spark_scan_text_output(spark_out, fmt) == local_out.read_text(encoding="utf-8")


def test_spark_engine_parquet_output_from_jsonl(
    spark_scan_session: Any, spark_scan_run: Run, tmp_path: Path
) -> None:
    """Another output format than the input's: the verdict columns are typed, as locally."""
    source = tmp_path / "messages.jsonl"
    _spark_scan_write_jsonl(source)
    local_out, spark_out = tmp_path / "local.parquet", tmp_path / "spark.parquet"
    assert spark_scan_run("scan", str(source), str(local_out), "--workers", "1")[0] == 0
    code, _, err = spark_scan_run("scan", "--engine", "spark", str(source), str(spark_out))
    assert code == 0, err
    local_rows = _spark_scan_parquet_rows([local_out])
    spark_rows = _spark_scan_parquet_rows(_spark_scan_parts(spark_out, "parquet"))
    strip = ("id",)  # JSON numbers: Arrow int64 locally, text in Spark's fixed schema
    assert [{k: v for k, v in r.items() if k not in strip} for r in spark_rows] == [
        {k: v for k, v in r.items() if k not in strip} for r in local_rows
    ]
    assert [str(r["id"]) for r in spark_rows] == [str(r["id"]) for r in local_rows]
    # A second run replaces the earlier output folder.
    code, _, err = spark_scan_run("scan", "--engine", "spark", str(source), str(spark_out))
    assert code == 0, err


def test_spark_engine_refuses_a_missing_input(spark_scan_run: Run, tmp_path: Path) -> None:
    code, out, err = spark_scan_run(
        "scan", "--engine", "spark", str(tmp_path / "nowhere.csv"), str(tmp_path / "out")
    )
    assert code == 2 and not out
    assert "error [invalid-input]" in err and "nowhere.csv" in err
    assert not (tmp_path / "out").exists()


def test_spark_engine_refuses_a_file_without_text_column(
    spark_scan_run: Run, tmp_path: Path
) -> None:
    source = tmp_path / "no-text.csv"
    source.write_text("id,body_text\n1,hello\n", encoding="utf-8")
    code, _, err = spark_scan_run("scan", "--engine", "spark", str(source), str(tmp_path / "o"))
    assert code == 2
    assert "text column 'text' is missing" in err


def test_spark_engine_refuses_to_replace_a_foreign_folder(
    spark_scan_run: Run, tmp_path: Path
) -> None:
    source = tmp_path / "messages.jsonl"
    _spark_scan_write_jsonl(source)
    target = tmp_path / "precious"
    target.mkdir()
    (target / "notes.txt").write_text("keep me", encoding="utf-8")
    code, _, err = spark_scan_run("scan", "--engine", "spark", str(source), str(target))
    assert code == 2 and "not an earlier scan's output" in err
    assert (target / "notes.txt").exists()
    shutil.rmtree(target)


def test_spark_engine_line_decoding_follows_the_local_reader() -> None:
    from smsguard.scanio.records import MAX_LINE_BYTES
    from smsguard.spark.rows import decode_line
    from smsguard.spark.session import parse_java_version

    assert decode_line(1, b"\xef\xbb\xbfid\r", MAX_LINE_BYTES).text == "id"
    assert decode_line(4, b"a\xffb", MAX_LINE_BYTES).problem == "invalid UTF-8 at byte 2"
    assert decode_line(2, b"x" * 11, 10).problem == "line is longer than 10 bytes"
    assert parse_java_version('openjdk version "17.0.15" 2025-04-15') == 17
    assert parse_java_version('java version "1.8.0_392"') == 8
    assert parse_java_version("no java here") is None


def test_spark_submit_entry_passes_options_to_the_right_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import smsguard.cli
    from smsguard.spark import submit

    seen: list[list[str]] = []
    monkeypatch.setattr(smsguard.cli, "main", lambda argv: seen.append(argv))
    submit.main(["--home", "/srv/h", "in.parquet", "out.parquet", "--sender", "s.yaml"])
    head = ["--home", "/srv/h", "scan", "--engine", "spark"]
    assert seen == [[*head, "in.parquet", "out.parquet", "--sender", "s.yaml"]]
