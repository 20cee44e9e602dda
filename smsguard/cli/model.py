"""``smsguard model``: train the risk model (``eval`` is registered onto this group elsewhere)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from smsguard.errors import InputError


@click.group()
def model() -> None:
    """Train and evaluate the fraud/spam risk model (needs the `train` extra)."""


def _created(explicit: str | None) -> str:
    """The date recorded in the model: the option, else SOURCE_DATE_EPOCH, else today (UTC).

    Only a date, so that the same data and seed give the same bytes all day; the
    reproducible-builds variable pins it for byte-identical rebuilds on any day.
    """
    if explicit:
        return explicit
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return datetime.now(UTC).date().isoformat()
    if not epoch.isdigit():
        raise InputError(f"SOURCE_DATE_EPOCH must be seconds since 1970; got {epoch!r}")
    return datetime.fromtimestamp(int(epoch), UTC).date().isoformat()


@model.command("train")
@click.option(
    "--data",
    "data",
    multiple=True,
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help="Labelled TSV/CSV files and/or one folder laid out like shared/data (repeatable).",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the model artifact.",
)
@click.option("--seed", default=13, show_default=True, help="Seed of the held-out split.")
@click.option(
    "--spam-fpr",
    default=0.02,
    show_default=True,
    help="Target share of held-out ham flagged spam or fraud.",
)
@click.option(
    "--fraud-fpr",
    default=0.001,
    show_default=True,
    help="Target share of held-out ham flagged fraud.",
)
@click.option(
    "--created",
    default=None,
    help="ISO date to record (default: SOURCE_DATE_EPOCH's date, else today in UTC).",
)
def train(
    data: tuple[Path, ...],
    out: Path,
    seed: int,
    spam_fpr: float,
    fraud_fpr: float,
    created: str | None,
) -> None:
    """Train a model on labelled SMS and write it to OUT."""
    try:
        from smsguard.training.corpora import training_data
        from smsguard.training.fit import TrainConfig, train_model
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise click.ClickException(
            f"training needs scikit-learn ({exc.name} is missing): pip install 'smsguard[train]'"
        ) from exc
    for name, value in (("--spam-fpr", spam_fpr), ("--fraud-fpr", fraud_fpr)):
        if not 0.0 <= value < 1.0:
            raise InputError(f"{name} must be in [0, 1); got {value}")
    loaded = training_data(data)
    config = TrainConfig(
        seed=seed,
        spam_target_ham_fpr=spam_fpr,
        fraud_target_ham_fpr=fraud_fpr,
        created=_created(created),
    )
    trained = train_model(loaded.examples, config, data_hashes=loaded.sha256)
    trained.save(out)
    _summary(trained.metadata, loaded.notes, out, trained.version)


def _summary(metadata: dict[str, Any], notes: tuple[str, ...], out: Path, version: str) -> None:
    click.echo(f"model {version} -> {out} ({out.stat().st_size / 1e6:.2f} MB)")
    for note in notes:
        click.echo(f"note: {note}")
    click.echo("rows after de-duplication:")
    for source, counts in metadata["rows"].items():
        parts = ", ".join(f"{label} {count}" for label, count in sorted(counts.items()))
        click.echo(f"  {source:<14} {parts}")
    click.echo("data sha256:")
    for name, digest in metadata["data_sha256"].items():
        click.echo(f"  {name:<14} {digest}")
    point = metadata["operating_point"]
    click.echo(
        "operating point (held-out, all): "
        f"ham flagged {point['ham_fpr_non_ham']}, ham called fraud {point['ham_fpr_fraud']}; "
        f"spam recall {point['spam_recall_non_ham']}, fraud recall {point['fraud_recall_non_ham']}"
    )
    for script, part in point["by_script"].items():
        click.echo(
            f"  {script:<6} spam threshold {part['spam_threshold']}, "
            f"fraud threshold {part['fraud_threshold']} ({part['basis']}); "
            f"ham flagged {part['ham_fpr_non_ham']}, spam recall {part['spam_recall_non_ham']}, "
            f"fraud recall {part['fraud_recall_non_ham']}"
        )
    calibration = metadata["calibration"]
    click.echo(
        f"calibration: temperature {calibration['temperature']}, held-out log loss "
        f"{calibration['log_loss_uncalibrated']} -> {calibration['log_loss_calibrated']}"
    )
