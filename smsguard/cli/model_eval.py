"""``smsguard model eval``: run the evaluation protocol and write the Markdown + JSON report.

The command only finds the data, calls :func:`smsguard.training.evaluate.run_evaluation` with
the real trainer and the baseline, and writes the files; the protocol itself lives in
:mod:`smsguard.training`. It is attached to the ``model`` group by :func:`register` so the
group's module does not import scikit-learn-dependent code at start-up.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from smsguard.errors import InputError, ModelError

DATA_ENV = "SMSGUARD_DATA"
QUICK_SAMPLE = 1500


def data_folder(explicit: Path | None) -> Path:
    """``--data``, else ``$SMSGUARD_DATA``, else ``../shared/data`` from the working folder.

    A folder that is not there is a user error with a next step, never a traceback.
    """
    env = os.environ.get(DATA_ENV)
    folder = explicit or (Path(env) if env else Path.cwd().parent / "shared" / "data")
    if not folder.is_dir():
        raise InputError(
            f"{folder}: no shared-data folder there",
            hint=f"Pass --data DIR (laid out like shared/data) or set {DATA_ENV}.",
        )
    return folder


def _shipped() -> Any:
    """The packaged model if one is installed, for the operating-point section."""
    from smsguard.risk.model import RiskModel

    try:
        return RiskModel.load_default()
    except ModelError:
        return None


@click.command("eval")
@click.option(
    "--data",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=f"Folder laid out like shared/data (default: ${DATA_ENV} or ../shared/data).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("docs/model-eval"),
    show_default=True,
    help="Report path without suffix: writes OUT.md and OUT.json.",
)
@click.option(
    "--quick",
    is_flag=True,
    help=f"Smoke run: at most {QUICK_SAMPLE} texts per corpus (figures are not comparable).",
)
@click.option("--seed", default=13, show_default=True, help="Seed of splits and training.")
def eval_command(data: Path | None, out: Path, quick: bool, seed: int) -> None:
    """Evaluate the risk model honestly: cluster vs random split, leave-one-dataset-out,
    robustness rewrites and a TF-IDF baseline, all in one run."""
    try:
        from smsguard.training.corpora import load_shared_corpora
        from smsguard.training.evaluate import EvalConfig, run_evaluation
        from smsguard.training.fit import TrainConfig, train_baseline, train_model
        from smsguard.training.report import write_report
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise click.ClickException(
            f"evaluation needs scikit-learn ({exc.name} is missing): pip install 'smsguard[train]'"
        ) from exc
    corpora = load_shared_corpora(data_folder(data))
    config = TrainConfig(seed=seed)
    report = run_evaluation(
        corpora,
        trainer=lambda examples: train_model(examples, config),
        baseline=lambda examples: train_baseline(examples, seed=seed),
        config=EvalConfig(seed=seed, sample=QUICK_SAMPLE if quick else None),
        shipped=_shipped(),
        progress=lambda message: click.echo(f"… {message}", err=True),
    )
    markdown, data_file = write_report(report, out)
    _summary(report, markdown, data_file)


def _summary(report: dict[str, Any], markdown: Path, data_file: Path) -> None:
    click.echo(f"report -> {markdown} and {data_file} ({report['meta']['seconds']} s)")
    for row in report["targets"]:
        value = row["figures"]["cluster/ours"]
        shown = "n/a" if value is None else f"{value:.3f}"
        verdict = {True: "met", False: "NOT met", None: "n/a"}[row["met"]]
        click.echo(f"  {row['target']:<40} {shown:>6}  (goal {row['goal']})  {verdict}")


def register(group: click.Group) -> None:
    """Attach ``eval`` to the ``model`` command group."""
    group.add_command(eval_command)
