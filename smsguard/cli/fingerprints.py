"""``smsguard fingerprints``: keep a local index of fraud templates and match SMS against it.

The user index lives at ``$SMSGUARD_HOME/fingerprints/index.sgfp`` unless ``--index`` says
otherwise; ``match`` also consults the seed index shipped with smsguard. Only signatures are
stored, never the texts given to ``add`` or ``build``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from smsguard.cli._context import CliState
from smsguard.errors import InputError
from smsguard.fingerprints import DEFAULT_THRESHOLD, TemplateIndex, TemplateMatch, load_seed_index
from smsguard.fingerprints.build import DEFAULT_DEDUP, build_index
from smsguard.scanio import FORMATS, Record, RowProblem, detect_format, read_records

F = TypeVar("F", bound=Callable[..., Any])


def _index_option(function: F) -> F:
    return click.option(
        "--index",
        "index_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="User index file (default: $SMSGUARD_HOME/fingerprints/index.sgfp).",
    )(function)


def _path(state: CliState, index_path: Path | None) -> Path:
    return index_path or state.settings.effective_fingerprint_index


def _open(path: Path) -> TemplateIndex:
    """The user index, or a new empty one when none was saved yet."""
    return TemplateIndex.load(path) if path.exists() else TemplateIndex()


def _read_text(text: str) -> str:
    return sys.stdin.read() if text == "-" else text


@click.group()
def fingerprints() -> None:
    """Known fraud templates: add, remove, list, build an index, match an SMS."""


@fingerprints.command("add")
@click.argument("template_id")
@click.argument("text")
@click.option("--category", default="user", show_default=True, help="e.g. smishing, card-transfer.")
@_index_option
@click.pass_obj
def add(
    state: CliState, template_id: str, text: str, category: str, index_path: Path | None
) -> None:
    """Add a template: its fingerprint, not its text.

    TEXT is the message, or - to read it from standard input.
    """
    path = _path(state, index_path)
    index = _open(path)
    index.add(template_id, _read_text(text), category=category)
    index.save(path)
    click.echo(f"added {template_id} ({category}); {len(index)} templates in {path}")


@fingerprints.command("remove")
@click.argument("template_id")
@_index_option
@click.pass_obj
def remove(state: CliState, template_id: str, index_path: Path | None) -> None:
    """Forget a template."""
    path = _path(state, index_path)
    index = _open(path)
    if not index.remove(template_id):
        raise click.ClickException(f"no template {template_id!r} in {path}")
    index.save(path)
    click.echo(f"removed {template_id}; {len(index)} templates left in {path}")


@fingerprints.command("match")
@click.argument("text")
@click.option("--limit", type=click.IntRange(min=1), default=5, show_default=True)
@click.option("--seed/--no-seed", default=True, show_default=True, help="Also use the seed index.")
@click.option("--json", "as_json", is_flag=True, help="Print matches as JSON.")
@_index_option
@click.pass_obj
def match(
    state: CliState, text: str, limit: int, seed: bool, as_json: bool, index_path: Path | None
) -> None:
    """Show the known templates an SMS resembles, best first.

    TEXT is the message, or - to read it from standard input.
    """
    message = _read_text(text)
    path = _path(state, index_path)
    found: list[tuple[TemplateMatch, str]] = []
    if path.exists():
        found += [(m, "user") for m in TemplateIndex.load(path).match(message, limit=limit)]
    if seed:
        found += [(m, "seed") for m in load_seed_index().match(message, limit=limit)]
    found.sort(key=lambda pair: (-pair[0].similarity, pair[0].template_id))
    found = found[:limit]
    if as_json:
        rows = [{**_as_dict(m), "source": source} for m, source in found]
        click.echo(json.dumps({"matches": rows}, ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo("no known fraud template matched")
    for m, source in found:
        click.echo(f"{m.similarity:.3f}  {m.category:<16} {m.template_id}  ({source})")


@fingerprints.command("list")
@click.option("--seed", "show_seed", is_flag=True, help="List the shipped seed index instead.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@_index_option
@click.pass_obj
def list_templates(
    state: CliState, show_seed: bool, as_json: bool, index_path: Path | None
) -> None:
    """List template ids and categories (no texts are stored to show)."""
    path = _path(state, index_path)
    index = load_seed_index() if show_seed else _open(path)
    source = "seed" if show_seed else str(path)
    if as_json:
        rows = [{"template_id": t, "category": c} for t, c in index.templates()]
        payload = {"index": source, "threshold": index.threshold, "templates": rows}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    click.echo(f"{len(index)} templates in {source} (threshold {index.threshold:g})")
    for template_id, category in index.templates():
        click.echo(f"  {category:<16} {template_id}")


@fingerprints.command("build")
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Index to write (default: the user index).",
)
@click.option("--format", "in_format", type=click.Choice(FORMATS), help="Input format.")
@click.option("--text-column", default="text", show_default=True)
@click.option("--label-column", default="label", show_default=True)
@click.option("--label", "labels", multiple=True, help="Keep rows with this label (repeatable).")
@click.option("--category", help="Category for every template (default: the row's label).")
@click.option(
    "--dedup",
    type=click.FloatRange(0, 1, min_open=True),
    default=DEFAULT_DEDUP,
    show_default=True,
    help="Merge texts at least this similar.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1, min_open=True),
    default=DEFAULT_THRESHOLD,
    show_default=True,
    help="Least similarity to match.",
)
@click.option("--force", is_flag=True, help="Replace an existing index file.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_obj
def build(
    state: CliState,
    input_path: Path,
    out_path: Path | None,
    in_format: str | None,
    text_column: str,
    label_column: str,
    labels: tuple[str, ...],
    category: str | None,
    dedup: float,
    threshold: float,
    force: bool,
    as_json: bool,
) -> None:
    """Build an index from a labelled file of fraud texts.

    INPUT is TSV, CSV, JSONL or Parquet. Each kept row becomes a template named
    INPUT-STEM:L<line>; near-duplicates are merged.
    """
    out = _path(state, out_path)
    if out.exists() and not force:
        raise InputError(f"{out} exists; pass --force to replace it")
    fmt = detect_format(input_path, in_format)
    records = read_records(input_path, fmt=fmt, text_column=text_column)
    rows = _rows(records, input_path.stem, label_column, set(labels), category)
    index, report = build_index(rows, threshold=threshold, dedup=dedup)
    if report.read == 0:
        wanted = f" labelled {', '.join(sorted(labels))}" if labels else ""
        raise InputError(f"{input_path} has no rows{wanted} to index")
    index.save(out)
    summary = {
        "index": str(out),
        "read": report.read,
        "kept": report.kept,
        "near_duplicates": len(report.duplicate_of),
        "too_short": report.too_short,
    }
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        click.echo(
            f"built {out}: {report.kept} templates from {report.read} texts "
            f"({len(report.duplicate_of)} near-duplicates merged, {report.too_short} too short)"
        )


def _rows(
    records: Iterator[Record | RowProblem],
    stem: str,
    label_column: str,
    labels: set[str],
    category: str | None,
) -> Iterator[tuple[str, str, str]]:
    """``(id, text, category)`` for every row to index; bad rows are reported and skipped."""
    for record in records:
        if isinstance(record, RowProblem):
            click.echo(f"line {record.line}: skipped: {record.reason}", err=True)
            continue
        label = str(record.fields.get(label_column, ""))
        if labels and label not in labels:
            continue
        yield f"{stem}:L{record.line}", record.text, category or label or "user"


def _as_dict(found: TemplateMatch) -> dict[str, Any]:
    return {
        "template_id": found.template_id,
        "similarity": found.similarity,
        "category": found.category,
    }
