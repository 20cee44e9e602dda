"""The training report of a propensity model, as text (printed and written next to the model).

Everything comes from the model file itself, so the report of any stored model can be
rebuilt: held-out AUC, log loss and Brier score against the two baselines, calibration by
decile, the segment thresholds and shares, and the strongest coefficients in words.
"""

from __future__ import annotations

from typing import Any

from smsguard.targeting.propensity import PropensityModel, explain_coefficients


def render_report(model: PropensityModel) -> str:
    info, metrics = model.training, model.metrics
    lines = [
        f"倾向模型 / propensity model {model.name}",
        f"标签 label: {info.label} (响应且未违约)",
        f"data: {info.rows:,} outcomes of {info.customers:,} customers, "
        f"{info.positives:,} positive ({_share(info.positives, info.rows)}); "
        f"skipped without profile: {metrics.get('skipped_outcomes', 0)}",
        f"data sha256 {info.data_sha256}  seed {info.seed}  created {model.created}",
        "features: credit band, income band, product interest, debt-ratio bins, recency bins; "
        f"never used: {', '.join(info.excluded_columns)} (fairness report only)",
        "",
        *_holdout(metrics.get("holdout", {}), info.holdout_fraction),
        "",
        *_calibration(metrics.get("calibration", [])),
        "",
        *_segments(model),
        "",
        "strongest effects (odds vs. the average level of the same feature):",
        *(f"  {item['words']}" for item in explain_coefficients(model)),
    ]
    return "\n".join(lines) + "\n"


def _holdout(holdout: dict[str, Any], fraction: float) -> list[str]:
    if not holdout:
        return ["held-out evaluation: none recorded"]
    lines = [
        f"held-out {fraction:.0%} of customers: {holdout['rows']:,} outcomes, "
        f"{holdout['positives']:,} positive",
        f"  {'':<22}{'AUC':>8}{'log loss':>10}{'Brier':>8}",
    ]
    for key, title in (
        ("model", "this model"),
        ("credit_band_only", "credit band only"),
        ("base_rate", "base rate"),
    ):
        figures = holdout[key]
        lines.append(
            f"  {title:<22}{figures['auc']:>8.4f}{figures['log_loss']:>10.4f}"
            f"{figures['brier']:>8.4f}"
        )
    return lines


def _calibration(table: list[dict[str, Any]]) -> list[str]:
    lines = ["calibration by decile (held out):", f"  {'decile':>6}{'rows':>8}{'predicted':>11}"
             f"{'observed':>10}"]  # fmt: skip
    for row in table:
        decile, rows = row["decile"], row["rows"]
        lines.append(f"  {decile:>6}{rows:>8,}{row['predicted']:>11.3f}{row['observed']:>10.3f}")
    return lines


def _segments(model: PropensityModel) -> list[str]:
    shares = model.metrics.get("segments", {})
    t = model.thresholds
    return [
        "segments (probability thresholds stored in the model):",
        f"  high    p >= {t.high:.4f}   {shares.get('high', 0):.1%} of training rows",
        f"  medium  p >= {t.medium:.4f}   {shares.get('medium', 0):.1%}",
        f"  low     p <  {t.medium:.4f}   {shares.get('low', 0):.1%}",
    ]


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "-"
